#include "../ChardevEndpoint.h"

#include "UserSecurity.h"
#include "berth/engine/detail/Win32Text.h"

#include <windows.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace berth::vm::detail {

namespace {
// How often the pipe is looked for until QEMU has made it.
constexpr std::chrono::milliseconds kRetry{20};
} // namespace

struct ChardevEndpoint::Impl : std::enable_shared_from_this<ChardevEndpoint::Impl>
{
    explicit Impl(boost::asio::io_context& ctx) : io(ctx), retry(ctx) {}
    boost::asio::io_context& io;
    boost::asio::steady_timer retry;
    std::filesystem::path where;
    bool closed = false;

    void attempt(Stream& stream, std::function<void(Status)> done)
    {
        if (closed) {
            finish(std::move(done), Error{"stopped waiting for QEMU's pipe " + where.string()});
            return;
        }
        // SECURITY_IDENTIFICATION: the server may learn who connects, never act as this user.
        const HANDLE pipe =
            CreateFileW(where.wstring().c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                        FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, nullptr);
        if (pipe == INVALID_HANDLE_VALUE) {
            const DWORD code = GetLastError();
            if (code == ERROR_FILE_NOT_FOUND) { // QEMU has not made it yet
                retry.expires_after(kRetry);
                retry.async_wait([self = shared_from_this(), &stream,
                                  done = std::move(done)](boost::system::error_code) mutable {
                    self->attempt(stream, std::move(done));
                });
                return;
            }
            const auto why = code == ERROR_PIPE_BUSY
                                 ? "another program opened QEMU's pipe " + where.string() + " first"
                                 : "cannot open QEMU's pipe " + where.string() + ": " +
                                       engine::detail::systemMessage(code);
            finish(std::move(done), Error{why});
            return;
        }
        if (auto mine = windows::pipeServerIsThisUser(pipe, where, "QEMU"); !mine) {
            CloseHandle(pipe);
            finish(std::move(done), mine.error());
            return;
        }
        boost::system::error_code ec;
        stream.assign(pipe, ec);
        if (ec) {
            CloseHandle(pipe);
            finish(std::move(done), Error{"cannot use QEMU's pipe " + where.string() + ": " + ec.message()});
            return;
        }
        finish(std::move(done), Ok{});
    }

    // Runs `done` on a later turn, never inside asyncConnect().
    void finish(std::function<void(Status)> done, Status result)
    {
        boost::asio::post(io, [done = std::move(done), result = std::move(result)] { done(result); });
    }
};

ChardevEndpoint::ChardevEndpoint(boost::asio::io_context& io) : m_impl(std::make_shared<Impl>(io)) {}

ChardevEndpoint::~ChardevEndpoint()
{
    close();
}

Status ChardevEndpoint::open(const std::filesystem::path& where)
{
    m_impl->where = where;
    return Ok{};
}

void ChardevEndpoint::asyncConnect(Stream& stream, std::function<void(Status)> done)
{
    boost::asio::post(m_impl->io, [impl = m_impl, &stream, done = std::move(done)]() mutable {
        impl->attempt(stream, std::move(done));
    });
}

void ChardevEndpoint::close()
{
    m_impl->closed = true;
    m_impl->retry.cancel();
}

} // namespace berth::vm::detail
