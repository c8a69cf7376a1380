// An instance's settings.json (vm::Settings::parse and validate). Whatever the file says, what
// parse() accepts must pass validate() (its stated invariant) and read back the same from its
// own toJson(); what it refuses gets a message naming the file.
#include "Check.h"
#include "berth/vm/Settings.h"

#include <string>

using berth::vm::Settings;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto parsed = Settings::parse(text, "settings.json");
    if (!parsed) {
        BERTH_FUZZ_CHECK(parsed.error().message.starts_with("settings.json"));
        return 0;
    }
    BERTH_FUZZ_CHECK(parsed->validate().ok());
    for (const auto& share : parsed->shares) {
        BERTH_FUZZ_CHECK(Settings::plainPath(share.path) == share.path);
        BERTH_FUZZ_CHECK(parsed->shareHolding(share.path) == &share);
    }
    const auto again = Settings::parse(parsed->toJson(), "settings.json");
    BERTH_FUZZ_CHECK(again.ok());
    BERTH_FUZZ_CHECK(*again == *parsed);
    return 0;
}
