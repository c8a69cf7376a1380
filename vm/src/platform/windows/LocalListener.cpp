#include "berth/vm/LocalListener.h"

#include "UserSecurity.h"
#include "berth/engine/detail/Win32Text.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cwctype>
#include <deque>
#include <utility>
#include <vector>
#include <windows.h>

#include <boost/asio/post.hpp>
#include <boost/asio/windows/overlapped_ptr.hpp>
#include <spdlog/spdlog.h>

namespace berth::vm {

namespace {

using engine::detail::systemMessage;
using engine::detail::widen;

constexpr DWORD kBufferBytes = 64 * 1024;

} // namespace

struct LocalListener::Impl : std::enable_shared_from_this<LocalListener::Impl>
{
    explicit Impl(boost::asio::io_context& context) : io(context) {}

    // Instances whose ConnectNamedPipe is pending. Two, not one: a client connects to any
    // listening instance, and after one connects the next instance can only be made once the io
    // thread runs that connect's handler; with a single instance a client right behind another
    // would find no pipe at all meanwhile ("file not found", which the docker CLI does not retry).
    static constexpr std::size_t kListening = 2;

    boost::asio::io_context& io;
    std::wstring name;
    std::string shownName;
    std::shared_ptr<void> descriptor;
    std::vector<std::shared_ptr<Stream>> listening;
    std::deque<Stream> connected; // clients not yet handed over, in the order they came
    Stream* acceptInto = nullptr; // the accept that waits for a client, if any
    std::function<void(boost::system::error_code)> acceptDone;
    bool open = false;
    boost::system::error_code broken; // why no instance could be made for the next client

    // Hands over the oldest connected client, or remembers the accept until one comes.
    void accept(Stream& stream, std::function<void(boost::system::error_code)> done)
    {
        if (!open) { // never listening, closed, or no instance could be made
            const boost::system::error_code why = broken ? broken : boost::asio::error::operation_aborted;
            boost::asio::post(io, [done = std::move(done), why] { done(why); });
            return;
        }
        if (connected.empty()) {
            acceptInto = &stream;
            acceptDone = std::move(done);
            return;
        }
        stream = std::move(connected.front());
        connected.pop_front();
        boost::asio::post(io, [done = std::move(done)] { done({}); });
    }

    // Makes instances until kListening wait for clients; false (with `broken` set and the
    // listener closed) when none can be made.
    bool listen(bool first)
    {
        while (listening.size() < kListening) {
            auto instance = std::make_shared<Stream>(io);
            if (const auto ec = makeInstance(*instance, first && listening.empty())) {
                fail(ec);
                return false;
            }
            listening.push_back(instance);
            connect(instance);
        }
        return true;
    }

    // Waits on `instance` for a client. A client that came and went before its connect was
    // served (ERROR_NO_DATA), or any other failure of one instance, gets a fresh instance.
    void connect(const std::shared_ptr<Stream>& instance)
    {
        auto self = shared_from_this();
        boost::asio::windows::overlapped_ptr pending(
            io, [self, instance](const boost::system::error_code& error, std::size_t) {
                auto& list = self->listening;
                list.erase(std::remove(list.begin(), list.end(), instance), list.end());
                if (!self->open) // closed: whatever code the system ended the connect with
                    return;
                if (!error && !clientLeft(*instance)) {
                    self->connected.push_back(std::move(*instance));
                } else {
                    boost::system::error_code ignored;
                    instance->close(ignored);
                }
                if (!self->listen(false))
                    spdlog::warn("{}: no instance for the next client: {}", self->shownName, self->broken.message());
                if (self->acceptInto && !self->connected.empty()) {
                    *std::exchange(self->acceptInto, nullptr) = std::move(self->connected.front());
                    self->connected.pop_front();
                    std::exchange(self->acceptDone, nullptr)({});
                }
            });
        const BOOL done = ConnectNamedPipe(instance->native_handle(), pending.get());
        const DWORD code = GetLastError();
        if (done || code == ERROR_IO_PENDING)
            pending.release(); // completes through the io_context's completion port
        else if (code == ERROR_PIPE_CONNECTED)
            pending.complete({}, 0); // the client came before this call; nothing is queued for it
        else
            pending.complete({static_cast<int>(code), boost::asio::error::get_system_category()}, 0);
    }

