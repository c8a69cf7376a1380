#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::engine {

// An image, from a list entry (fromSummary) or inspect (fromInspect). `raw` is the engine's JSON.
struct Image
{
    std::string id;
    std::vector<std::string> repoTags; // empty for a dangling image
    std::vector<std::string> repoDigests;
    std::string parentId;
    std::int64_t created = 0; // seconds since the epoch
    std::int64_t size = 0;
    std::int64_t containers = -1; // -1: the engine did not count them
    std::map<std::string, std::string> labels;
    nlohmann::json raw;

    bool dangling() const
    {
        return repoTags.empty() || (repoTags.size() == 1 && repoTags[0] == "<none>:<none>");
    }

    static Image fromSummary(const nlohmann::json& json);
    static Image fromInspect(const nlohmann::json& json);
};

// One layer of an image's history, newest first.
struct ImageHistoryEntry
{
    std::string id;
    std::int64_t created = 0;
    std::string createdBy;
    std::int64_t size = 0;
    std::vector<std::string> tags;
    std::string comment;

    static ImageHistoryEntry fromJson(const nlohmann::json& json);
};

} // namespace berth::engine
