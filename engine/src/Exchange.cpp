#include "ClientImpl.h"

#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

namespace berth::engine::detail {

namespace {

constexpr std::size_t kErrorBodyLimit = 64 * 1024;

std::string seconds(std::chrono::milliseconds ms)
{
    const auto s = ms.count() / 1000.0;
    char text[32];
    std::snprintf(text, sizeof text, "%g s", s);
    return text;
}

} // namespace

std::string serializeHead(const Request& request, const std::string& versionPrefix,
                          const std::string& userAgent)
{
    std::string head;
    head.reserve(256 + request.target.size());
    head += request.method;
    head += ' ';
    if (request.versioned)
        head += versionPrefix;
    head += request.target;
    head += " HTTP/1.1\r\nHost: docker\r\nUser-Agent: ";
    head += userAgent;
    head += "\r\n";
    for (const auto& [name, value] : request.headers)
        head += name + ": " + value + "\r\n";
    if (request.upgrade)
        head += "Connection: Upgrade\r\nUpgrade: tcp\r\n";
    if (!request.contentType.empty())
        head += "Content-Type: " + request.contentType + "\r\n";
    if (request.bodySource)
        head += "Transfer-Encoding: chunked\r\n";
    else if (!request.body.empty() || request.method == "POST" || request.method == "PUT")
        head += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
    head += "\r\n";
    return head;
}

Error httpError(int status, const std::string& body, const Request& request)
{
    std::string message;
    auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_object() && json.contains("message") && json["message"].is_string())
        message = json["message"].get<std::string>();
    else
        message = body.substr(0, body.find_last_not_of("\r\n ") + 1);
    if (message.empty())
        message = "the engine answered " + request.describe() + " with HTTP " + std::to_string(status);
    return Error{ErrorKind::Http, std::move(message), status};
}

Exchange::Exchange(std::shared_ptr<Client::Impl> client, Request request, Handlers handlers)
    : m_client(client), m_endpoint(client->options.endpoint), m_request(std::move(request)),
      m_handlers(std::move(handlers)), m_decoder(std::make_unique<HttpResponseDecoder>()),
      m_timer(client->io), m_in(64 * 1024)
{}

void Exchange::start(std::unique_ptr<Socket> pooled)
{
    auto client = m_client.lock();
    if (!client)
        return;
    const auto limit = m_request.timeout.value_or(m_request.stream ? client->options.streamHeaderTimeout
                                                                   : client->options.requestTimeout);
    m_timer.expires_after(limit);
    m_timer.async_wait([self = shared_from_this(), limit](const boost::system::error_code& ec) {
        if (ec || self->m_finished)
            return;
        self->fail(Error{ErrorKind::Timeout, "the engine did not answer " + self->m_request.describe() +
                                                 " within " + seconds(limit)});
    });
    if (pooled) {
        m_socket = std::move(pooled);
        m_reused = true;
        write();
    } else {
        connect();
    }
}

void Exchange::connect()
{
    auto client = m_client.lock();
    if (!client)
        return;
    m_socket = std::make_unique<Socket>(client->io);
    asyncConnect(*m_socket, m_endpoint, [self = shared_from_this()](Status status) {
        if (self->m_finished)
            return;
        if (!status) {
            self->fail(status.error());
            return;
        }
        self->write();
    });
}

void Exchange::write()
{
    auto client = m_client.lock();
    if (!client)
        return;
    m_out = serializeHead(m_request, client->version ? client->version->pathPrefix() : std::string(),
                          client->options.userAgent);
    if (!m_request.bodySource)
        m_out += m_request.body;
    boost::asio::async_write(
        *m_socket, boost::asio::buffer(m_out),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
            if (self->m_finished)
                return;
            if (ec) {
                if (!self->retryOnFreshConnection())
                    self->fail(
                        Error{ErrorKind::Unreachable, "the connection to the engine broke while sending " +
                                                          self->m_request.describe() + ": " + ec.message()});
                return;
            }
            if (self->m_request.bodySource)
                self->writeNextChunk();
            else
                self->read();
        });
}

void Exchange::writeNextChunk()
{
    auto piece = m_request.bodySource();
    if (!piece) {
        fail(piece.error());
        return;
    }
    const bool last = piece->empty();
    char size[20];
    std::snprintf(size, sizeof size, "%zx\r\n", piece->size());
    m_out = size;
    m_out += *piece;
    m_out += "\r\n";
    boost::asio::async_write(
        *m_socket, boost::asio::buffer(m_out),
        [self = shared_from_this(), last](const boost::system::error_code& ec, std::size_t) {
            if (self->m_finished)
                return;
            if (ec) {
                self->fail(Error{ErrorKind::Unreachable,
                                 "the connection to the engine broke while uploading: " + ec.message()});
                return;
            }
            if (last)
                self->read();
            else
                self->writeNextChunk();
        });
}

