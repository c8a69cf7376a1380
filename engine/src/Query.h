#pragma once

// Request targets: query strings and path segments, escaped.

#include "berth/engine/Requests.h"

#include <string>
#include <string_view>

namespace berth::engine::detail {

// Percent-encodes everything but RFC 3986's unreserved characters (and, in paths, '/', ':' and
// '@', which image references contain and the engine's router expects unescaped).
std::string percentEncode(std::string_view text, bool inPath);

inline std::string pathSegment(std::string_view text)
{
    return percentEncode(text, true);
}

class Query final
{
public:
    Query& add(std::string_view key, std::string_view value);
    Query& add(std::string_view key, bool value) { return add(key, std::string_view(value ? "1" : "0")); }
    Query& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
    Query& add(std::string_view key, std::int64_t value)
    {
        return add(key, std::string_view(std::to_string(value)));
    }
    Query& filters(const Filters& filters);
    // "?a=1&b=2", or "" with nothing added.
    std::string str() const { return m_text; }

private:
    std::string m_text;
};

} // namespace berth::engine::detail
