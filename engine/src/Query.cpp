#include "Query.h"

#include <nlohmann/json.hpp>

namespace berth::engine::detail {

std::string percentEncode(std::string_view text, bool inPath)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const unsigned char c : text) {
        const bool unreserved = std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved || (inPath && (c == '/' || c == ':' || c == '@'))) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

Query& Query::add(std::string_view key, std::string_view value)
{
    m_text += m_text.empty() ? '?' : '&';
    m_text += percentEncode(key, false);
    m_text += '=';
    m_text += percentEncode(value, false);
    return *this;
}

Query& Query::filters(const Filters& filters)
{
    if (filters.empty())
        return *this;
    return add("filters", std::string_view(nlohmann::json(filters).dump()));
}

} // namespace berth::engine::detail
