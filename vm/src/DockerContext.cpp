#include "berth/vm/DockerContext.h"

#include "berth/vm/AppPaths.h"
#include "berth/vm/Instance.h"
#include "berth/vm/LocalEndpoint.h"
#include "berth/vm/Sha256.h"

#include <algorithm>
#include <cstdlib>

#include <nlohmann/json.hpp>

namespace berth::vm {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// Where the docker CLI looks when no context is chosen.
#ifdef _WIN32
constexpr const char* kDefaultEndpoint = "npipe:////./pipe/docker_engine";
#else
constexpr const char* kDefaultEndpoint = "unix:///var/run/docker.sock";
#endif

fs::path metaFile(const fs::path& configDir, const std::string& name)
{
    return configDir / "contexts" / "meta" / sha256Hex(name) / "meta.json";
}

Status makePrivateDir(const fs::path& dir)
{
    std::error_code ec;
    if (fs::exists(dir, ec))
        return Ok{};
    fs::create_directories(dir, ec);
    if (ec)
        return Error{"cannot create " + dir.string() + ": " + ec.message()};
    fs::permissions(dir, fs::perms::owner_all, ec);
    return Ok{};
}

// config.json as an object (empty when there is none) and the file's mode; an error, and the
// file left as it is, when it is not a JSON object.
Result<std::pair<json, unsigned>> loadConfig(const fs::path& configFile)
{
    json config = json::object();
    unsigned mode = 0600;
    if (const auto text = readFile(configFile)) {
        config = json::parse(*text, nullptr, false);
        if (!config.is_object())
            return Error{configFile.string() + " is not valid JSON; Berth left it as it is"};
        std::error_code ec;
        if (const auto status = fs::status(configFile, ec); !ec)
            mode = static_cast<unsigned>(status.permissions() & fs::perms::mask);
    }
    return std::make_pair(std::move(config), mode);
}

} // namespace

fs::path dockerConfigDir()
{
    if (const char* dir = std::getenv("DOCKER_CONFIG"); dir && *dir)
        return dir;
    const auto home = homeFolder();
    return (home ? *home : fs::path("/")) / ".docker";
}

Result<std::string> dockerContextEndpoint(const fs::path& configDir, const std::string& name)
{
    if (name.empty() || name == "default")
        return std::string(kDefaultEndpoint);
    const auto text = readFile(metaFile(configDir, name));
    if (!text)
        return Error{"docker context '" + name + "' does not exist"};
    const auto meta = json::parse(*text, nullptr, false);
    if (!meta.is_object() || !meta.contains("Endpoints") || !meta["Endpoints"].is_object() ||
        !meta["Endpoints"].contains("docker") || !meta["Endpoints"]["docker"].is_object())
        return Error{"docker context '" + name + "' has no docker endpoint"};
    return meta["Endpoints"]["docker"].value("Host", std::string());
}

Result<ContextUpdate> ensureDockerContext(const fs::path& configDir, const std::string& name,
                                          const fs::path& socket, bool makeCurrent)
{
    if (auto made = makePrivateDir(configDir); !made)
        return made.error();
    const auto meta = metaFile(configDir, name);
    if (auto made = makePrivateDir(meta.parent_path()); !made)
        return made.error();
    const json context{
        {"Name", name},
        {"Metadata", {{"Description", "Berth: the Docker engine in Berth's VM"}}},
        {"Endpoints", {{"docker", {{"Host", engineEndpoint(socket).toString()}, {"SkipTLSVerify", false}}}}}};
    if (auto written = writeFileAtomically(meta, context.dump() + "\n", 0644); !written)
        return written.error();

    ContextUpdate update;
    const auto configFile = configDir / "config.json";
    auto loaded = loadConfig(configFile);
    if (!loaded)
        return Error{loaded.error().message + "; fix it, then run `docker context use " + name + "`"};
    auto& [config, mode] = loaded.value();
    update.previous = config.value("currentContext", std::string("default"));
    if (update.previous.empty())
        update.previous = "default";
    if (update.previous == name) {
        update.note = "docker context '" + name + "' is current";
        return update;
    }
    bool switchTo = makeCurrent;
    if (!switchTo) {
        const auto endpoint = dockerContextEndpoint(configDir, update.previous);
        if (!endpoint) {
            switchTo = true; // the current context is broken
        } else if (const auto local = engine::Endpoint::parse(*endpoint)) {
            switchTo = !localEndpointAnswers(local->path()); // its engine is not running
        }
    }
    if (!switchTo) {
        update.note = "docker context '" + update.previous +
                      "' stays current (its engine answers); use `docker --context " + name +
                      "` or `berth context use`";
        return update;
    }
    config["currentContext"] = name;
    if (auto written = writeFileAtomically(configFile, config.dump(1, '\t') + "\n", mode); !written)
        return written.error();
    update.madeCurrent = true;
    update.note = "docker context '" + name + "' is now current (was '" + update.previous + "')";
    return update;
}

