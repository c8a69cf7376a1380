#include "berth/engine/detail/HttpResponseDecoder.h"

#include <array>
#include <limits>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>

namespace berth::engine::detail {

namespace http = boost::beast::http;

struct HttpResponseDecoder::Parser
{
    http::response_parser<http::buffer_body> parser;
    std::array<char, kMaxBodyPiece> scratch;
};

HttpResponseDecoder::HttpResponseDecoder() : m_parser(std::make_unique<Parser>())
{
    auto& parser = m_parser->parser;
    // Bodies stream through; callers bound what they keep. (Not boost::none: Boost 1.74 compares
    // a Content-Length with the optional limit so that "no limit" refuses every such body.)
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser.header_limit(kMaxBuffered);
    parser.eager(true);
}

HttpResponseDecoder::~HttpResponseDecoder() = default;

Status HttpResponseDecoder::consume(std::string_view input, std::size_t& used, const BodySink& onBody)
{
    auto& parser = m_parser->parser;
    auto& scratch = m_parser->scratch;
    while (used < input.size() && !parser.is_done()) {
        parser.get().body().data = scratch.data();
        parser.get().body().size = scratch.size();
        boost::system::error_code ec;
        const auto n = parser.put(boost::asio::buffer(input.data() + used, input.size() - used), ec);
        used += n;
        const auto produced = scratch.size() - parser.get().body().size;
        if (produced > 0)
            onBody(std::string_view(scratch.data(), produced));
        if (ec == http::error::need_buffer)
            continue;
        if (ec == http::error::need_more)
            break;
        if (ec)
            return Error{ErrorKind::Malformed,
                         "the engine's answer is not valid HTTP (" + ec.message() + ")"};
        if (n == 0 && produced == 0)
            break;
    }
    return Ok{};
}

Status HttpResponseDecoder::feed(std::string_view data, const BodySink& onBody)
{
    if (m_failed)
        return Error{ErrorKind::Malformed, "the engine's answer already failed to decode"};
    if (done()) {
        m_remainder.append(data);
        return Ok{};
    }
    std::string joined;
    std::string_view input = data;
    if (!m_pending.empty()) {
        m_pending.append(data);
        joined.swap(m_pending);
        input = joined;
    }
    std::size_t used = 0;
    auto status = consume(input, used, onBody);
    if (!status) {
        m_failed = true;
        return status;
    }
    if (done()) {
        m_remainder.append(input.substr(used));
        return Ok{};
    }
    // The header parser stops at its own limit, but a chunk-size line or a trailer has none in
    // Beast: without this bound a peer could make it hold any amount.
    if (input.size() - used > kMaxBuffered) {
        m_failed = true;
        return Error{ErrorKind::Malformed, "the engine's answer has a header, chunk-size line or trailer "
                                           "longer than " +
                                               std::to_string(kMaxBuffered / 1024) + " KiB"};
    }
    m_pending.assign(input.substr(used));
    return Ok{};
}

Status HttpResponseDecoder::finish(const BodySink& onBody)
{
    auto& parser = m_parser->parser;
    if (m_failed)
        return Error{ErrorKind::Malformed, "the engine's answer already failed to decode"};
    if (parser.is_done())
        return Ok{};
    if (!parser.is_header_done()) {
        m_failed = true;
        return Error{ErrorKind::Malformed, m_pending.empty()
                                               ? "the engine closed the connection without answering"
                                               : "the engine's answer ended inside its header"};
    }
    parser.get().body().data = m_parser->scratch.data();
    parser.get().body().size = m_parser->scratch.size();
    boost::system::error_code ec;
    parser.put_eof(ec);
    const auto produced = m_parser->scratch.size() - parser.get().body().size;
    if (produced > 0)
        onBody(std::string_view(m_parser->scratch.data(), produced));
    if (ec || !parser.is_done()) {
        m_failed = true;
        return Error{ErrorKind::Malformed,
                     "the engine's answer was cut short: the connection closed inside its body"};
    }
    return Ok{};
}

bool HttpResponseDecoder::headerDone() const
{
    return m_parser->parser.is_header_done();
}

bool HttpResponseDecoder::done() const
{
    return m_parser->parser.is_done();
}

int HttpResponseDecoder::status() const
{
    return static_cast<int>(m_parser->parser.get().result_int());
}

std::string HttpResponseDecoder::header(std::string_view name) const
{
    const auto& fields = m_parser->parser.get();
    const auto it = fields.find(boost::beast::string_view(name.data(), name.size()));
    return it == fields.end() ? std::string() : std::string(it->value());
}

bool HttpResponseDecoder::keepAlive() const
{
    return done() && !m_parser->parser.upgrade() && m_parser->parser.get().keep_alive() &&
           m_remainder.empty();
}

std::string HttpResponseDecoder::takeRemainder()
{
    return std::exchange(m_remainder, {});
}

} // namespace berth::engine::detail
