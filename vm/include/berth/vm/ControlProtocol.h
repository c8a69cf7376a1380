#pragma once

#include "berth/vm/AgentStatus.h"
#include "berth/vm/Result.h"

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

// The agent's control API: a Unix socket (sock/control.sock, 0600) carrying one JSON object
// per line, at most 1 MiB each.
//
//   client → agent   {"request":"status"}  one status reply
//                    {"request":"watch"}   the current status as an event, then one event
//                                          per change until the agent exits
//                    {"request":"stop"}    an "accepted" reply; the stop shows in events
//                    {"request":"disk"}    one disk reply: the data disk's use, measured in the
//                                          guest over the agent's SSH session
//   agent → client   {"type":"status","status":{…}}    reply to "status"
//                    {"type":"event","status":{…}}     a change (after "watch")
//                    {"type":"accepted","message":"…"} reply to "stop"
//                    {"type":"disk","used_bytes":N,"size_bytes":N}  reply to "disk"
//                    {"type":"error","message":"…"}    a request the agent could not take
//
// The agent closes every connection when it exits, after its last event.
namespace berth::vm::control {

enum class Request
{
    Status,
    Watch,
    Stop,
    Disk,
};

// The engine's data disk as the guest's file system sees it.
struct DiskUsage
{
    std::uint64_t usedBytes = 0;
    std::uint64_t sizeBytes = 0;
};

nlohmann::json encode(Request request);
// Errors name what is wrong with the message ("unknown request 'x'; known: status, watch, stop,
// disk").
Result<Request> parseRequest(const nlohmann::json& message);

struct Message
{
    enum class Type
    {
        Status,
        Event,
        Accepted,
        Error,
        Disk,
    };
    Type type = Type::Status;
    AgentStatus status; // for Status and Event
    std::string message; // for Accepted and Error
    DiskUsage disk;      // for Disk
};

nlohmann::json statusMessage(const AgentStatus& status, bool event);
nlohmann::json acceptedMessage(const std::string& message);
nlohmann::json errorMessage(const std::string& message);
nlohmann::json diskMessage(const DiskUsage& disk);
Result<Message> parseMessage(const nlohmann::json& message);

} // namespace berth::vm::control
