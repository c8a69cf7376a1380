#include "berth/engine/detail/JsonFields.h"

#include <cstdio>
#include <ctime>

namespace berth::engine::detail {

std::int64_t parseTimestamp(const std::string& text)
{
    std::tm tm{};
    int offsetHours = 0;
    int offsetMinutes = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
#ifdef _WIN32
    std::int64_t seconds = _mkgmtime(&tm);
#else
    std::int64_t seconds = timegm(&tm);
#endif
    // After the seconds: an optional fraction, then Z or ±hh:mm.
    const auto zone = text.find_first_of("Z+-", 19);
    if (zone != std::string::npos && text[zone] != 'Z' &&
        std::sscanf(text.c_str() + zone + 1, "%2d:%2d", &offsetHours, &offsetMinutes) == 2) {
        const int sign = text[zone] == '+' ? 1 : -1;
        seconds -= sign * (offsetHours * 3600 + offsetMinutes * 60);
    }
    return seconds;
}

} // namespace berth::engine::detail
