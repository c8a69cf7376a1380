#pragma once

#include "berth/vm/Result.h"

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::vm {

class Instance;

// The engine's state as the agent reports it.
// Invariants: `phase` is empty unless state is Starting; `lastError` is set when state is
// Error; `dockerHost` is set only when state is Running (the socket exists exactly then).
enum class EngineState
{
    Stopped,
    Starting,
    Running,
    Stopping,
    Error,
};

std::string toString(EngineState state);
Result<EngineState> engineStateFromString(const std::string& text);

struct PhaseTiming
{
    std::string name;
    double hostSeconds = 0;   // since the agent began starting the VM
    double guestUptime = -1;  // the guest's uptime when it reported the phase; -1: a host step
};

// A container port the agent publishes on the host. `error` is set when it could not be (the
// host port is taken); the container runs all the same.
struct PublishedPort
{
    std::string containerId;
    std::string container; // its name
    std::string protocol;  // tcp or udp
    std::string hostAddress;
    int hostPort = 0;
    int containerPort = 0;
    std::string error;

    friend bool operator==(const PublishedPort&, const PublishedPort&) = default;
};

// One snapshot of an instance (`berth status --json` prints it as JSON).
struct AgentStatus
{
    std::string instance;
    EngineState state = EngineState::Stopped;
    std::string phase;
    std::string accelerator;
    std::string acceleratorReason;
    std::string dockerHost;      // "unix:///…/docker.sock" while running
    // While running: the places SDKs look for an engine where Berth offers its socket as a link
    // ($XDG_RUNTIME_DIR/docker.sock, ~/.docker/run/docker.sock; see SocketLinks.h).
    std::vector<std::string> socketLinks;
    int pid = 0;                 // the agent's process id; 0 when no agent runs
    int vmPid = 0;               // the hypervisor's process id; 0 when none
    double uptimeSeconds = 0;    // since the engine became ready
    int cpus = 0;
    int memoryMiB = 0;
    int diskGiB = 0;
    std::string imageStore;      // "classic" or "containerd": the one the engine uses, once started
    int sshPort = 0;
    std::string lastError;
    std::string stopMethod;      // after a stop: "powerdown" (clean), "forced", or "not-started" (before QEMU ran)
    std::vector<std::string> consoleTail; // the console's last lines, kept with an error
    std::vector<PhaseTiming> phases;
    std::vector<PublishedPort> ports; // while running, ordered by host port
    // Things a person should know while the engine runs: a port that could not be published,
    // a bind mount of a folder that is not shared with the VM. One sentence each.
    std::vector<std::string> warnings;
    // What this start found and set right, one sentence each: a filesystem repaired, a VM left
    // running by a dead agent stopped, the data disk's reserve released because it was full.
    // Kept until the next start.
    std::vector<std::string> notices;
    // While Running: dockerd exited and the guest is restarting it; the socket answers again
    // when this is false.
    bool engineRestarting = false;

    nlohmann::json toJson() const;
    // The reverse of toJson(); unknown fields are ignored, a wrong type or state is an error.
    static Result<AgentStatus> fromJson(const nlohmann::json& json);
};

// The instance's status when no agent may be answering: the agent's last record in
// status.json; when no agent holds the lock but the record says it was busy, the agent died,
// and the status is Stopped with lastError saying so.
AgentStatus lastRecordedStatus(const Instance& instance);

} // namespace berth::vm