void Exchange::read()
{
    m_socket->async_read_some(boost::asio::buffer(m_in),
                              [self = shared_from_this()](const boost::system::error_code& ec,
                                                          std::size_t n) { self->onRead(ec, n); });
}

Status Exchange::deliverBody(std::string_view data)
{
    if (m_finished)
        return Ok{};
    if (m_decoder->status() >= 400) {
        if (m_errorBody.size() < kErrorBodyLimit)
            m_errorBody.append(data.substr(0, kErrorBodyLimit - m_errorBody.size()));
        return Ok{};
    }
    if (auto status = headerArrived(); !status)
        return status;
    return m_handlers.onBody ? m_handlers.onBody(data) : Status(Ok{});
}

Status Exchange::headerArrived()
{
    if (m_headerSeen)
        return Ok{};
    m_headerSeen = true;
    return m_handlers.onHeader ? m_handlers.onHeader(*m_decoder) : Status(Ok{});
}

void Exchange::onRead(const boost::system::error_code& ec, std::size_t n)
{
    if (m_finished)
        return;
    // The decoder's body callback cannot return an error, so the first one is kept and
    // reported after the feed.
    Status bodyStatus = Ok{};
    const auto onBody = [&](std::string_view data) {
        if (bodyStatus)
            bodyStatus = deliverBody(data);
    };
    if (detail::peerClosed(ec) || ec == boost::asio::error::connection_reset) {
        if (!m_receivedAny && retryOnFreshConnection())
            return;
        auto status = m_decoder->finish(onBody);
        if (status && !bodyStatus)
            status = bodyStatus;
        if (!status && !m_receivedAny)
            status = Error{ErrorKind::Unreachable,
                           "the engine closed the connection without answering " + m_request.describe()};
        if (status)
            complete();
        else
            fail(status.error());
        return;
    }
    if (ec) {
        fail(Error{ErrorKind::Unreachable, "the connection to the engine broke during " +
                                               m_request.describe() + ": " + ec.message()});
        return;
    }
    m_receivedAny = true;
    auto status = m_decoder->feed(std::string_view(m_in.data(), n), onBody);
    if (!status) {
        fail(status.error());
        return;
    }
    if (!bodyStatus) {
        fail(bodyStatus.error());
        return;
    }
    if (m_decoder->headerDone() && m_decoder->status() < 400 && m_decoder->status() != 101)
        if (auto headerStatus = headerArrived(); !headerStatus) {
            fail(headerStatus.error());
            return;
        }
    if (m_decoder->headerDone() && m_request.stream)
        m_timer.cancel(); // a stream may run for as long as it likes once it has begun
    if (m_decoder->done()) {
        complete();
        return;
    }
    read();
}

bool Exchange::retryOnFreshConnection()
{
    if (!m_reused || m_request.bodySource)
        return false;
    spdlog::debug("engine: kept-alive connection was closed by the engine; sending {} again",
                  m_request.describe());
    boost::system::error_code ignored;
    m_socket->close(ignored);
    m_reused = false;
    m_decoder = std::make_unique<HttpResponseDecoder>();
    connect();
    return true;
}

void Exchange::complete()
{
    m_finished = true;
    m_timer.cancel();
    const int code = m_decoder->headerDone() ? m_decoder->status() : 0;
    Status status = Ok{};
    if (code >= 400)
        status = httpError(code, m_errorBody, m_request);
    else if (m_request.upgrade && code != 101)
        status =
            Error{ErrorKind::Malformed, "the engine did not switch protocols for " + m_request.describe() +
                                            " (HTTP " + std::to_string(code) + ")"};
    // Back to the pool before the handler runs, so that a request the handler makes reuses it.
    if (status && !m_request.stream && !m_request.upgrade && m_decoder->keepAlive() && m_socket)
        if (auto client = m_client.lock())
            client->returnToPool(std::move(m_socket));
    auto onEnd = std::move(m_handlers.onEnd);
    if (onEnd)
        onEnd(std::move(status), this);
}

void Exchange::fail(Error error)
{
    if (m_finished)
        return;
    m_finished = true;
    m_timer.cancel();
    if (m_socket) {
        boost::system::error_code ignored;
        m_socket->close(ignored);
    }
    auto onEnd = std::move(m_handlers.onEnd);
    if (onEnd)
        onEnd(std::move(error), this);
}

void Exchange::abort()
{
    if (m_finished)
        return;
    m_finished = true; // handlers stay: abort() may be called from inside one of them
    m_timer.cancel();
    if (m_socket) {
        boost::system::error_code ignored;
        m_socket->close(ignored);
    }
}

} // namespace berth::engine::detail
