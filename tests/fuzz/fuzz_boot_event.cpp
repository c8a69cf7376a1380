// The guest's boot-channel lines (vm::BootEvent::parse, format in vm-image/README.md). Whatever
// the guest writes, a parsed event must be one the agent can carry on: a phase name that is a
// word, an uptime that is a finite number, and text that survives the status JSON the agent
// publishes (AgentStatus::toJson, dumped and read back by every client).
#include "Check.h"
#include "berth/vm/AgentStatus.h"
#include "berth/vm/BootChannel.h"

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>

using berth::vm::AgentStatus;
using berth::vm::BootEvent;

namespace {

void checkLine(std::string_view line)
{
    const auto received = std::chrono::steady_clock::time_point(std::chrono::seconds(42));
    const auto event = BootEvent::parse(line, received);
    if (!event)
        return;
    BERTH_FUZZ_CHECK(event->received == received);
    BERTH_FUZZ_CHECK(std::isfinite(event->guestUptime) && event->guestUptime >= 0);
    BERTH_FUZZ_CHECK(event->message.empty() || event->message.front() != ' ');
    if (event->kind == BootEvent::Kind::Phase) {
        BERTH_FUZZ_CHECK(!event->name.empty());
        BERTH_FUZZ_CHECK(event->name.find(' ') == std::string::npos);
    }

    // The agent puts the name, the uptime and the message into its status.
    AgentStatus status;
    status.phase = event->name;
    status.lastError = event->message;
    status.phases.push_back({event->name, 1.5, event->guestUptime});
    const auto text = status.toJson().dump();
    const auto back = AgentStatus::fromJson(nlohmann::json::parse(text));
    BERTH_FUZZ_CHECK(back.ok());
    BERTH_FUZZ_CHECK(back->phase == event->name);
    BERTH_FUZZ_CHECK(back->lastError == event->message);
    BERTH_FUZZ_CHECK(back->phases.size() == 1 && back->phases[0].guestUptime == event->guestUptime);

    // A phase or ready line written back in the guest's format reads as the same event.
    if (event->kind == BootEvent::Kind::Phase || event->kind == BootEvent::Kind::Ready) {
        char uptime[64];
        const auto written = std::to_chars(uptime, uptime + sizeof uptime, event->guestUptime);
        BERTH_FUZZ_CHECK(written.ec == std::errc{});
        const auto again = (event->kind == BootEvent::Kind::Phase ? "phase " + event->name + " " : "ready ") +
                           std::string(uptime, written.ptr);
        const auto reparsed = BootEvent::parse(again, received);
        BERTH_FUZZ_CHECK(reparsed && reparsed->kind == event->kind && reparsed->name == event->name &&
                         reparsed->guestUptime == event->guestUptime);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    // One line per newline, as the host reads the channel.
    std::string_view text(reinterpret_cast<const char*>(data), size);
    while (!text.empty()) {
        const auto newline = text.find('\n');
        checkLine(text.substr(0, newline));
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    }
    return 0;
}
