#include "berth/vm/AgentStatus.h"

#include <array>
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
            {"ssh_port", sshPort},
            {"last_error", lastError},
            {"stop_method", stopMethod},
            {"console_tail", consoleTail},
            {"phases", phaseList},
            {"ports", portList},
            {"warnings", warnings},
            {"notices", notices},
            {"engine_restarting", engineRestarting}};
}

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
        s.pid = j.value("pid", 0);
        s.vmPid = j.value("vm_pid", 0);
        s.uptimeSeconds = j.value("uptime_s", 0.0);
        s.cpus = j.value("cpus", 0);
        s.memoryMiB = j.value("memory_mib", 0);
        s.diskGiB = j.value("disk_gib", 0);
        s.sshPort = j.value("ssh_port", 0);
        s.lastError = j.value("last_error", "");
        s.stopMethod = j.value("stop_method", "");
        s.consoleTail = j.value("console_tail", std::vector<std::string>{});
        for (const auto& p : j.value("phases", nlohmann::json::array()))
            s.phases.push_back({p.at("name").get<std::string>(), p.at("host_s").get<double>(),
                                p.value("guest_uptime_s", -1.0)});
        for (const auto& p : j.value("ports", nlohmann::json::array()))
            s.ports.push_back({p.value("container_id", ""), p.value("container", ""), p.value("protocol", "tcp"),
                               p.value("host_address", ""), p.value("host_port", 0), p.value("container_port", 0),
                               p.value("error", "")});
        s.warnings = j.value("warnings", std::vector<std::string>{});
        s.notices = j.value("notices", std::vector<std::string>{});
        s.engineRestarting = j.value("engine_restarting", false);
        return s;
    } catch (const nlohmann::json::exception& e) {
        return Error{std::string("malformed status: ") + e.what()};
    }
}

} // namespace berth::vm
