#include "berth/engine/Network.h"

#include "berth/engine/detail/JsonFields.h"

namespace berth::engine {

using detail::get;

Network Network::fromJson(const nlohmann::json& json)
{
    Network n;
    n.id = json.at("Id").get<std::string>();
    n.name = get<std::string>(json, "Name");
    n.driver = get<std::string>(json, "Driver");
    n.scope = get<std::string>(json, "Scope");
    n.created = get<std::string>(json, "Created");
    n.internal = get<bool>(json, "Internal");
    n.attachable = get<bool>(json, "Attachable");
    n.enableIpv6 = get<bool>(json, "EnableIPv6");
    if (const auto* configs = detail::field(detail::object(json, "IPAM"), "Config"))
        for (const auto& config : *configs)
            n.subnets.push_back({get<std::string>(config, "Subnet"), get<std::string>(config, "Gateway")});
    for (const auto& [id, endpoint] : detail::object(json, "Containers").items())
        n.containers[id] = {get<std::string>(endpoint, "Name"), get<std::string>(endpoint, "IPv4Address"),
                            get<std::string>(endpoint, "MacAddress")};
    n.labels = detail::stringMap(json, "Labels");
    n.raw = json;
    return n;
}

} // namespace berth::engine
