#pragma once

#include "berth/engine/Error.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace berth::engine::detail {

// Sans-I/O reader of one HTTP/1.1 response: raw bytes from the socket go in, in pieces of any
// size; the status and headers come out once, then the body with the transfer coding
// (chunked or not) removed, in pieces of at most 64 KiB. Nothing it holds grows with the body:
// a body is never gathered here. A 101 Switching Protocols answer ends the response at its
// header, and the bytes that followed it belong to the upgraded stream (takeRemainder()).
class HttpResponseDecoder final
{
public:
    using BodySink = std::function<void(std::string_view)>;
    // The largest body piece handed to a BodySink.
    static constexpr std::size_t kMaxBodyPiece = 64 * 1024;
    // The most it holds back between feeds: an incomplete header, chunk-size line or trailer.
    // A peer that sends more without completing one gets an error, not a growing buffer.
    static constexpr std::size_t kMaxBuffered = 64 * 1024;

    HttpResponseDecoder();
    ~HttpResponseDecoder();
    HttpResponseDecoder(const HttpResponseDecoder&) = delete;
    HttpResponseDecoder& operator=(const HttpResponseDecoder&) = delete;

    // Consumes all of `data`. Body pieces go to `onBody` as they are decoded. An error is final:
    // every later feed() and finish() fails too.
    Status feed(std::string_view data, const BodySink& onBody);
    // The peer closed the stream: completes a body delimited by end-of-file, or reports the
    // response as truncated.
    Status finish(const BodySink& onBody);

    bool headerDone() const;
    bool done() const;
    int status() const;
    // A header's value, or empty.
    std::string header(std::string_view name) const;
    // The connection may carry another request after this response.
    bool keepAlive() const;
    // Bytes received after the end of the response (an upgraded stream's first bytes).
    std::string takeRemainder();
    // Bytes held back until more arrive; at most kMaxBuffered.
    std::size_t buffered() const { return m_pending.size(); }

private:
    Status consume(std::string_view data, std::size_t& used, const BodySink& onBody);

    struct Parser;
    std::unique_ptr<Parser> m_parser;
    std::string m_pending; // an incomplete header or chunk-size line, kept until more arrives
    std::string m_remainder;
    bool m_failed = false;
};

} // namespace berth::engine::detail
