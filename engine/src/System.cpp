#include "berth/engine/System.h"

#include "berth/engine/detail/JsonFields.h"

namespace berth::engine {

using detail::get;

SystemVersion SystemVersion::fromJson(const nlohmann::json& json)
{
    SystemVersion v;
    v.version = json.at("Version").get<std::string>();
    v.apiVersion = get<std::string>(json, "ApiVersion");
    v.minApiVersion = get<std::string>(json, "MinAPIVersion");
    v.os = get<std::string>(json, "Os");
    v.arch = get<std::string>(json, "Arch");
    v.kernelVersion = get<std::string>(json, "KernelVersion");
    v.goVersion = get<std::string>(json, "GoVersion");
    v.raw = json;
    return v;
}

SystemInfo SystemInfo::fromJson(const nlohmann::json& json)
{
    SystemInfo i;
    i.name = get<std::string>(json, "Name");
    i.serverVersion = json.at("ServerVersion").get<std::string>();
    i.operatingSystem = get<std::string>(json, "OperatingSystem");
    i.kernelVersion = get<std::string>(json, "KernelVersion");
    i.storageDriver = get<std::string>(json, "Driver");
    i.dockerRootDir = get<std::string>(json, "DockerRootDir");
    i.containers = get<std::int64_t>(json, "Containers");
    i.containersRunning = get<std::int64_t>(json, "ContainersRunning");
    i.containersPaused = get<std::int64_t>(json, "ContainersPaused");
    i.containersStopped = get<std::int64_t>(json, "ContainersStopped");
    i.images = get<std::int64_t>(json, "Images");
    i.cpus = get<std::int64_t>(json, "NCPU");
    i.memTotal = get<std::int64_t>(json, "MemTotal");
    i.raw = json;
    return i;
}

std::int64_t DiskUsage::containersSize() const
{
    std::int64_t total = 0;
    for (const auto& c : containers)
        total += c.sizeRw.value_or(0);
    return total;
}

std::int64_t DiskUsage::volumesSize() const
{
    std::int64_t total = 0;
    for (const auto& v : volumes)
        total = detail::addClamped(total, std::max<std::int64_t>(v.size, 0));
    return total;
}

DiskUsage DiskUsage::fromJson(const nlohmann::json& json)
{
    DiskUsage d;
    d.layersSize = get<std::int64_t>(json, "LayersSize");
    if (const auto* images = detail::field(json, "Images"))
        for (const auto& image : *images)
            d.images.push_back(Image::fromSummary(image));
    if (const auto* containers = detail::field(json, "Containers"))
        for (const auto& container : *containers)
            d.containers.push_back(Container::fromSummary(container));
    if (const auto* volumes = detail::field(json, "Volumes"))
        for (const auto& volume : *volumes)
            d.volumes.push_back(Volume::fromJson(volume));
    if (const auto* cache = detail::field(json, "BuildCache"))
        for (const auto& record : *cache)
            d.buildCacheSize = detail::addClamped(d.buildCacheSize, get<std::int64_t>(record, "Size"));
    d.raw = json;
    return d;
}

PruneReport PruneReport::fromJson(const nlohmann::json& json, const char* listKey)
{
    PruneReport report;
    if (const auto* list = detail::field(json, listKey))
        for (const auto& item : *list) {
            if (item.is_string()) {
                report.deleted.push_back(item.get<std::string>());
            } else {
                // Image prunes list {"Untagged": name} and {"Deleted": id} entries.
                for (const char* key : {"Untagged", "Deleted"})
                    if (const auto* value = detail::field(item, key))
                        report.deleted.push_back(value->get<std::string>());
            }
        }
    report.spaceReclaimed = get<std::uint64_t>(json, "SpaceReclaimed");
    return report;
}

} // namespace berth::engine
