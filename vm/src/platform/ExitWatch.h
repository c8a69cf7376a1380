#pragma once

#include "berth/vm/Process.h"

#include <boost/asio/io_context.hpp>
#ifdef _WIN32
#include <boost/asio/windows/object_handle.hpp>
#else
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#endif

namespace berth::vm::detail {

// Waits on an io_context, without polling, for a child process to exit
// (Process::openExitHandle()): a Linux pidfd that becomes readable, or a Windows process handle
// that becomes signalled. Single-threaded, like the io_context's other objects.
class ExitWatch final
{
public:
    explicit ExitWatch(boost::asio::io_context& io) : m_watch(io) {}

    // Starts watching `process`; false where the system gives no way (then poll it on a timer).
    bool open(const Process& process)
    {
        const auto handle = process.openExitHandle();
        if (handle == -1)
            return false;
        boost::system::error_code ec;
#ifdef _WIN32
        m_watch.assign(reinterpret_cast<void*>(handle), ec);
        if (ec)
            ::CloseHandle(reinterpret_cast<void*>(handle));
#else
        m_watch.assign(static_cast<int>(handle), ec);
        if (ec)
            ::close(static_cast<int>(handle));
#endif
        return !ec;
    }
    bool isOpen() const
    {
        return m_watch.is_open();
    }
    // `done(ec)` once the process has exited (or at a spurious wake-up: ask the process), or
    // with operation_aborted after close().
    template <typename Handler> void asyncWait(Handler&& done)
    {
#ifdef _WIN32
        m_watch.async_wait(std::forward<Handler>(done));
#else
        m_watch.async_wait(boost::asio::posix::stream_descriptor::wait_read, std::forward<Handler>(done));
#endif
    }
    void close()
    {
        boost::system::error_code ignored;
        m_watch.close(ignored);
    }

private:
#ifdef _WIN32
    boost::asio::windows::object_handle m_watch;
#else
    boost::asio::posix::stream_descriptor m_watch;
#endif
};

} // namespace berth::vm::detail
