// The engine's named pipe (Windows): npipe:////./pipe/NAME, opened for overlapped I/O and driven
// by Boost.Asio's stream_handle on the client's io_context.
#include "berth/engine/detail/Transport.h"
#include "berth/engine/detail/Win32Text.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <windows.h>

namespace berth::engine::detail {

namespace {

// How long a connect waits while every instance of the pipe is busy (the server has not yet
// made a new one for the next client): the engine makes one as soon as it accepts.
constexpr auto kBusyWait = std::chrono::seconds(10);
constexpr auto kBusyRetry = std::chrono::milliseconds(20);

// "//./pipe/name" as Windows spells it: \\.\pipe\name.
std::wstring pipeName(std::string path)
{
    std::replace(path.begin(), path.end(), '/', '\\');
    return widen(path);
}

Error openError(const Endpoint& endpoint, DWORD code)
{
    const auto where = endpoint.toString();
    if (code == ERROR_FILE_NOT_FOUND)
        return {ErrorKind::SocketMissing,
                "the engine pipe " + where + " does not exist: the engine is not running (start it with `berth start`)"};
    if (code == ERROR_ACCESS_DENIED)
        return {ErrorKind::Unreachable, "access denied on " + where + ": it belongs to another user"};
    if (code == ERROR_PIPE_BUSY)
        return {ErrorKind::Unreachable, where + " stayed busy for " + std::to_string(kBusyWait.count()) +
                                            " s: the engine is not accepting connections"};
    return {ErrorKind::Unreachable, "cannot connect to the engine at " + where + ": " + systemMessage(code)};
}

// A pipe server has no instance listening for a moment after each client connects, until it
// makes the next one (go-winio's, Berth's own): a client right behind another then finds no pipe
// at all. "Not found" is believed only once it lasts this long.
constexpr std::chrono::milliseconds kGapWait{250};

void tryOpen(Socket& socket, const Endpoint& endpoint, std::chrono::steady_clock::time_point deadline,
             std::chrono::steady_clock::time_point gapDeadline, std::shared_ptr<boost::asio::steady_timer> timer,
             std::function<void(Status)> done)
{
    const HANDLE pipe = CreateFileW(pipeName(endpoint.path()).c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
                                    OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
    if (pipe == INVALID_HANDLE_VALUE) {
        const DWORD code = GetLastError();
        const auto now = std::chrono::steady_clock::now();
        if ((code == ERROR_PIPE_BUSY && now < deadline) || (code == ERROR_FILE_NOT_FOUND && now < gapDeadline)) {
            // WaitNamedPipe would block this thread: wait on the loop instead.
            timer->expires_after(kBusyRetry);
            timer->async_wait([&socket, endpoint, deadline, gapDeadline, timer, done = std::move(done)](
                                  const boost::system::error_code& ec) mutable {
                if (ec)
                    done(Error{ErrorKind::Cancelled, "connecting to " + endpoint.toString() + " was cancelled"});
                else
                    tryOpen(socket, endpoint, deadline, gapDeadline, timer, std::move(done));
            });
            return;
        }
        boost::asio::post(socket.get_executor(),
                          [error = openError(endpoint, code), done = std::move(done)] { done(error); });
        return;
    }
    boost::system::error_code ec;
    socket.assign(pipe, ec);
    if (ec) {
        CloseHandle(pipe);
        boost::asio::post(socket.get_executor(), [endpoint, ec, done = std::move(done)] {
            done(Error{ErrorKind::Unreachable, "cannot use " + endpoint.toString() + ": " + ec.message()});
        });
        return;
    }
    boost::asio::post(socket.get_executor(), [done = std::move(done)] { done(Ok{}); });
}

} // namespace

void asyncConnect(Socket& socket, const Endpoint& endpoint, std::function<void(Status)> done)
{
    if (endpoint.kind() != Endpoint::Kind::NamedPipe) {
        boost::asio::post(socket.get_executor(), [endpoint, done = std::move(done)] {
            done(Error{ErrorKind::Unsupported,
                       endpoint.toString() + " cannot be reached from Windows; use the engine's npipe:// address"});
        });
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    tryOpen(socket, endpoint, now + kBusyWait, now + kGapWait,
            std::make_shared<boost::asio::steady_timer>(socket.get_executor()), std::move(done));
}

bool peerClosed(const boost::system::error_code& ec)
{
    if (ec == boost::asio::error::eof)
        return true;
    return ec.category() == boost::asio::error::get_system_category() &&
           (ec.value() == ERROR_BROKEN_PIPE || ec.value() == ERROR_PIPE_NOT_CONNECTED);
}

void shutdownSend(Socket& socket)
{
    if (!socket.is_open())
        return;
    // A zero-length write, completed before returning: asio skips empty buffers, so WriteFile
    // is called directly. On an overlapped handle it may complete later; wait for it (it is a
    // message header, written at once unless the pipe is broken).
    OVERLAPPED overlapped{};
    overlapped.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    if (!overlapped.hEvent)
        return;
    // The low bit set: the completion is not queued to the io_context's completion port.
    overlapped.hEvent = reinterpret_cast<HANDLE>(reinterpret_cast<ULONG_PTR>(overlapped.hEvent) | 1);
    DWORD written = 0;
    if (!WriteFile(socket.native_handle(), "", 0, &written, &overlapped) && GetLastError() == ERROR_IO_PENDING)
        GetOverlappedResult(socket.native_handle(), &overlapped, &written, TRUE);
    CloseHandle(reinterpret_cast<HANDLE>(reinterpret_cast<ULONG_PTR>(overlapped.hEvent) & ~ULONG_PTR(1)));
}

} // namespace berth::engine::detail
