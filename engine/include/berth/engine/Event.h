#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace berth::engine {

// One engine event from /events: what (type: container, image, volume, network, daemon, …),
// which action (create, start, die, destroy, pull, …), on which object (actorId) with its
// attributes (name, image, exitCode, labels of a container).
struct Event
{
    std::string type;
    std::string action;
    std::string actorId;
    std::map<std::string, std::string> attributes;
    std::string scope;
    std::int64_t time = 0;     // seconds
    std::int64_t timeNano = 0; // nanoseconds, for ordering
    nlohmann::json raw;

    std::string attribute(const std::string& key) const;

    static Event fromJson(const nlohmann::json& json);
};

} // namespace berth::engine
