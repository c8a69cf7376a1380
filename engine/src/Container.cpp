#include "berth/engine/Container.h"

#include "berth/engine/detail/JsonFields.h"

#include <charconv>
#include <string_view>
#include <utility>

namespace berth::engine {

using detail::get;
using detail::object;

namespace {

std::string healthFromStatus(const std::string& status)
{
    if (status.find("(healthy)") != std::string::npos)
        return "healthy";
    if (status.find("(unhealthy)") != std::string::npos)
        return "unhealthy";
    if (status.find("(health: starting)") != std::string::npos)
        return "starting";
    return {};
}

// The engine words durations as go-units' HumanDuration does: "Less than a second", "1 second",
// "45 seconds", "About a minute", "5 minutes", "About an hour", "3 hours", "2 days", "3 weeks",
// "4 months", "2 years". Seconds, or -1 for anything else.
std::int64_t secondsIn(std::string_view words)
{
    if (words == "Less than a second")
        return 0;
    if (words == "About a minute")
        return 60;
    if (words == "About an hour")
        return 3600;
    std::int64_t count = 0;
    const auto [end, ec] = std::from_chars(words.data(), words.data() + words.size(), count);
    if (ec != std::errc() || end == words.data() || end == words.data() + words.size() || *end != ' ')
        return -1;
    auto unit = words.substr(static_cast<std::size_t>(end - words.data()) + 1);
    if (unit.ends_with('s'))
        unit.remove_suffix(1);
    static const std::pair<std::string_view, std::int64_t> kUnits[] = {
        {"second", 1},       {"minute", 60},        {"hour", 3600},       {"day", 86400},
        {"week", 7 * 86400}, {"month", 30 * 86400}, {"year", 365 * 86400}};
    for (const auto& [name, seconds] : kUnits)
        if (unit == name)
            return count * seconds;
    return -1;
}

// "Exited (137) 2 minutes ago": the code, and how long ago.
void exitFromStatus(std::string_view status, Container& c)
{
    constexpr std::string_view kPrefix = "Exited (";
    if (!status.starts_with(kPrefix))
        return;
    status.remove_prefix(kPrefix.size());
    int code = 0;
    const auto [end, ec] = std::from_chars(status.data(), status.data() + status.size(), code);
    if (ec != std::errc() || end == status.data() + status.size() || *end != ')')
        return;
    c.exitCode = code;
    status.remove_prefix(static_cast<std::size_t>(end - status.data()) + 1);
    if (status.starts_with(' ') && status.ends_with(" ago"))
        c.exitedSecondsAgo = secondsIn(status.substr(1, status.size() - 5));
}

std::vector<ContainerMount> mountsFrom(const nlohmann::json& json)
{
    std::vector<ContainerMount> mounts;
    if (const auto* list = detail::field(json, "Mounts"))
        for (const auto& m : *list)
            mounts.push_back({get<std::string>(m, "Type"), get<std::string>(m, "Name"),
                              get<std::string>(m, "Source"), get<std::string>(m, "Destination"),
                              get<bool>(m, "RW", true)});
    return mounts;
}

std::vector<std::string> networksFrom(const nlohmann::json& json)
{
    std::vector<std::string> names;
    for (const auto& [name, value] : object(object(json, "NetworkSettings"), "Networks").items())
        names.push_back(name);
    return names;
}

std::uint16_t portNumber(const std::string& text)
{
    unsigned value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value <= 65535 ? static_cast<std::uint16_t>(value) : 0;
}

} // namespace

std::string Container::label(const std::string& key) const
{
    const auto it = labels.find(key);
    return it == labels.end() ? std::string() : it->second;
}

Container Container::fromSummary(const nlohmann::json& json)
{
    Container c;
    c.id = json.at("Id").get<std::string>();
    c.names = detail::strings(json, "Names");
    if (!c.names.empty())
        c.name = c.names.front().substr(c.names.front().starts_with('/') ? 1 : 0);
    c.image = get<std::string>(json, "Image");
    c.imageId = get<std::string>(json, "ImageID");
    c.command = get<std::string>(json, "Command");
    c.created = get<std::int64_t>(json, "Created");
    c.state = get<std::string>(json, "State");
    c.status = get<std::string>(json, "Status");
    c.health = healthFromStatus(c.status);
    exitFromStatus(c.status, c);
    if (const auto* ports = detail::field(json, "Ports"))
        for (const auto& p : *ports)
            c.ports.push_back({get<std::string>(p, "IP"), get<std::uint16_t>(p, "PrivatePort"),
                               get<std::uint16_t>(p, "PublicPort"), get<std::string>(p, "Type", "tcp")});
    c.mounts = mountsFrom(json);
    c.networks = networksFrom(json);
    c.labels = detail::stringMap(json, "Labels");
    if (const auto* size = detail::field(json, "SizeRootFs")) {
        c.sizeRootFs = detail::as<std::int64_t>(*size);
        c.sizeRw = get<std::int64_t>(json, "SizeRw"); // left out when 0
    }
    c.raw = json;
    return c;
}

Container Container::fromInspect(const nlohmann::json& json)
{
    Container c;
    c.id = json.at("Id").get<std::string>();
    const auto name = get<std::string>(json, "Name");
    c.name = name.substr(name.starts_with('/') ? 1 : 0);
    c.names = {name};
    const auto& config = object(json, "Config");
    c.image = get<std::string>(config, "Image");
    c.imageId = get<std::string>(json, "Image");
    c.command = get<std::string>(json, "Path");
    for (const auto& arg : detail::strings(json, "Args"))
        c.command += " " + arg;
    c.created = detail::parseTimestamp(get<std::string>(json, "Created"));
    const auto& state = object(json, "State");
    c.state = get<std::string>(state, "Status");
    c.exitCode = get<int>(state, "ExitCode");
    c.startedAt = get<std::string>(state, "StartedAt");
    c.finishedAt = get<std::string>(state, "FinishedAt");
    c.health = get<std::string>(object(state, "Health"), "Status");
    if (c.health == "none")
        c.health.clear();
    c.tty = get<bool>(config, "Tty");
    c.labels = detail::stringMap(config, "Labels");
    for (const auto& [key, bindings] : object(object(json, "NetworkSettings"), "Ports").items()) {
        const auto slash = key.find('/');
        ContainerPort port{{},
                           portNumber(key.substr(0, slash)),
                           0,
                           slash == std::string::npos ? "tcp" : key.substr(slash + 1)};
        if (!bindings.is_array() || bindings.empty()) {
            c.ports.push_back(port);
            continue;
        }
        for (const auto& binding : bindings) {
            port.ip = get<std::string>(binding, "HostIp");
            port.publicPort = portNumber(get<std::string>(binding, "HostPort"));
            c.ports.push_back(port);
        }
    }
    c.mounts = mountsFrom(json);
    c.networks = networksFrom(json);
    if (const auto* size = detail::field(json, "SizeRw"))
        c.sizeRw = detail::as<std::int64_t>(*size);
    if (const auto* size = detail::field(json, "SizeRootFs"))
        c.sizeRootFs = detail::as<std::int64_t>(*size);
    c.raw = json;
    return c;
}

} // namespace berth::engine
