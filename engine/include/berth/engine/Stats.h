#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace berth::engine {

// One sample of a container's resource use, with the derived figures computed as the docker
// CLI's `docker stats` computes them:
//  - cpuPercent: (Δ container CPU time / Δ system CPU time) × online CPUs × 100, between this
//    sample and the one before it (precpu_stats); 0 when either delta is not positive.
//  - memoryUsage: usage minus the page cache that can be reclaimed (total_inactive_file on
//    cgroup v1, inactive_file on v2), memoryPercent = usage / limit × 100.
//  - network: the sums over all interfaces; block I/O: sums of the read and write entries.
struct Stats
{
    std::string read; // the sample's time, RFC 3339
    double cpuPercent = 0;
    std::uint32_t onlineCpus = 0;
    std::uint64_t memoryUsage = 0;
    std::uint64_t memoryLimit = 0;
    double memoryPercent = 0;
    std::uint64_t networkRx = 0;
    std::uint64_t networkTx = 0;
    std::uint64_t blockRead = 0;
    std::uint64_t blockWrite = 0;
    std::uint64_t pids = 0;
    nlohmann::json raw;

    static Stats fromJson(const nlohmann::json& json);
};

} // namespace berth::engine
