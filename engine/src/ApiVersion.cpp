#include "berth/engine/ApiVersion.h"

#include <charconv>

namespace berth::engine {

namespace {

std::optional<int> parseNumber(std::string_view text)
{
    // Digits only: from_chars alone would take a leading '-'.
    if (text.empty() || text.size() > 4 || text.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

} // namespace

std::optional<ApiVersion> ApiVersion::parse(std::string_view text)
{
    const auto dot = text.find('.');
    if (dot == std::string_view::npos)
        return std::nullopt;
    const auto major = parseNumber(text.substr(0, dot));
    const auto minor = parseNumber(text.substr(dot + 1));
    if (!major || !minor)
        return std::nullopt;
    return ApiVersion{*major, *minor};
}

std::optional<ApiVersion> ApiVersion::negotiate(ApiVersion engineMax)
{
    if (engineMax < oldestSupported())
        return std::nullopt;
    return std::min(engineMax, newestSupported());
}

std::string ApiVersion::toString() const
{
    return std::to_string(m_major) + "." + std::to_string(m_minor);
}

std::string ApiVersion::pathPrefix() const
{
    return "/v" + toString();
}

} // namespace berth::engine
