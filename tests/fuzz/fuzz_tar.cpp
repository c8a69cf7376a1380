// engine's tar stream reader (TarReader), which reads what GET /containers/{id}/archive sends:
// any bytes, fed whole and in pieces, must give the same members and data, never pass on more
// data than came in, and no member data larger than its header claimed.
#include "Check.h"
#include "Pieces.h"
#include "berth/engine/TarReader.h"

#include <fuzzer/FuzzedDataProvider.h>
#include <optional>
#include <string>
#include <vector>

using namespace berth::engine;

namespace {

struct Member
{
    std::string path;
    int type;
    std::uint64_t size;
    std::string linkTarget;
    std::string data;
    bool operator==(const Member&) const = default;
};

struct Output
{
    std::vector<Member> members;
    std::optional<ErrorKind> error;
    bool finishedCleanly = false;
    bool operator==(const Output&) const = default;
};

Output read(const std::vector<std::string_view>& pieces, std::size_t inputSize)
{
    Output out;
    std::size_t passedOn = 0;
    TarReader reader(
        [&](const TarEntry& e) {
            BERTH_FUZZ_CHECK(!e.path.empty());
            BERTH_FUZZ_CHECK(e.path.front() != '/' && e.path.back() != '/');
            out.members.push_back({e.path, static_cast<int>(e.type), e.size, e.linkTarget, {}});
        },
        [&](const TarEntry& e, std::string_view data) {
            BERTH_FUZZ_CHECK(!out.members.empty() && out.members.back().path == e.path);
            BERTH_FUZZ_CHECK(static_cast<int>(e.type) == static_cast<int>(TarEntry::Type::File) ||
                             static_cast<int>(e.type) == static_cast<int>(TarEntry::Type::Other));
            passedOn += data.size();
            out.members.back().data.append(data);
            BERTH_FUZZ_CHECK(out.members.back().data.size() <= e.size);
        });
    for (const auto piece : pieces) {
        auto status = reader.feed(piece);
        if (!status) {
            out.error = status.error().kind;
            BERTH_FUZZ_CHECK(!reader.feed("x"));
            BERTH_FUZZ_CHECK(!reader.finish());
            break;
        }
    }
    if (!out.error)
        out.finishedCleanly = reader.finish().ok();
    BERTH_FUZZ_CHECK(passedOn <= inputSize);
    BERTH_FUZZ_CHECK(reader.entries() == out.members.size());
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    berth::fuzz::checkWholeEqualsSplit(data, size, read);
    return 0;
}
