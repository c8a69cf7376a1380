// The user's daemon.json as the agent checks it before handing it to the guest
// (vm::checkDaemonConfigText). What passes must be the same document, compacted (the guest
// gets this text, not the file), must pass again unchanged, and must hold none of the entries
// Berth decides itself. dockerd refuses keys it does not know exactly (other spellings, for
// instance), so the exact names are the ones that matter.
#include "Check.h"
#include "berth/vm/Instance.h"

#include <string>

#include <nlohmann/json.hpp>

using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto checked = berth::vm::checkDaemonConfigText(text, "daemon.json");
    if (!checked) {
        BERTH_FUZZ_CHECK(checked.error().message.starts_with("daemon.json"));
        return 0;
    }
    const auto original = json::parse(text, nullptr, false);
    BERTH_FUZZ_CHECK(original.is_object());
    BERTH_FUZZ_CHECK(json::parse(*checked) == original);
    const auto again = berth::vm::checkDaemonConfigText(*checked, "daemon.json");
    BERTH_FUZZ_CHECK(again.ok() && *again == *checked);
    for (const auto* reserved : {"hosts", "tls", "tlsverify", "data-root", "exec-root", "graph"})
        BERTH_FUZZ_CHECK(!original.contains(reserved));
    return 0;
}
