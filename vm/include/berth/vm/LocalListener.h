#pragma once

#include "berth/engine/detail/Transport.h"
#include "berth/vm/LocalEndpoint.h"
#include "berth/vm/Result.h"

#include <filesystem>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>

namespace berth::vm {

// Where local clients (the docker CLI, the `berth` CLI, the desktop app) reach this user's Berth:
// the engine's socket and the agent's control socket (vm/src/platform/…/LocalListener.cpp).
//
//   Linux, macOS  a Unix socket at `where`, mode 0600 from the moment it exists. A stale socket
//                 file (left by a process that died) is replaced; any other kind of file there
//                 is an error, left untouched.
//   Windows       a named pipe `where` (\\.\pipe\NAME), message mode as dockerd's is, local
//                 clients only, open to this user alone. It fails when another program already
//                 serves that name (pipe names are one namespace for the whole machine, so another
//                 user's program could take it first); Berth's own clients (LocalConnection) talk
//                 only to a server that runs as their user. A new instance of the pipe is made as
//                 each client connects, so the next finds one waiting.
//
// Accepted connections are engine::detail::Socket (a Unix socket or an overlapped pipe handle),
// so the engine's shutdownSend() and peerClosed() apply to them.
class LocalListener
{
public:
    using Stream = engine::detail::Socket;

    explicit LocalListener(boost::asio::io_context& io);
    ~LocalListener(); // closes
    LocalListener(const LocalListener&) = delete;
    LocalListener& operator=(const LocalListener&) = delete;

    // `backlog`: clients that may wait to be accepted (a Unix socket's listen queue; a pipe
    // keeps two instances waiting).
    Status listen(const std::filesystem::path& where, int backlog);
    // The next client, in `stream` (which must outlive the call); `done` runs on the io_context,
    // with operation_aborted once close() was called.
    void asyncAccept(Stream& stream, std::function<void(boost::system::error_code)> done);
    void close();
    bool isOpen() const;

    // Whether a read's error only says that the client's message is longer than the buffer
    // (ERROR_MORE_DATA, on a pipe that reads in messages): the bytes read are good, and the rest
    // of the message follows on the next read. Never on a Unix socket.
    static bool partialRead(const boost::system::error_code& ec);

private:
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

} // namespace berth::vm
