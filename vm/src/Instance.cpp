#include "berth/vm/Instance.h"

#include "berth/vm/AppPaths.h"
#include "berth/vm/Settings.h"

#include "berth/vm/Sha256.h"
#include "berth/vm/SshKeys.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace berth::vm {

namespace fs = std::filesystem;

namespace {

// Creates `dir` privately (makePrivateFolder). Berth's own folders are made private even when
// they exist; a folder the user named (BERTH_HOME) is made private only when Berth creates it: it
// may be their home or /tmp, whose mode is not Berth's to change.
Status makePrivateDir(const fs::path& dir, bool ours = true)
{
    std::error_code ec;
    if (!ours && fs::is_directory(dir, ec))
        return Ok{};
    return makePrivateFolder(dir);
}

bool validName(const std::string& name)
{
    if (name.empty() || name.size() > 32 || name.front() == '-')
        return false;
    return name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
}

} // namespace

Result<fs::path> defaultHome()
{
    if (const char* home = std::getenv("BERTH_HOME"); home && *home)
        return fs::path(home);
    return userDataFolder();
}

Result<std::string> readFile(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return Error{"cannot read " + file.string()};
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

Result<std::string> checkDaemonConfigText(const std::string& text, const std::string& where)
{
    const auto json = nlohmann::json::parse(text, nullptr, false);
    if (json.is_discarded() || !json.is_object())
        return Error{where + " is not a JSON object; fix it or remove it to use the engine's defaults"};
    for (const auto* forbidden : {"hosts", "tls", "tlsverify"})
        if (json.contains(forbidden))
            return Error{where + " sets \"" + forbidden +
                         "\"; Berth serves the engine on its own socket only, so remove that entry"};
    for (const auto* forbidden : {"data-root", "exec-root", "graph"})
        if (json.contains(forbidden))
            return Error{where + " sets \"" + forbidden +
                         "\"; Berth keeps the engine's state on the VM's data disk, so remove that entry"};
    if (json.contains("features") && !json["features"].is_object())
        return Error{where + ": \"features\" is not an object; write it as {\"NAME\": true}"};
    return json.dump();
}

namespace {
constexpr const char* kSnapshotterFeature = "containerd-snapshotter";
}

ImageStoreChoice imageStoreOf(const std::string& checked, const Settings& settings)
{
    const auto json = checked.empty() ? nlohmann::json::object() : nlohmann::json::parse(checked);
    if (const auto f = json.find("features"); f != json.end() && f->is_object())
        if (const auto flag = f->find(kSnapshotterFeature); flag != f->end() && flag->is_boolean())
            return {flag->get<bool>(), true};
    return {settings.containerdImageStore, false};
}

std::string daemonConfigForGuest(const std::string& checked, const Settings& settings,
                                 const Settings::Proxies& proxies)
{
    constexpr const char* kHost = "10.0.2.2"; // QEMU's user network: the host's loopback
    auto json = checked.empty() ? nlohmann::json::object() : nlohmann::json::parse(checked);
    if (settings.hostAccess && !json.contains("host-gateway-ip") && !json.contains("host-gateway-ips"))
        json["host-gateway-ip"] = kHost;
    if (settings.hostRegistries) {
        auto& insecure = json["insecure-registries"];
        if (insecure.is_null())
            insecure = nlohmann::json::array();
        const std::string range = std::string(kHost) + "/32";
        if (insecure.is_array() && std::find(insecure.begin(), insecure.end(), range) == insecure.end())
            insecure.push_back(range);
    }
    if (const auto store = imageStoreOf(checked, settings); store.containerd && !store.setInDaemonJson)
        json["features"][kSnapshotterFeature] = true;
    if (!proxies.empty() && !json.contains("proxies")) {
        auto& p = json["proxies"] = nlohmann::json::object();
        if (!proxies.http.empty())
            p["http-proxy"] = proxies.http;
        if (!proxies.https.empty())
            p["https-proxy"] = proxies.https;
        if (!proxies.no.empty())
            p["no-proxy"] = proxies.no;
    }
    return json.dump();
}

Result<Instance> Instance::open(const std::string& name)
{
    auto home = defaultHome();
    if (!home)
        return home.error();
    return open(*home, name);
}

Result<Instance> Instance::open(const fs::path& home, const std::string& name)
{
    if (!validName(name))
        return Error{"'" + name +
                     "' is not a valid instance name: use 1-32 of a-z, 0-9 and '-', not starting with '-'"};
    const auto absoluteHome = fs::absolute(home);
    Instance instance(name, absoluteHome / name);
    if (const auto limit = localEndpointLimit(); limit && instance.engineSocket().string().size() > *limit)
        return Error{"the engine socket path " + instance.engineSocket().string() +
                     " is longer than a Unix socket " + "allows (" + std::to_string(*limit) +
                     " bytes); set BERTH_HOME to a shorter folder"};
    if (auto made = makePrivateDir(absoluteHome, false); !made)
        return made.error();
    for (const auto& dir : {instance.dir(), instance.sshDir(), instance.socketDir(), instance.logDir()}) {
        if (auto made = makePrivateDir(dir); !made)
            return made.error();
    }
    return instance;
}

Result<Settings> Instance::loadSettings() const
{
    if (!fs::exists(settingsFile()))
        return Settings{};
    auto text = readFile(settingsFile());
    if (!text)
        return text.error();
    return Settings::parse(text.value(), settingsFile().string());
}

Status Instance::saveSettings(const Settings& settings) const
{
    if (auto valid = settings.validate(); !valid)
        return Error{valid.error().message + "; " + settingsFile().string() + " was not changed"};
    return writeFileAtomically(settingsFile(), settings.toJson());
}

std::string Instance::dockerContextName() const
{
    // Paths compared as the file system sees them, so a BERTH_HOME spelt differently (a trailing
    // slash, a link) that is the user's data folder still gets the plain name.
    const auto canonical = [](const fs::path& path) {
        std::error_code ec;
        auto resolved = fs::weakly_canonical(path, ec);
        return ec ? path.lexically_normal() : resolved;
    };
    const auto home = canonical(m_dir.parent_path());
    std::string context = m_name == "default" ? "berth" : "berth-" + m_name;
    const auto data = userDataFolder();
    if (!data || home != canonical(*data))
        context += "-" + sha256Hex(home.string()).substr(0, 8);
    return context;
}

std::optional<std::uint64_t> Instance::dataDiskBytes() const
{
    std::error_code ec;
    const auto size = fs::file_size(dataDisk(), ec);
    if (ec)
        return std::nullopt;
    return static_cast<std::uint64_t>(size);
}

Status Instance::checkDiskSize(int diskGiB) const
{
    const auto bytes = dataDiskBytes();
    if (!bytes || *bytes <= (static_cast<std::uint64_t>(std::max(diskGiB, 0)) << 30))
        return Ok{};
    const auto existing = (*bytes + (1ULL << 30) - 1) >> 30;
    return Error{"the data disk " + dataDisk().string() + " is " + std::to_string(existing) + " GiB, and " +
                 std::to_string(diskGiB) + " GiB is smaller: a data disk only grows. Use " +
                 std::to_string(existing) + " GiB or more (`berth reset --yes` deletes the disk to start over)"};
}

Status Instance::ensureKeys() const
{
    for (const auto& [file, comment] :
         {std::pair{clientKey(), "berth-client"}, std::pair{hostKey(), "berth-host"}}) {
        const auto pub = fs::path(file.string() + ".pub");
        if (fs::exists(file) && fs::exists(pub))
            continue;
        auto pair = generateInstanceKey(comment);
        if (!pair)
            return pair.error();
        // Private key first, public last: a pair missing its .pub is made anew next time.
        if (auto s = writeFileAtomically(file, pair->privateKey, 0600); !s)
            return s;
        if (auto s = writeFileAtomically(pub, pair->publicKey + "\n", 0644); !s)
            return s;
    }
    return Ok{};
}

Result<std::string> Instance::hostPublicKey() const
{
    auto text = readFile(hostKey().string() + ".pub");
    if (!text)
        return Error{"the instance has no pinned host key (" + hostKey().string() +
                     ".pub); start it once to create it"};
    auto key = text.value();
    // Keep "type base64", drop the comment.
    const auto first = key.find(' ');
    const auto second = key.find(' ', first + 1);
    key = key.substr(0, second == std::string::npos ? key.find('\n') : second);
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r'))
        key.pop_back();
    return key;
}

Result<std::string> Instance::checkDaemonConfig() const
{
    std::error_code ec;
    if (!fs::exists(daemonConfig(), ec))
        return std::string();
    auto text = readFile(daemonConfig());
    if (!text)
        return text.error();
    return checkDaemonConfigText(*text, daemonConfig().string());
}

} // namespace berth::vm
