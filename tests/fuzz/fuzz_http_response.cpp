// engine's HTTP/1.1 response reader (detail::HttpResponseDecoder): any bytes, fed whole and in
// pieces, must give the same answer, never a body larger than what came in, and never hold
// more than a header's worth of bytes back.
#include "Check.h"
#include "Pieces.h"
#include "berth/engine/detail/HttpResponseDecoder.h"

#include <fuzzer/FuzzedDataProvider.h>
#include <optional>
#include <string>

using berth::engine::ErrorKind;
using berth::engine::detail::HttpResponseDecoder;

namespace {

struct Answer
{
    std::optional<ErrorKind> error;
    bool headerDone = false;
    bool done = false;
    bool keepAlive = false;
    int status = 0;
    std::string contentType;
    std::string transferEncoding;
    std::string body;
    std::string remainder;

    bool operator==(const Answer&) const = default;
};

Answer decode(const std::vector<std::string_view>& pieces, std::size_t inputSize)
{
    Answer out;
    HttpResponseDecoder decoder;
    const auto sink = [&out](std::string_view data) {
        BERTH_FUZZ_CHECK(!data.empty());
        BERTH_FUZZ_CHECK(data.size() <= HttpResponseDecoder::kMaxBodyPiece);
        out.body.append(data);
    };
    for (const auto piece : pieces) {
        auto status = decoder.feed(piece, sink);
        BERTH_FUZZ_CHECK(decoder.buffered() <= HttpResponseDecoder::kMaxBuffered);
        if (!status) {
            out.error = status.error().kind;
            BERTH_FUZZ_CHECK(!status.error().message.empty());
            // An error is final.
            BERTH_FUZZ_CHECK(!decoder.feed("HTTP/1.1 200 OK\r\n\r\n", sink));
            BERTH_FUZZ_CHECK(!decoder.finish(sink));
            out.body.clear();
            return out;
        }
    }
    if (!(decoder.done() && decoder.status() == 101)) {
        if (auto status = decoder.finish(sink); !status) {
            out.error = status.error().kind;
            out.body.clear();
            return out;
        }
        BERTH_FUZZ_CHECK(decoder.done());
    }
    BERTH_FUZZ_CHECK(decoder.headerDone());
    // De-chunking only removes bytes.
    BERTH_FUZZ_CHECK(out.body.size() <= inputSize);
    out.headerDone = true;
    out.done = decoder.done();
    out.keepAlive = decoder.keepAlive();
    out.status = decoder.status();
    out.contentType = decoder.header("Content-Type");
    out.transferEncoding = decoder.header("Transfer-Encoding");
    out.remainder = decoder.takeRemainder();
    BERTH_FUZZ_CHECK(out.body.size() + out.remainder.size() <= inputSize);
    BERTH_FUZZ_CHECK(decoder.takeRemainder().empty());
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    berth::fuzz::checkWholeEqualsSplit(data, size, decode);
    return 0;
}
