// The agent's control protocol (vm/ControlProtocol.h): lines a client or an agent could send,
// read as the other side reads them (one JSON object per line, then parseRequest on the
// agent's side, parseMessage with AgentStatus::fromJson on the client's). What parses must
// survive being written back and read again unchanged.
#include "Check.h"
#include "berth/vm/ControlProtocol.h"

#include <string_view>

using namespace berth::vm;
using nlohmann::json;

namespace {

// A known finding, reported and not yet fixed (AgentStatus.cpp is part of another change in
// progress): an int field of a status given as a floating-point number outside int's range is
// undefined behaviour in nlohmann's conversion (reproducer: corpus/fuzz_control_protocol/
// finding-float-pid). Such messages are left out here so that the rest keeps being fuzzed;
// delete this once AgentStatus::fromJson refuses them.
bool holdsFloatOutsideInt(const json& message)
{
    const auto outside = [](const json& object, const char* key) {
        if (!object.is_object() || !object.contains(key) || !object[key].is_number_float())
            return false;
        const double value = object[key].get<double>();
        return !(value > -2147483649.0 && value < 2147483648.0);
    };
    if (!message.contains("status") || !message["status"].is_object())
        return false;
    const auto& status = message["status"];
    for (const auto* key : {"pid", "vm_pid", "cpus", "memory_mib", "disk_gib", "ssh_port"})
        if (outside(status, key))
            return true;
    if (status.contains("ports") && status["ports"].is_array())
        for (const auto& port : status["ports"])
            if (outside(port, "host_port") || outside(port, "container_port"))
                return true;
    return false;
}

json reencode(const control::Message& message)
{
    switch (message.type) {
    case control::Message::Type::Status:
        return control::statusMessage(message.status, false);
    case control::Message::Type::Event:
        return control::statusMessage(message.status, true);
    case control::Message::Type::Accepted:
        return control::acceptedMessage(message.message);
    case control::Message::Type::Error:
        return control::errorMessage(message.message);
    }
    return {};
}

void checkLine(std::string_view line)
{
    // As JsonLineConnection::read and the agent take a line.
    const auto value = json::parse(line, nullptr, false);
    if (value.is_discarded() || !value.is_object())
        return;

    if (const auto request = control::parseRequest(value)) {
        const auto again = control::parseRequest(json::parse(control::encode(*request).dump()));
        BERTH_FUZZ_CHECK(again.ok() && *again == *request);
    } else {
        BERTH_FUZZ_CHECK(!request.error().message.empty());
    }

    if (holdsFloatOutsideInt(value))
        return;
    const auto message = control::parseMessage(value);
    if (!message) {
        BERTH_FUZZ_CHECK(!message.error().message.empty());
        return;
    }
    // What the agent would write for it, as the client reads it back.
    const auto text = reencode(*message).dump();
    const auto again = control::parseMessage(json::parse(text));
    BERTH_FUZZ_CHECK(again.ok());
    BERTH_FUZZ_CHECK(again->type == message->type);
    BERTH_FUZZ_CHECK(again->message == message->message);
    BERTH_FUZZ_CHECK(again->status.toJson() == message->status.toJson());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    while (!text.empty()) {
        const auto newline = text.find('\n');
        checkLine(text.substr(0, newline));
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    }
    return 0;
}
