#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace berth::engine {

// A Docker Engine API version, "MAJOR.MINOR" (e.g. 1.45). Ordered; value type.
class ApiVersion final
{
public:
    constexpr ApiVersion(int major, int minor) : m_major(major), m_minor(minor) {}

    // Parses "1.45"; returns nullopt for anything else (no sign, no spaces, no third part).
    static std::optional<ApiVersion> parse(std::string_view text);

    // The newest version this client speaks and the oldest engine it still supports.
    static constexpr ApiVersion newestSupported() { return {1, 45}; }
    static constexpr ApiVersion oldestSupported() { return {1, 41}; }

    // The version to use with an engine that reports `engineMax` (from /_ping's
    // API-Version header): the lower of the two, or nullopt when the engine is older than
    // oldestSupported().
    static std::optional<ApiVersion> negotiate(ApiVersion engineMax);

    int major() const { return m_major; }
    int minor() const { return m_minor; }
    std::string toString() const;
    // "/v1.45" — the prefix every versioned request path starts with.
    std::string pathPrefix() const;

    friend constexpr auto operator<=>(const ApiVersion&, const ApiVersion&) = default;

private:
    int m_major;
    int m_minor;
};

} // namespace berth::engine
