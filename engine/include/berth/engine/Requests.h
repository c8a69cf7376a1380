#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::engine {

// The arguments of Client's operations, as plain aggregates. Names follow the docker CLI.

// The engine's filter syntax: {"label": ["a=b"], "status": ["running"]}.
using Filters = std::map<std::string, std::vector<std::string>>;

struct ListContainersOptions
{
    bool all = true;
    bool size = false;
    Filters filters;
};

struct PortPublish
{
    std::uint16_t containerPort = 0;
    std::string protocol = "tcp";
    std::string hostIp;         // empty: every address the engine binds
    std::uint16_t hostPort = 0; // 0: a port the engine picks
};

struct MountSpec
{
    std::string type = "volume"; // volume, bind, tmpfs
    std::string source;          // volume name or host path
    std::string target;
    bool readOnly = false;
};

struct RestartPolicy
{
    std::string name; // "", no, always, unless-stopped, on-failure
    int maximumRetryCount = 0;
};

// POST /containers/create.
struct ContainerSpec
{
    std::string image;
    std::string name; // empty: the engine picks one
    std::vector<std::string> cmd;
    std::optional<std::vector<std::string>> entrypoint;
    std::vector<std::string> env; // KEY=value
    std::string workingDir;
    std::string user;
    std::string hostname;
    bool tty = false;
    bool openStdin = false; // keep stdin open for attach
    bool stdinOnce = true;  // with openStdin: the first attach's stdin EOF closes it, as `docker run -i`
    std::map<std::string, std::string> labels;
    std::vector<PortPublish> ports;
    bool publishAll = false;        // -P
    std::vector<std::string> binds; // "volume-or-/host/path:/target[:ro]"
    std::vector<MountSpec> mounts;
    RestartPolicy restartPolicy;
    bool autoRemove = false;
    std::string networkMode;
    bool privileged = false;
    nlohmann::json extra; // merged over the generated body for fields not modelled here

    nlohmann::json toJson() const;
};

struct LogsOptions
{
    bool follow = false;
    bool stdoutStream = true;
    bool stderrStream = true;
    bool timestamps = false;
    std::optional<std::int64_t> since; // seconds since the epoch
    std::optional<std::int64_t> until;
    std::optional<int> tail; // last N lines; none: all
};

struct AttachOptions
{
    bool stdinStream = true;
    bool stdoutStream = true;
    bool stderrStream = true;
    bool logs = false; // replay what was written before attaching
};

struct ExecSpec
{
    std::vector<std::string> cmd;
    std::vector<std::string> env;
    std::string workingDir;
    std::string user;
    bool tty = false;
    bool attachStdin = false;
    bool attachStdout = true;
    bool attachStderr = true;
    bool privileged = false;
    std::optional<std::pair<int, int>> consoleSize; // rows, columns (API 1.42+)
};

// Credentials for one registry, sent as the X-Registry-Auth header.
struct RegistryAuth
{
    std::string username;
    std::string password;
    std::string serverAddress;
    std::string identityToken;

    // base64url of the JSON the engine expects.
    std::string headerValue() const;
};

struct PullOptions
{
    std::string image; // "registry:5000/bb" or "bb:1" (a tag inside wins over `tag`)
    std::string tag;   // empty: "latest" unless image names one
    std::string platform;
    std::optional<RegistryAuth> auth;
};

struct EventsOptions
{
    Filters filters;
    std::optional<std::int64_t> since; // seconds; replays past events from then
    std::optional<std::int64_t> until;
};

struct VolumeSpec
{
    std::string name;
    std::string driver = "local";
    std::map<std::string, std::string> driverOpts;
    std::map<std::string, std::string> labels;
};

struct NetworkSpec
{
    std::string name;
    std::string driver = "bridge";
    bool internal = false;
    bool attachable = false;
    std::string subnet;
    std::string gateway;
    std::map<std::string, std::string> labels;
};

} // namespace berth::engine
