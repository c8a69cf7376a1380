// engine's stdout/stderr frame decoder (MultiplexDecoder): any bytes, fed whole and in pieces,
// must give the same output per stream, pass on no piece larger than what was fed, and never
// more bytes than came in.
#include "Check.h"
#include "Pieces.h"
#include "berth/engine/MultiplexDecoder.h"

#include <fuzzer/FuzzedDataProvider.h>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace berth::engine;

namespace {

struct Output
{
    // Adjacent pieces of one stream joined: how they were cut is the only thing allowed to differ.
    std::vector<std::pair<StreamKind, std::string>> runs;
    std::optional<ErrorKind> error;
    bool finishedCleanly = false;

    bool operator==(const Output&) const = default;
};

Output decode(const std::vector<std::string_view>& pieces, std::size_t inputSize)
{
    Output out;
    std::size_t fed = 0;
    std::size_t passedOn = 0;
    std::size_t pieceSize = 0;
    MultiplexDecoder decoder([&](StreamKind kind, std::string_view data) {
        BERTH_FUZZ_CHECK(kind == StreamKind::Stdin || kind == StreamKind::Stdout || kind == StreamKind::Stderr);
        BERTH_FUZZ_CHECK(!data.empty());
        BERTH_FUZZ_CHECK(data.size() <= pieceSize);
        passedOn += data.size();
        if (!out.runs.empty() && out.runs.back().first == kind)
            out.runs.back().second.append(data);
        else
            out.runs.emplace_back(kind, std::string(data));
    });
    for (const auto piece : pieces) {
        pieceSize = piece.size();
        fed += piece.size();
        auto status = decoder.feed(piece);
        // Payload only: each frame's 8-byte header is dropped.
        BERTH_FUZZ_CHECK(passedOn <= fed);
        if (!status) {
            out.error = status.error().kind;
            BERTH_FUZZ_CHECK(!decoder.feed(std::string_view("\1\0\0\0\0\0\0\1x", 9)));
            BERTH_FUZZ_CHECK(!decoder.finish());
            break;
        }
    }
    if (!out.error)
        out.finishedCleanly = decoder.finish().ok();
    BERTH_FUZZ_CHECK(passedOn <= inputSize);
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    berth::fuzz::checkWholeEqualsSplit(data, size, decode);
    return 0;
}
