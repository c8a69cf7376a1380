#pragma once

// Client's internals: the connection pool, version negotiation and one HTTP exchange.

#include "berth/engine/Client.h"
#include "berth/engine/detail/HttpResponseDecoder.h"
#include "berth/engine/detail/Transport.h"

#include <deque>
#include <vector>

#include <boost/asio/steady_timer.hpp>

namespace berth::engine::detail {

struct Request
{
    std::string method = "GET";
    std::string target; // path and query, without the version prefix
    std::string body;
    std::string contentType;
    std::vector<std::pair<std::string, std::string>> headers;
    bool versioned = true;
    bool stream = false;   // a connection of its own, no limit on the whole exchange
    bool upgrade = false;  // asks the engine to hijack the connection (exec, attach)
    BodySource bodySource; // a chunked upload instead of `body`
    std::optional<std::chrono::milliseconds> timeout;

    std::string describe() const { return method + " " + target; }
};

class Exchange;

// Called at the end of an exchange: Ok when the answer (2xx/3xx, or 101) completed, else why
// not. An HTTP error status arrives here as ErrorKind::Http with the daemon's message.
using ExchangeEnd = std::function<void(Status, Exchange*)>; // null when no exchange began

// One request and its answer on one connection. Holds itself alive through its pending I/O.
class Exchange final : public std::enable_shared_from_this<Exchange>
{
public:
    struct Handlers
    {
        std::function<Status(const HttpResponseDecoder&)> onHeader; // a success status arrived
        std::function<Status(std::string_view)> onBody;             // body bytes, de-chunked
        ExchangeEnd onEnd;
    };

    Exchange(std::shared_ptr<Client::Impl> client, Request request, Handlers handlers);

    // `pooled` is a kept-alive connection to reuse, or null to connect a new one.
    void start(std::unique_ptr<Socket> pooled);
    // Stops at once without calling any handler; closes the connection.
    void abort();

    const HttpResponseDecoder& decoder() const { return *m_decoder; }
    // For an upgraded exchange: the connection and the bytes read past the answer's header.
    std::unique_ptr<Socket> takeSocket() { return std::move(m_socket); }
    std::string takeRemainder() { return m_decoder->takeRemainder(); }

private:
    void connect();
    void write();
    void writeNextChunk();
    void read();
    void onRead(const boost::system::error_code& ec, std::size_t n);
    void complete();
    void fail(Error error);
    bool retryOnFreshConnection();
    Status deliverBody(std::string_view data);
    // Passes a success header to onHeader, once.
    Status headerArrived();

    std::weak_ptr<Client::Impl> m_client;
    Endpoint m_endpoint;
    Request m_request;
    Handlers m_handlers;
    std::unique_ptr<Socket> m_socket;
    std::unique_ptr<HttpResponseDecoder> m_decoder;
    boost::asio::steady_timer m_timer;
    std::string m_out;
    std::vector<char> m_in;
    std::string m_errorBody; // the body of an HTTP error answer, bounded
    bool m_reused = false;
    bool m_receivedAny = false;
    bool m_headerSeen = false;
    bool m_finished = false;
};

std::string serializeHead(const Request& request, const std::string& versionPrefix,
                          const std::string& userAgent);
// The daemon's message from an error body ({"message": "…"}), or the body's text.
Error httpError(int status, const std::string& body, const Request& request);

} // namespace berth::engine::detail

namespace berth::engine {

struct Client::Impl final : std::enable_shared_from_this<Client::Impl>
{
    Impl(boost::asio::io_context& context, Options opts) : io(context), options(std::move(opts)) {}

    boost::asio::io_context& io;
    Options options;
    std::optional<ApiVersion> version;
    bool negotiating = false;
    std::vector<std::function<void(Status)>> versionWaiters;
    std::deque<std::unique_ptr<detail::Socket>> idle;
    std::vector<std::weak_ptr<detail::OperationState>> operations;
    std::weak_ptr<detail::Exchange> pingExchange;

    std::shared_ptr<detail::OperationState> newOperation();
    // Runs `next` once the API version is known (negotiating it first if needed).
    void withVersion(std::function<void(Status)> next);
    // Starts an exchange for `state`; `handlers.onEnd` runs unless the operation was cancelled.
    void send(detail::Request request, const std::shared_ptr<detail::OperationState>& state,
              detail::Exchange::Handlers handlers);
    // A request/response call whose body is gathered (up to maxResponseBytes).
    void call(detail::Request request, const std::shared_ptr<detail::OperationState>& state,
              std::function<void(Result<std::string>)> done);
    // A kept-alive connection to reuse, or null when none is idle.
    std::unique_ptr<detail::Socket> takeIdle();
    void returnToPool(std::unique_ptr<detail::Socket> socket);
    void cancelAll();
};

} // namespace berth::engine
