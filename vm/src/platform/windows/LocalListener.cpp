#include "berth/vm/LocalListener.h"

#include "berth/engine/detail/Win32Text.h"

#include <cstdint>
#include <cstdio>
#include <cwctype>

// windows.h first: the headers after it build on its types.
// clang-format off
#include <windows.h>
#include <sddl.h>
// clang-format on

#include <boost/asio/post.hpp>
#include <boost/asio/windows/overlapped_ptr.hpp>

namespace berth::vm {

namespace {

using engine::detail::systemMessage;
using engine::detail::widen;

constexpr DWORD kBufferBytes = 64 * 1024;

// A security descriptor that lets this user, and no one else, open the pipe: the equivalent of
// a 0600 socket. Empty when it cannot be made (the error says why).
Result<std::shared_ptr<void>> ownerOnlyDescriptor()
{
    HANDLE token = nullptr;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return Error{"cannot read this process's user: " + systemMessage(GetLastError())};
    DWORD size = 0;
    GetTokenInformation(token, TokenUser, nullptr, 0, &size);
    std::string buffer(size, '\0');
    const bool got = size > 0 && GetTokenInformation(token, TokenUser, buffer.data(), size, &size);
    const DWORD code = GetLastError();
    CloseHandle(token);
    if (!got)
        return Error{"cannot read this process's user: " + systemMessage(code)};
    LPWSTR sid = nullptr;
    if (!ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid, &sid))
        return Error{"cannot name this process's user: " + systemMessage(GetLastError())};
    // D:P — a protected DACL (nothing inherited); one entry: generic all, for this user.
    const std::wstring sddl = std::wstring(L"D:P(A;;GA;;;") + sid + L")";
    LocalFree(sid);
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &descriptor,
                                                              nullptr))
        return Error{"cannot make the pipe's access rule: " + systemMessage(GetLastError())};
    return std::shared_ptr<void>(descriptor, [](void* d) { LocalFree(d); });
}

} // namespace

struct LocalListener::Impl : std::enable_shared_from_this<LocalListener::Impl>
{
    explicit Impl(boost::asio::io_context& context) : io(context), waiting(context) {}

    boost::asio::io_context& io;
    std::wstring name;
    std::string shownName;
    std::shared_ptr<void> descriptor;
    Stream waiting; // the instance the next client connects to
    bool open = false;
    boost::system::error_code broken; // why no instance could be made for the next client

    // A new instance of the pipe in `waiting`; the first one also claims the name.
    boost::system::error_code makeInstance(bool first)
    {
        SECURITY_ATTRIBUTES attributes{sizeof attributes, descriptor.get(), FALSE};
        const HANDLE pipe = CreateNamedPipeW(
            name.c_str(),
            PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0),
            PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
            PIPE_UNLIMITED_INSTANCES, kBufferBytes, kBufferBytes, 0, &attributes);
        if (pipe == INVALID_HANDLE_VALUE)
            return {static_cast<int>(GetLastError()), boost::asio::error::get_system_category()};
        boost::system::error_code ec;
        waiting.assign(pipe, ec);
        if (ec)
            CloseHandle(pipe);
        return ec;
    }
};

LocalListener::LocalListener(boost::asio::io_context& io) : m_impl(std::make_shared<Impl>(io)) {}

LocalListener::~LocalListener()
{
    close();
}

Status LocalListener::listen(const std::filesystem::path& where, int /*backlog*/)
{
    auto& d = *m_impl;
    const auto text = where.string();
    if (text.rfind("\\\\.\\pipe\\", 0) != 0 || text.size() <= 9)
        return Error{"'" + text + "' is not a local pipe name; it must look like \\\\.\\pipe\\NAME"};
    auto descriptor = ownerOnlyDescriptor();
    if (!descriptor)
        return descriptor.error();
    d.descriptor = std::move(descriptor).value();
    d.name = widen(text);
    d.shownName = text;
    // A pipe by that name already exists when waiting for it does not fail with "not found" (it
    // connects to nothing). FILE_FLAG_FIRST_PIPE_INSTANCE below closes the race with a program
    // that makes one in between; Wine does not enforce that flag, this check it does.
    if (WaitNamedPipeW(d.name.c_str(), 1) || GetLastError() != ERROR_FILE_NOT_FOUND)
        return Error{"another program already serves " + text + ": is Berth running twice?"};
    if (const auto ec = d.makeInstance(true)) {
        if (ec.value() == ERROR_ACCESS_DENIED || ec.value() == ERROR_PIPE_BUSY)
            return Error{"another program already serves " + text + ": is Berth running twice? (" +
                         systemMessage(static_cast<DWORD>(ec.value())) + ")"};
        return Error{"cannot make the pipe " + text + ": " + systemMessage(static_cast<DWORD>(ec.value()))};
    }
    d.open = true;
    return Ok{};
}

void LocalListener::asyncAccept(Stream& stream, std::function<void(boost::system::error_code)> done)
{
    auto self = m_impl;
    if (!self->open || !self->waiting.is_open()) {
        const boost::system::error_code why =
            self->broken ? self->broken : boost::asio::error::operation_aborted;
        boost::asio::post(self->io, [done = std::move(done), why] { done(why); });
        return;
    }
    boost::asio::windows::overlapped_ptr connect(
        self->io, [self, &stream, done](const boost::system::error_code& error, std::size_t) {
            if (!self->open) { // closed: whatever code the system ended the connect with
                done(boost::asio::error::operation_aborted);
                return;
            }
            if (error) {
                done(error);
                return;
            }
            stream = std::move(self->waiting);
            // The next client finds an instance waiting even before asyncAccept is called again.
            self->waiting = Stream(self->io);
            if (const auto ec = self->makeInstance(false)) {
                self->open = false; // this client is served; the next accept gets the error
                self->broken = ec;
            }
            done({});
        });
    if (ConnectNamedPipe(self->waiting.native_handle(), connect.get())) {
        connect.complete({}, 0);
        return;
    }
    const DWORD code = GetLastError();
    if (code == ERROR_IO_PENDING)
        connect.release(); // completes through the io_context
    else if (code == ERROR_PIPE_CONNECTED)
        connect.complete({}, 0); // the client came before this call
    else
        connect.complete({static_cast<int>(code), boost::asio::error::get_system_category()}, 0);
}

void LocalListener::close()
{
    m_impl->open = false;
    boost::system::error_code ignored;
    m_impl->waiting.close(ignored); // a pending connect ends with operation_aborted
}

bool LocalListener::isOpen() const
{
    return m_impl->open;
}

bool LocalListener::partialRead(const boost::system::error_code& ec)
{
    return ec.category() == boost::asio::error::get_system_category() && ec.value() == ERROR_MORE_DATA;
}

std::filesystem::path localEndpoint(const std::filesystem::path& folder, const std::string& name)
{
    // FNV-1a (64 bits) of the folder as Windows compares names: case-insensitively.
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const wchar_t ch : folder.lexically_normal().wstring()) {
        hash ^= static_cast<std::uint64_t>(towlower(ch));
        hash *= 0x100000001b3ULL;
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
    return std::filesystem::path("\\\\.\\pipe\\berth-" + std::string(hex) + "-" + name);
}

std::optional<std::size_t> localEndpointLimit()
{
    return std::nullopt;
}

engine::Endpoint engineEndpoint(const std::filesystem::path& local)
{
    const auto text = local.string();
    const std::string prefix = "\\\\.\\pipe\\";
    return engine::Endpoint::namedPipe(text.rfind(prefix, 0) == 0 ? text.substr(prefix.size()) : text);
}

} // namespace berth::vm