    // A client that connected and left at once, having sent nothing (a probe such as
    // localEndpointAnswers, a client that gave up): not handed over, as when it leaves before its
    // connect is served (ERROR_NO_DATA).
    static bool clientLeft(Stream& instance)
    {
        DWORD waiting = 0;
        return !PeekNamedPipe(instance.native_handle(), nullptr, 0, nullptr, &waiting, nullptr) &&
               GetLastError() == ERROR_BROKEN_PIPE;
    }

    // No more instances can be made: the listener closes, and a waiting accept hears why.
    void fail(const boost::system::error_code& ec)
    {
        broken = ec;
        closeAll();
        if (acceptInto) {
            acceptInto = nullptr;
            boost::asio::post(io, [done = std::exchange(acceptDone, nullptr), ec] { done(ec); });
        }
    }

    void closeAll()
    {
        open = false;
        boost::system::error_code ignored;
        for (const auto& instance : listening)
            instance->close(ignored); // a pending connect ends with operation_aborted
        connected.clear();
    }

    // A new instance of the pipe in `into`; the first one also claims the name.
    boost::system::error_code makeInstance(Stream& into, bool first)
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
        into.assign(pipe, ec);
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
    auto descriptor = windows::ownerOnlyDescriptor(); // the equivalent of a 0600 socket
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
    auto first = std::make_shared<Stream>(d.io);
    if (const auto ec = d.makeInstance(*first, true)) {
        if (ec.value() == ERROR_ACCESS_DENIED || ec.value() == ERROR_PIPE_BUSY)
            return Error{"another program already serves " + text + ": is Berth running twice? (" +
                         systemMessage(static_cast<DWORD>(ec.value())) + ")"};
        return Error{"cannot make the pipe " + text + ": " + systemMessage(static_cast<DWORD>(ec.value()))};
    }
    d.open = true;
    d.broken = {};
    d.listening.push_back(first);
    d.connect(first);
    if (!d.listen(false))
        return Error{"cannot make the pipe " + text + ": " +
                     systemMessage(static_cast<DWORD>(d.broken.value()))};
    return Ok{};
}

void LocalListener::asyncAccept(Stream& stream, std::function<void(boost::system::error_code)> done)
{
    m_impl->accept(stream, std::move(done));
}

void LocalListener::close()
{
    auto& d = *m_impl;
    d.closeAll();
    if (d.acceptInto) {
        d.acceptInto = nullptr;
        boost::asio::post(d.io, [done = std::exchange(d.acceptDone, nullptr)] {
            done(boost::asio::error::operation_aborted);
        });
    }
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

bool localEndpointAnswers(const std::filesystem::path& where)
{
    // Waits at most a millisecond: a free instance answers yes at once, every instance busy
    // times out (yes: a server is there), no such pipe fails with "not found".
    auto name = where.wstring(); // \\.\pipe\NAME, or //./pipe/NAME as an npipe:// address holds it
    std::replace(name.begin(), name.end(), L'/', L'\\');
    if (WaitNamedPipeW(name.c_str(), 1))
        return true;
    const DWORD why = GetLastError();
    return why != ERROR_FILE_NOT_FOUND && why != ERROR_BAD_PATHNAME && why != ERROR_INVALID_NAME;
}

engine::Endpoint engineEndpoint(const std::filesystem::path& local)
{
    const auto text = local.string();
    const std::string prefix = "\\\\.\\pipe\\";
    return engine::Endpoint::namedPipe(text.rfind(prefix, 0) == 0 ? text.substr(prefix.size()) : text);
}

} // namespace berth::vm
