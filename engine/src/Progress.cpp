#include "berth/engine/Progress.h"

#include "berth/engine/detail/JsonFields.h"

namespace berth::engine {

using detail::get;

ProgressMessage ProgressMessage::fromJson(const nlohmann::json& json)
{
    if (!json.is_object())
        throw nlohmann::json::type_error::create(302, "a progress line is not a JSON object", &json);
    ProgressMessage m;
    m.id = get<std::string>(json, "id");
    m.status = get<std::string>(json, "status");
    m.progress = get<std::string>(json, "progress");
    const auto& detailObject = detail::object(json, "progressDetail");
    m.current = get<std::int64_t>(detailObject, "current");
    m.total = get<std::int64_t>(detailObject, "total");
    m.stream = get<std::string>(json, "stream");
    m.error = get<std::string>(detail::object(json, "errorDetail"), "message");
    if (m.error.empty())
        m.error = get<std::string>(json, "error");
    m.raw = json;
    return m;
}

} // namespace berth::engine
