#include "berth/engine/detail/Transport.h"

#include <boost/asio/error.hpp>

// The engine's Unix socket (Linux, macOS).
namespace berth::engine::detail {

namespace {

// A connect error as the message a person can act on.
Error connectError(const Endpoint& endpoint, const boost::system::error_code& ec)
{
    namespace errc = boost::system::errc;
    const auto where = endpoint.toString();
    if (ec == errc::no_such_file_or_directory)
        return {ErrorKind::SocketMissing,
                "the engine socket " + where +
                    " does not exist: the engine is not running (start it with `berth start`)"};
    if (ec == errc::connection_refused)
        return {ErrorKind::Unreachable, "nothing is listening on " + where +
                                            ": the socket is left from an engine that is no longer running "
                                            "(start it with `berth start`)"};
    if (ec == errc::permission_denied)
        return {ErrorKind::Unreachable, "permission denied on " + where + ": it belongs to another user"};
    if (ec == boost::asio::error::operation_aborted)
        return {ErrorKind::Cancelled, "connecting to " + where + " was cancelled"};
    return {ErrorKind::Unreachable, "cannot connect to the engine at " + where + ": " + ec.message()};
}

} // namespace

void asyncConnect(Socket& socket, const Endpoint& endpoint, std::function<void(Status)> done)
{
    if (endpoint.kind() != Endpoint::Kind::UnixSocket) {
        boost::asio::post(socket.get_executor(), [endpoint, done = std::move(done)] {
            done(
                Error{ErrorKind::Unsupported, endpoint.toString() + " cannot be reached from this platform"});
        });
        return;
    }
    socket.async_connect(boost::asio::local::stream_protocol::endpoint(endpoint.path()),
                         [endpoint, done = std::move(done)](const boost::system::error_code& ec) {
                             if (ec)
                                 done(connectError(endpoint, ec));
                             else
                                 done(Ok{});
                         });
}

bool peerClosed(const boost::system::error_code& ec)
{
    return ec == boost::asio::error::eof;
}

void shutdownSend(Socket& socket)
{
    boost::system::error_code ignored;
    socket.shutdown(Socket::shutdown_send, ignored);
}

} // namespace berth::engine::detail