Result<bool> ensureCliPluginsDir(const fs::path& configDir, const fs::path& pluginsDir)
{
    const auto configFile = configDir / "config.json";
    auto loaded = loadConfig(configFile);
    if (!loaded)
        return Error{loaded.error().message + ", so `docker compose` and `docker buildx` may not be found. Fix it; " +
                     "the next `berth start` adds " + pluginsDir.string() + " to its cliPluginsExtraDirs"};
    auto& [config, mode] = loaded.value();
    auto& dirs = config["cliPluginsExtraDirs"];
    if (dirs.is_null())
        dirs = json::array();
    if (!dirs.is_array() || !std::all_of(dirs.begin(), dirs.end(), [](const json& d) { return d.is_string(); }))
        return Error{configFile.string() +
                     ": cliPluginsExtraDirs is not a list of folder names; Berth left the file as it is, so "
                     "`docker compose` and `docker buildx` may not be found. Make it a list, and the next "
                     "`berth start` adds " +
                     pluginsDir.string() + " to it"};
    const auto same = [](const fs::path& a, const fs::path& b) { // a trailing slash does not count
        return (a / "").lexically_normal() == (b / "").lexically_normal();
    };
    for (const auto& d : dirs)
        if (same(d.get<std::string>(), pluginsDir))
            return false;
    dirs.push_back(pluginsDir.string());
    if (auto made = makePrivateDir(configDir); !made)
        return made.error();
    if (auto written = writeFileAtomically(configFile, config.dump(1, '\t') + "\n", mode); !written)
        return written.error();
    return true;
}

Result<bool> ensureCliProxies(const fs::path& configDir, const std::string& host, const std::string& http,
                              const std::string& https, const std::string& no)
{
    const auto configFile = configDir / "config.json";
    if (http.empty() && https.empty() && !fs::exists(configFile))
        return false;
    auto loaded = loadConfig(configFile);
    if (!loaded)
        return Error{loaded.error().message + ", so containers started with the docker CLI do not get the proxy"};
    auto& [config, mode] = loaded.value();
    json wanted = json::object();
    if (!http.empty())
        wanted["httpProxy"] = http;
    if (!https.empty())
        wanted["httpsProxy"] = https;
    if (!no.empty())
        wanted["noProxy"] = no;
    auto& proxies = config["proxies"];
    if (proxies.is_null())
        proxies = json::object();
    if (!proxies.is_object())
        return Error{configFile.string() + ": proxies is not an object; Berth left the file as it is"};
    const bool have = proxies.contains(host);
    if (wanted.empty()) {
        if (!have)
            return false;
        proxies.erase(host);
        if (proxies.empty())
            config.erase("proxies");
    } else {
        if (have && proxies[host] == wanted)
            return false;
        proxies[host] = wanted;
    }
    if (auto made = makePrivateDir(configDir); !made)
        return made.error();
    if (auto written = writeFileAtomically(configFile, config.dump(1, '\t') + "\n", mode); !written)
        return written.error();
    return true;
}

} // namespace berth::vm
