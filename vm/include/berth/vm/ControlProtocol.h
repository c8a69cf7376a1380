#pragma once

#include "berth/vm/AgentStatus.h"
#include "berth/vm/Result.h"

#include <string>

#include <nlohmann/json.hpp>

// The agent's control API: a Unix socket (sock/control.sock, 0600) carrying one JSON object
// per line, at most 1 MiB each.
//
//   client → agent   {"request":"status"}  one status reply
//                    {"request":"watch"}   the current status as an event, then one event
//                                          per change until the agent exits
//                    {"request":"stop"}    an "accepted" reply; the stop shows in events
//   agent → client   {"type":"status","status":{…}}    reply to "status"
//                    {"type":"event","status":{…}}     a change (after "watch")
//                    {"type":"accepted","message":"…"} reply to "stop"
//                    {"type":"error","message":"…"}    a request the agent could not take
//
// The agent closes every connection when it exits, after its last event.
namespace berth::vm::control {

enum class Request
{
    Status,
    Watch,
    Stop,
};

nlohmann::json encode(Request request);
// Errors name what is wrong with the message ("unknown request 'x'; known: status, watch, stop").
Result<Request> parseRequest(const nlohmann::json& message);

struct Message
{
    enum class Type
    {
        Status,
        Event,
        Accepted,
        Error,
    };
    Type type = Type::Status;
    AgentStatus status; // for Status and Event
    std::string message; // for Accepted and Error
};

nlohmann::json statusMessage(const AgentStatus& status, bool event);
nlohmann::json acceptedMessage(const std::string& message);
nlohmann::json errorMessage(const std::string& message);
Result<Message> parseMessage(const nlohmann::json& message);

} // namespace berth::vm::control
