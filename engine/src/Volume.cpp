#include "berth/engine/Volume.h"

#include "berth/engine/detail/JsonFields.h"

namespace berth::engine {

using detail::get;

std::string Volume::composeProject() const
{
    const auto it = labels.find("com.docker.compose.project");
    return it == labels.end() ? std::string() : it->second;
}

Volume Volume::fromJson(const nlohmann::json& json)
{
    Volume v;
    v.name = json.at("Name").get<std::string>();
    v.driver = get<std::string>(json, "Driver");
    v.mountpoint = get<std::string>(json, "Mountpoint");
    v.scope = get<std::string>(json, "Scope");
    v.createdAt = get<std::string>(json, "CreatedAt");
    v.labels = detail::stringMap(json, "Labels");
    v.options = detail::stringMap(json, "Options");
    const auto& usage = detail::object(json, "UsageData");
    v.size = get<std::int64_t>(usage, "Size", -1);
    v.refCount = get<std::int64_t>(usage, "RefCount", -1);
    v.raw = json;
    return v;
}

} // namespace berth::engine
