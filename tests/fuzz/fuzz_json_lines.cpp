// engine's JSON-lines splitter (JsonLineDecoder) feeding the models of the streams that use it:
// /events (Event), pull/push/load progress (ProgressMessage) and stats (Stats), and, since a
// one-line answer reads the same way, the models of the request/response calls. Fed whole and
// in pieces it must give the same values and the same verdict; a model either reads a value or
// throws a std::exception (Client reports that as a malformed answer), nothing else.
#include "Check.h"
#include "Pieces.h"
#include "berth/engine/Container.h"
#include "berth/engine/Event.h"
#include "berth/engine/Image.h"
#include "berth/engine/JsonLineDecoder.h"
#include "berth/engine/Network.h"
#include "berth/engine/Progress.h"
#include "berth/engine/Stats.h"
#include "berth/engine/System.h"
#include "berth/engine/Volume.h"

#include <fuzzer/FuzzedDataProvider.h>
#include <optional>
#include <string>
#include <vector>

using namespace berth::engine;
using nlohmann::json;

namespace {

struct Lines
{
    std::vector<json> values;
    std::optional<ErrorKind> error;

    bool operator==(const Lines&) const = default;
};

Lines decode(const std::vector<std::string_view>& pieces, std::size_t lineLimit)
{
    Lines out;
    JsonLineDecoder decoder([&out](json value) { out.values.push_back(std::move(value)); }, lineLimit);
    for (const auto piece : pieces) {
        if (auto status = decoder.feed(piece); !status) {
            out.error = status.error().kind;
            BERTH_FUZZ_CHECK(!status.error().message.empty());
            BERTH_FUZZ_CHECK(!decoder.feed("{}\n"));
            BERTH_FUZZ_CHECK(!decoder.finish());
            return out;
        }
    }
    if (auto status = decoder.finish(); !status)
        out.error = status.error().kind;
    return out;
}

template <typename Read> void readAs(const json& value, Read read)
{
    try {
        const auto model = read(value);
        if constexpr (requires { model.raw; })
            BERTH_FUZZ_CHECK(model.raw == value);
    } catch (const std::exception&) {
        // A value that is not this model: Client ends the stream as malformed.
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    FuzzedDataProvider input(data, size);
    const auto seed = input.ConsumeIntegral<std::uint16_t>();
    // A small limit as well as the real one, so that lines over it are tried too.
    const std::size_t lineLimit = seed & 0x100 ? 64 : JsonLineDecoder::kDefaultLineLimit;
    const auto bytes = input.ConsumeRemainingBytesAsString();
    const auto whole = decode({std::string_view(bytes)}, lineLimit);
    const auto split = decode(berth::fuzz::Pieces(seed).cut(bytes), lineLimit);
    BERTH_FUZZ_CHECK(whole == split);
    for (const auto& value : whole.values) {
        readAs(value, Event::fromJson);
        readAs(value, ProgressMessage::fromJson);
        readAs(value, Stats::fromJson);
        readAs(value, Container::fromSummary);
        readAs(value, Container::fromInspect);
        readAs(value, Image::fromSummary);
        readAs(value, Image::fromInspect);
        readAs(value, ImageHistoryEntry::fromJson);
        readAs(value, Network::fromJson);
        readAs(value, Volume::fromJson);
        readAs(value, SystemVersion::fromJson);
        readAs(value, SystemInfo::fromJson);
        readAs(value, [](const json& v) {
            const auto usage = DiskUsage::fromJson(v);
            BERTH_FUZZ_CHECK(usage.volumesSize() >= 0);
            return usage;
        });
        readAs(value, [](const json& v) { return PruneReport::fromJson(v, "ImagesDeleted"); });
    }
    return 0;
}
