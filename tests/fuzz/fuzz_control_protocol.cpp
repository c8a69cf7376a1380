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
