#include "berth/engine/Image.h"

#include "berth/engine/detail/JsonFields.h"

namespace berth::engine {

using detail::get;

Image Image::fromSummary(const nlohmann::json& json)
{
    Image image;
    image.id = json.at("Id").get<std::string>();
    image.repoTags = detail::strings(json, "RepoTags");
    image.repoDigests = detail::strings(json, "RepoDigests");
    image.parentId = get<std::string>(json, "ParentId");
    image.created = get<std::int64_t>(json, "Created");
    image.size = get<std::int64_t>(json, "Size");
    image.containers = get<std::int64_t>(json, "Containers", -1);
    image.labels = detail::stringMap(json, "Labels");
    image.raw = json;
    return image;
}

Image Image::fromInspect(const nlohmann::json& json)
{
    Image image;
    image.id = json.at("Id").get<std::string>();
    image.repoTags = detail::strings(json, "RepoTags");
    image.repoDigests = detail::strings(json, "RepoDigests");
    image.parentId = get<std::string>(json, "Parent");
    image.created = detail::parseTimestamp(get<std::string>(json, "Created"));
    image.size = get<std::int64_t>(json, "Size");
    image.labels = detail::stringMap(detail::object(json, "Config"), "Labels");
    image.raw = json;
    return image;
}

ImageHistoryEntry ImageHistoryEntry::fromJson(const nlohmann::json& json)
{
    return {get<std::string>(json, "Id"),        get<std::int64_t>(json, "Created"),
            get<std::string>(json, "CreatedBy"), get<std::int64_t>(json, "Size"),
            detail::strings(json, "Tags"),       get<std::string>(json, "Comment")};
}

} // namespace berth::engine
