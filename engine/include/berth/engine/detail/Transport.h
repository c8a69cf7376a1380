#pragma once

#include "berth/engine/Endpoint.h"

#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

namespace berth::engine::detail {

// The byte stream to the engine. Unix sockets here; a Windows build defines Socket as
// boost::asio::windows::stream_handle and implements asyncConnect and shutdownSend for pipes.
using Socket = boost::asio::local::stream_protocol::socket;

// Connects `socket` to `endpoint` and calls `done` once on the socket's executor, with an error
// that says which of SocketMissing / Unreachable it was.
void asyncConnect(Socket& socket, const Endpoint& endpoint, std::function<void(Status)> done);

// Half-closes the stream: the peer reads end-of-file, and reading from it still works.
void shutdownSend(Socket& socket);

// Turns a connect error into the message a person can act on.
Error connectError(const Endpoint& endpoint, const boost::system::error_code& ec);

} // namespace berth::engine::detail
