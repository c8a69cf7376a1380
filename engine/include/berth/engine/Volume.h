#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace berth::engine {

struct Volume
{
    std::string name;
    std::string driver;
    std::string mountpoint;
    std::string scope;
    std::string createdAt; // RFC 3339
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> options;
    std::int64_t size = -1;     // from system df only; -1 when unknown
    std::int64_t refCount = -1; // containers using it, from system df only
    nlohmann::json raw;

    std::string composeProject() const;

    static Volume fromJson(const nlohmann::json& json);
};

} // namespace berth::engine
