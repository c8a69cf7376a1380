#pragma once

#include "berth/engine/detail/Transport.h"
#include "berth/vm/Result.h"

#include <filesystem>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>

namespace berth::vm::detail {

// Where one of QEMU's character devices (the boot channel, the serial console, the agent's QMP)
// meets the agent, which is its one peer (posix/ChardevEndpoint.cpp, windows/ChardevEndpoint.cpp):
//
//   Linux, macOS  the agent listens on a Unix socket `where` (mode 0600; a stale socket file is
//                 replaced) and QEMU connects to it as a client (`-chardev socket,path=…`), so
//                 there is no race with QEMU creating a socket.
//   Windows       QEMU's `-chardev pipe` creates the named pipe `where` (\\.\pipe\NAME, one
//                 instance) and does not go on starting until a client opens it; the agent opens
//                 it, trying every 20 ms until it exists, and only when a program of this user
//                 serves it (pipe names are one namespace for the whole machine).
//
// Single-threaded: use it on the io_context's thread.
class ChardevEndpoint final
{
public:
    using Stream = engine::detail::Socket;

    explicit ChardevEndpoint(boost::asio::io_context& io);
    ~ChardevEndpoint(); // close()
    ChardevEndpoint(const ChardevEndpoint&) = delete;
    ChardevEndpoint& operator=(const ChardevEndpoint&) = delete;

    // Readies `where`: listens there (POSIX), or only notes the pipe's name (Windows).
    Status open(const std::filesystem::path& where);
    // Connects `stream` (which must live until `done` has run: let `done` hold its owner) to QEMU: accepts it
    // (POSIX), or opens its pipe once it exists (Windows). `done` runs once, on the io_context's thread; with
    // an error when it fails or close() came first.
    void asyncConnect(Stream& stream, std::function<void(Status)> done);
    // Stops listening or trying, and removes the socket file (POSIX). The stream stays open.
    void close();

private:
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

} // namespace berth::vm::detail
