#include "berth/engine/Event.h"

#include "berth/engine/detail/JsonFields.h"

#include <algorithm>
#include <limits>

namespace berth::engine {

using detail::get;

std::string Event::attribute(const std::string& key) const
{
    const auto it = attributes.find(key);
    return it == attributes.end() ? std::string() : it->second;
}

Event Event::fromJson(const nlohmann::json& json)
{
    if (!json.is_object())
        throw nlohmann::json::type_error::create(302, "an event is not a JSON object", &json);
    Event e;
    e.type = get<std::string>(json, "Type");
    e.action = get<std::string>(json, "Action");
    const auto& actor = detail::object(json, "Actor");
    e.actorId = get<std::string>(actor, "ID");
    e.attributes = detail::stringMap(actor, "Attributes");
    e.scope = get<std::string>(json, "scope");
    e.time = get<std::int64_t>(json, "time");
    // Without timeNano, the seconds in nanoseconds, held within range for absurd times.
    constexpr std::int64_t nano = 1000000000;
    constexpr std::int64_t limit = std::numeric_limits<std::int64_t>::max() / nano;
    e.timeNano = get<std::int64_t>(json, "timeNano", std::clamp(e.time, -limit, limit) * nano);
    e.raw = json;
    return e;
}

} // namespace berth::engine
