#include "berth/engine/Stats.h"

#include "berth/engine/detail/JsonFields.h"

namespace berth::engine {

using detail::get;
using detail::object;

Stats Stats::fromJson(const nlohmann::json& json)
{
    if (!json.is_object())
        throw nlohmann::json::type_error::create(302, "a stats sample is not a JSON object", &json);
    Stats s;
    s.read = get<std::string>(json, "read");

    const auto& cpu = object(json, "cpu_stats");
    const auto& precpu = object(json, "precpu_stats");
    const auto total = get<std::uint64_t>(object(cpu, "cpu_usage"), "total_usage");
    const auto previousTotal = get<std::uint64_t>(object(precpu, "cpu_usage"), "total_usage");
    const auto system = get<std::uint64_t>(cpu, "system_cpu_usage");
    const auto previousSystem = get<std::uint64_t>(precpu, "system_cpu_usage");
    s.onlineCpus = get<std::uint32_t>(cpu, "online_cpus");
    if (s.onlineCpus == 0)
        if (const auto* perCpu = detail::field(object(cpu, "cpu_usage"), "percpu_usage"))
            s.onlineCpus = static_cast<std::uint32_t>(perCpu->size());
    const double cpuDelta = double(total) - double(previousTotal);
    const double systemDelta = double(system) - double(previousSystem);
    if (cpuDelta > 0 && systemDelta > 0)
        s.cpuPercent = cpuDelta / systemDelta * s.onlineCpus * 100.0;

    const auto& memory = object(json, "memory_stats");
    const auto usage = get<std::uint64_t>(memory, "usage");
    const auto& memoryStats = object(memory, "stats");
    s.memoryUsage = usage;
    if (const auto* v1 = detail::field(memoryStats, "total_inactive_file");
        v1 && detail::as<std::uint64_t>(*v1) < usage)
        s.memoryUsage = usage - detail::as<std::uint64_t>(*v1);
    else if (const auto inactive = get<std::uint64_t>(memoryStats, "inactive_file"); inactive < usage)
        s.memoryUsage = usage - inactive;
    s.memoryLimit = get<std::uint64_t>(memory, "limit");
    if (s.memoryLimit != 0)
        s.memoryPercent = double(s.memoryUsage) / double(s.memoryLimit) * 100.0;

    for (const auto& [name, interface] : object(json, "networks").items()) {
        s.networkRx += get<std::uint64_t>(interface, "rx_bytes");
        s.networkTx += get<std::uint64_t>(interface, "tx_bytes");
    }
    if (const auto* entries = detail::field(object(json, "blkio_stats"), "io_service_bytes_recursive"))
        for (const auto& entry : *entries) {
            const auto op = get<std::string>(entry, "op");
            if (op.empty())
                continue;
            if (op[0] == 'r' || op[0] == 'R')
                s.blockRead += get<std::uint64_t>(entry, "value");
            else if (op[0] == 'w' || op[0] == 'W')
                s.blockWrite += get<std::uint64_t>(entry, "value");
        }
    s.pids = get<std::uint64_t>(object(json, "pids_stats"), "current");
    s.raw = json;
    return s;
}

} // namespace berth::engine
