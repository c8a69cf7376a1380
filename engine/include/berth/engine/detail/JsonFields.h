#pragma once

// Lenient readers for the engine's JSON: a missing or null field gives the default (the engine
// leaves out or nulls fields across versions); a field of the wrong type throws, which Client
// reports as a malformed answer.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::engine::detail {

inline const nlohmann::json* field(const nlohmann::json& json, const char* key)
{
    if (!json.is_object())
        return nullptr;
    const auto it = json.find(key);
    return it == json.end() || it->is_null() ? nullptr : &*it;
}

template <typename T> T get(const nlohmann::json& json, const char* key, T fallback = T{})
{
    const auto* value = field(json, key);
    return value ? value->get<T>() : fallback;
}

inline const nlohmann::json& object(const nlohmann::json& json, const char* key)
{
    static const nlohmann::json empty = nlohmann::json::object();
    const auto* value = field(json, key);
    return value ? *value : empty;
}

inline std::map<std::string, std::string> stringMap(const nlohmann::json& json, const char* key)
{
    return get<std::map<std::string, std::string>>(json, key);
}

inline std::vector<std::string> strings(const nlohmann::json& json, const char* key)
{
    return get<std::vector<std::string>>(json, key);
}

// Seconds since the epoch of an RFC 3339 time ("2026-11-22T23:53:03.123456789Z"), or 0.
std::int64_t parseTimestamp(const std::string& text);

} // namespace berth::engine::detail
