#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::engine {

// A published or exposed port: privatePort/type inside the container, publicPort on the host
// side of the engine (0 when only exposed).
struct ContainerPort
{
    std::string ip;
    std::uint16_t privatePort = 0;
    std::uint16_t publicPort = 0;
    std::string type = "tcp";
};

struct ContainerMount
{
    std::string type; // bind, volume, tmpfs
    std::string name; // the volume's name, for volumes
    std::string source;
    std::string destination;
    bool readWrite = true;
};

// A container as the GUI shows it, from a list entry (fromSummary) or an inspect answer
// (fromInspect; it fills the fields the list lacks). `raw` is the engine's JSON as received.
// The parsers throw nlohmann::json exceptions on JSON of the wrong shape; Client turns them into
// ErrorKind::Malformed.
struct Container
{
    std::string id;
    std::string name; // without the leading '/'
    std::vector<std::string> names;
    std::string image;   // as the user named it
    std::string imageId; // sha256:…
    std::string command;
    std::int64_t created = 0; // seconds since the epoch
    std::string state;        // created, running, paused, restarting, removing, exited, dead
    std::string status;       // "Up 3 minutes (healthy)"
    std::string health;       // "", starting, healthy, unhealthy
    int exitCode = 0;         // inspect; in a list entry, from Status ("Exited (137) …")
    // List only: how long before the answer an exited container stopped, from Status ("Exited
    // (0) 2 minutes ago"), as coarse as the engine words it; -1 when Status does not say.
    std::int64_t exitedSecondsAgo = -1;
    std::string startedAt;    // inspect only, RFC 3339
    std::string finishedAt;   // inspect only
    bool tty = false;         // inspect only
    std::vector<ContainerPort> ports;
    std::vector<ContainerMount> mounts;
    std::vector<std::string> networks;
    std::map<std::string, std::string> labels;
    std::optional<std::int64_t> sizeRw;     // with size=true
    std::optional<std::int64_t> sizeRootFs; // with size=true
    nlohmann::json raw;

    std::string composeProject() const { return label("com.docker.compose.project"); }
    std::string composeService() const { return label("com.docker.compose.service"); }
    std::string label(const std::string& key) const;
    bool running() const { return state == "running"; }

    static Container fromSummary(const nlohmann::json& json);
    static Container fromInspect(const nlohmann::json& json);
};

} // namespace berth::engine
