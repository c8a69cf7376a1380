#pragma once

#include "berth/engine/Endpoint.h"

#include <functional>

#include <boost/asio/io_context.hpp>
#ifdef _WIN32
#include <boost/asio/windows/stream_handle.hpp>
#else
#include <boost/asio/local/stream_protocol.hpp>
#endif

namespace berth::engine::detail {

// The byte stream to the engine: a Unix socket (src/transport/UnixSocketTransport.cpp), or on
// Windows a named pipe opened for overlapped I/O (src/transport/NamedPipeTransport.cpp). Chosen
// at compile time, so that every read and write stays a direct call.
#ifdef _WIN32
using Socket = boost::asio::windows::stream_handle;
#else
using Socket = boost::asio::local::stream_protocol::socket;
#endif

// Connects `socket` to `endpoint` and calls `done` once on the socket's executor, with an error
// that says which of SocketMissing / Unreachable it was.
void asyncConnect(Socket& socket, const Endpoint& endpoint, std::function<void(Status)> done);

// Whether a read's error means the engine closed its end cleanly: end-of-file on a socket; on a
// pipe, Windows reports the same as "broken" or "not connected".
bool peerClosed(const boost::system::error_code& ec);

// Ends what this side sends: the peer reads end-of-file, and reading from it still works. On a
// named pipe, which has no half-close, this is a zero-length message, which the Docker engine's
// pipe (message mode) reads as the end of input.
void shutdownSend(Socket& socket);

} // namespace berth::engine::detail
