#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::engine {

struct NetworkSubnet
{
    std::string subnet;
    std::string gateway;
};

struct NetworkEndpoint
{
    std::string name; // the container's name
    std::string ipv4Address;
    std::string macAddress;
};

struct Network
{
    std::string id;
    std::string name;
    std::string driver;
    std::string scope;
    std::string created; // RFC 3339
    bool internal = false;
    bool attachable = false;
    bool enableIpv6 = false;
    std::vector<NetworkSubnet> subnets;
    std::map<std::string, NetworkEndpoint> containers; // by container ID (inspect only)
    std::map<std::string, std::string> labels;
    nlohmann::json raw;

    // bridge, host and none exist in every engine and cannot be removed.
    bool predefined() const { return name == "bridge" || name == "host" || name == "none"; }

    static Network fromJson(const nlohmann::json& json);
};

} // namespace berth::engine
