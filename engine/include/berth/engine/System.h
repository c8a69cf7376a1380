#pragma once

#include "berth/engine/Container.h"
#include "berth/engine/Image.h"
#include "berth/engine/Volume.h"

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::engine {

// GET /_ping: the engine's newest API version and its OS.
struct PingInfo
{
    std::string apiVersion;
    std::string osType;
};

// GET /version.
struct SystemVersion
{
    std::string version;
    std::string apiVersion;
    std::string minApiVersion;
    std::string os;
    std::string arch;
    std::string kernelVersion;
    std::string goVersion;
    nlohmann::json raw;

    static SystemVersion fromJson(const nlohmann::json& json);
};

// GET /info.
struct SystemInfo
{
    std::string name;
    std::string serverVersion;
    std::string operatingSystem;
    std::string kernelVersion;
    std::string storageDriver;
    std::string dockerRootDir;
    std::int64_t containers = 0;
    std::int64_t containersRunning = 0;
    std::int64_t containersPaused = 0;
    std::int64_t containersStopped = 0;
    std::int64_t images = 0;
    std::int64_t cpus = 0;
    std::int64_t memTotal = 0;
    nlohmann::json raw;

    static SystemInfo fromJson(const nlohmann::json& json);
};

// GET /system/df, with totals as `docker system df` reports them.
struct DiskUsage
{
    std::int64_t layersSize = 0;
    std::vector<Image> images;
    std::vector<Container> containers;
    std::vector<Volume> volumes;
    std::int64_t buildCacheSize = 0;
    nlohmann::json raw;

    std::int64_t containersSize() const;
    std::int64_t volumesSize() const;

    static DiskUsage fromJson(const nlohmann::json& json);
};

// What a prune removed: IDs or names, and the bytes it freed.
struct PruneReport
{
    std::vector<std::string> deleted;
    std::uint64_t spaceReclaimed = 0;

    static PruneReport fromJson(const nlohmann::json& json, const char* listKey);
};

// GET /containers/{id}/top: `ps` columns and rows.
struct ProcessList
{
    std::vector<std::string> titles;
    std::vector<std::vector<std::string>> processes;
};

// GET /exec/{id}/json.
struct ExecInfo
{
    std::string id;
    std::string containerId;
    bool running = false;
    int exitCode = 0;
    int pid = 0;
    nlohmann::json raw;
};

} // namespace berth::engine
