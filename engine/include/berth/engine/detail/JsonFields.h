#pragma once

// Lenient readers for the engine's JSON: a missing or null field gives the default (the engine
// leaves out or nulls fields across versions); a field of the wrong type throws, which Client
// reports as a malformed answer.

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <type_traits>
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

// `value` as T. An integer read from a floating-point number outside T's range throws
// out_of_range (nlohmann's own conversion of one is undefined behaviour); anything else converts
// as nlohmann converts it.
template <typename T> T as(const nlohmann::json& value)
{
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        if (value.is_number_float()) {
            const double number = value.get<double>();
            // Both bounds are powers of two or near them, so exact as doubles.
            constexpr double below = static_cast<double>(std::numeric_limits<T>::min()) - 1.0;
            constexpr double above = static_cast<double>(std::numeric_limits<T>::max()) + 1.0;
            if (!(number > below && number < above))
                throw nlohmann::json::out_of_range::create(406, "the number " + value.dump() +
                                                                    " is out of range here", &value);
        }
    }
    return value.get<T>();
}

template <typename T> T get(const nlohmann::json& json, const char* key, T fallback = T{})
{
    const auto* value = field(json, key);
    return value ? as<T>(*value) : fallback;
}

// a + b, held at the type's limits instead of overflowing (sums of sizes the engine reports).
inline std::int64_t addClamped(std::int64_t a, std::int64_t b)
{
    std::int64_t sum = 0;
    if (!__builtin_add_overflow(a, b, &sum))
        return sum;
    return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
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
