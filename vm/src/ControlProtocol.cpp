#include "berth/vm/ControlProtocol.h"

namespace berth::vm::control {

using json = nlohmann::json;

json encode(Request request)
{
    switch (request) {
    case Request::Status:
        return {{"request", "status"}};
    case Request::Watch:
        return {{"request", "watch"}};
    case Request::Stop:
        return {{"request", "stop"}};
    case Request::Disk:
        return {{"request", "disk"}};
    }
    return {{"request", "status"}};
}

Result<Request> parseRequest(const json& message)
{
    if (!message.is_object() || !message.contains("request") || !message["request"].is_string())
        return Error{"a request must be a JSON object with a string field 'request'"};
    const auto name = message["request"].get<std::string>();
    if (name == "status")
        return Request::Status;
    if (name == "watch")
        return Request::Watch;
    if (name == "stop")
        return Request::Stop;
    if (name == "disk")
        return Request::Disk;
    return Error{"unknown request '" + name + "'; known: status, watch, stop, disk"};
}

json statusMessage(const AgentStatus& status, bool event)
{
    return {{"type", event ? "event" : "status"}, {"status", status.toJson()}};
}

json acceptedMessage(const std::string& message)
{
    return {{"type", "accepted"}, {"message", message}};
}

json errorMessage(const std::string& message)
{
    return {{"type", "error"}, {"message", message}};
}

json diskMessage(const DiskUsage& disk)
{
    return {{"type", "disk"}, {"used_bytes", disk.usedBytes}, {"size_bytes", disk.sizeBytes}};
}

Result<Message> parseMessage(const json& message)
{
    if (!message.is_object() || !message.contains("type") || !message["type"].is_string())
        return Error{"a message must be a JSON object with a string field 'type'"};
    const auto type = message["type"].get<std::string>();
    Message m;
    if (type == "status" || type == "event") {
        m.type = type == "status" ? Message::Type::Status : Message::Type::Event;
        if (!message.contains("status"))
            return Error{"a " + type + " message needs a 'status'"};
        auto status = AgentStatus::fromJson(message["status"]);
        if (!status)
            return status.error();
        m.status = std::move(status).value();
        return m;
    }
    if (type == "accepted" || type == "error") {
        m.type = type == "accepted" ? Message::Type::Accepted : Message::Type::Error;
        if (!message.contains("message") || !message["message"].is_string())
            return Error{"an " + type + " message needs a string 'message'"};
        m.message = message["message"].get<std::string>();
        return m;
    }
    if (type == "disk") {
        m.type = Message::Type::Disk;
        for (const auto& [field, value] : {std::pair{"used_bytes", &m.disk.usedBytes}, std::pair{"size_bytes", &m.disk.sizeBytes}}) {
            if (!message.contains(field) || !message[field].is_number_unsigned())
                return Error{std::string("a disk message needs a whole number '") + field + "'"};
            *value = message[field].get<std::uint64_t>();
        }
        return m;
    }
    return Error{"unknown message type '" + type + "'"};
}

} // namespace berth::vm::control
