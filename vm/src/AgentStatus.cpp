#include "berth/vm/AgentStatus.h"

#include "berth/vm/Instance.h"
#include "berth/vm/InstanceLock.h"
#include "berth/vm/QemuCommand.h"

#include <array>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>

namespace berth::vm {

namespace {

constexpr std::array<std::pair<EngineState, const char*>, 5> kStates{{
    {EngineState::Stopped, "stopped"},
    {EngineState::Starting, "starting"},
    {EngineState::Running, "running"},
    {EngineState::Stopping, "stopping"},
    {EngineState::Error, "error"},
}};

} // namespace

std::string toString(EngineState state)
{
    for (const auto& [s, name] : kStates) {
        if (s == state)
            return name;
    }
    return "error";
}

Result<EngineState> engineStateFromString(const std::string& text)
{
    for (const auto& [s, name] : kStates) {
        if (text == name)
            return s;
    }
    return Error{"unknown engine state '" + text + "'"};
}

nlohmann::json AgentStatus::toJson() const
{
    nlohmann::json phaseList = nlohmann::json::array();
    for (const auto& p : phases)
        phaseList.push_back({{"name", p.name}, {"host_s", p.hostSeconds}, {"guest_uptime_s", p.guestUptime}});
    nlohmann::json portList = nlohmann::json::array();
    for (const auto& p : ports)
        portList.push_back({{"container_id", p.containerId},
                            {"container", p.container},
                            {"protocol", p.protocol},
                            {"host_address", p.hostAddress},
                            {"host_port", p.hostPort},
                            {"container_port", p.containerPort},
                            {"error", p.error}});
    return {{"instance", instance},
            {"state", toString(state)},
            {"phase", phase},
            {"accelerator", accelerator},
            {"accelerator_reason", acceleratorReason},
            {"docker_host", dockerHost},
            {"pid", pid},
            {"vm_pid", vmPid},
            {"uptime_s", uptimeSeconds},
            {"cpus", cpus},
            {"memory_mib", memoryMiB},
            {"disk_gib", diskGiB},
            {"image_store", imageStore},
            {"ssh_port", sshPort},
            {"last_error", lastError},
            {"stop_method", stopMethod},
            {"console_tail", consoleTail},
            {"phases", phaseList},
            {"ports", portList},
            {"warnings", warnings},
            {"notices", notices},
            {"socket_links", socketLinks},
            {"engine_restarting", engineRestarting}};
}

namespace {

// An int field, 0 when missing. nlohmann's conversion of a floating-point value outside int's
// range is undefined behaviour, so such a value is refused here (std::out_of_range).
int intField(const nlohmann::json& j, const char* key)
{
    const auto it = j.find(key);
    if (it == j.end())
        return 0;
    if (it->is_number_float()) {
        const double value = it->get<double>();
        if (!(value >= std::numeric_limits<int>::min() && value <= std::numeric_limits<int>::max()))
            throw std::out_of_range(std::string("'") + key + "' is out of range");
        return static_cast<int>(value);
    }
    if (it->is_number_unsigned() ? it->get<std::uint64_t>() > std::numeric_limits<int>::max()
                                 : it->is_number_integer() &&
                                       (it->get<std::int64_t>() < std::numeric_limits<int>::min() ||
                                        it->get<std::int64_t>() > std::numeric_limits<int>::max()))
        throw std::out_of_range(std::string("'") + key + "' is out of range");
    return it->get<int>(); // a string or other kind throws json::type_error
}

} // namespace

Result<AgentStatus> AgentStatus::fromJson(const nlohmann::json& j)
{
    if (!j.is_object())
        return Error{"a status must be a JSON object"};
    try {
        AgentStatus s;
        auto state = engineStateFromString(j.at("state").get<std::string>());
        if (!state)
            return state.error();
        s.state = state.value();
        s.instance = j.value("instance", "");
        s.phase = j.value("phase", "");
        s.accelerator = j.value("accelerator", "");
        s.acceleratorReason = j.value("accelerator_reason", "");
        s.dockerHost = j.value("docker_host", "");
        s.pid = intField(j, "pid");
        s.vmPid = intField(j, "vm_pid");
        s.uptimeSeconds = j.value("uptime_s", 0.0);
        s.cpus = intField(j, "cpus");
        s.memoryMiB = intField(j, "memory_mib");
        s.diskGiB = intField(j, "disk_gib");
        s.imageStore = j.value("image_store", "");
        s.sshPort = intField(j, "ssh_port");
        s.lastError = j.value("last_error", "");
        s.stopMethod = j.value("stop_method", "");
        s.consoleTail = j.value("console_tail", std::vector<std::string>{});
        for (const auto& p : j.value("phases", nlohmann::json::array()))
            s.phases.push_back({p.at("name").get<std::string>(), p.at("host_s").get<double>(),
                                p.value("guest_uptime_s", -1.0)});
        for (const auto& p : j.value("ports", nlohmann::json::array()))
            s.ports.push_back({p.value("container_id", ""), p.value("container", ""), p.value("protocol", "tcp"),
                               p.value("host_address", ""), intField(p, "host_port"), intField(p, "container_port"),
                               p.value("error", "")});
        s.warnings = j.value("warnings", std::vector<std::string>{});
        s.notices = j.value("notices", std::vector<std::string>{});
        s.socketLinks = j.value("socket_links", std::vector<std::string>{});
        s.engineRestarting = j.value("engine_restarting", false);
        return s;
    } catch (const nlohmann::json::exception& e) {
        return Error{std::string("malformed status: ") + e.what()};
    } catch (const std::out_of_range& e) {
        return Error{std::string("malformed status: ") + e.what()};
    }
}

AgentStatus lastRecordedStatus(const Instance& instance)
{
    AgentStatus status;
    status.instance = instance.name();
    if (const auto text = readFile(instance.statusFile())) {
        if (auto recorded = AgentStatus::fromJson(nlohmann::json::parse(text.value(), nullptr, false)))
            status = recorded.value();
    }
    const bool busy = status.state == EngineState::Starting || status.state == EngineState::Running ||
                      status.state == EngineState::Stopping;
    const bool agentGone = !InstanceLock::held(instance);
    if (busy && agentGone) {
        status.lastError = "the Berth agent (pid " + std::to_string(status.pid) +
                           ") ended without stopping the VM; `berth start` recovers";
        status.state = EngineState::Stopped;
    }
    // With no agent, a QEMU still using the data disk is an orphan: say so, with its pid, since
    // it holds the disk and the memory until it is stopped.
    const auto orphans = agentGone ? qemuProcessesUsing(instance.dataDisk()) : std::vector<int>{};
    if (!orphans.empty()) {
        status.lastError = "a VM (QEMU pid " + std::to_string(orphans.front()) +
                           ") is still running without its Berth agent; `berth stop` ends it, `berth start` "
                           "replaces it";
    }
    if (status.state == EngineState::Stopped || status.state == EngineState::Error) {
        status.phase.clear();
        status.dockerHost.clear();
        status.pid = 0;
        status.vmPid = orphans.empty() ? 0 : orphans.front();
        status.uptimeSeconds = 0;
    }
    return status;
}

} // namespace berth::vm
