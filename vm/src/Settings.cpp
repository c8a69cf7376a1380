#include "berth/vm/Settings.h"

#include "berth/vm/HostInfo.h"
#include "berth/vm/QemuCommand.h"

#include <algorithm>
#include <array>
#include <climits>
#include <optional>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include <nlohmann/json.hpp>

namespace berth::vm {

namespace {

struct Field
{
    const char* name;
    int Settings::*member;
    int Settings::Limits::*min;
    int Settings::Limits::*max;
    const char* unit;
};

constexpr Field kFields[] = {
    {"cpus", &Settings::cpus, &Settings::Limits::minCpus, &Settings::Limits::maxCpus, ""},
    {"memory_mib", &Settings::memoryMiB, &Settings::Limits::minMemoryMiB, &Settings::Limits::maxMemoryMiB, " MiB"},
    {"disk_gib", &Settings::diskGiB, &Settings::Limits::minDiskGiB, &Settings::Limits::maxDiskGiB, " GiB"},
};

// Settings that take one of a few words.
struct TextField
{
    const char* name;
    std::string Settings::*member;
    std::array<const char*, 3> allowed; // unused entries are nullptr
    const char* allowedText;            // for "it must be …" when the value is not allowed
    const char* typeText;               // for "must be …" when the value is not a string
};

const TextField kTextFields[] = {
    {"port_bind_address", &Settings::portBindAddress, {"127.0.0.1", "0.0.0.0", nullptr},
     "127.0.0.1 (this computer only) or 0.0.0.0 (every network interface)", "a string such as \"127.0.0.1\""},
    {"share_transport", &Settings::shareTransport, {"auto", "9p", "virtiofs"}, "auto, 9p or virtiofs",
     "\"auto\", \"9p\" or \"virtiofs\""},
};

// Settings that take free text, checked by `check` (an error message, or empty when fine).
struct FreeField
{
    const char* name;
    std::string Settings::*member;
    std::string (*check)(const std::string& value);
};

std::string checkProxyUrl(const std::string& value)
{
    if (value.empty())
        return {};
    if (value.rfind("http://", 0) != 0 && value.rfind("https://", 0) != 0 && value.rfind("socks5://", 0) != 0)
        return "it must start with http://, https:// or socks5:// (for example http://proxy.example:3128)";
    const auto rest = value.substr(value.find("://") + 3);
    const auto host = rest.substr(rest.find('@') == std::string::npos ? 0 : rest.find('@') + 1);
    if (host.empty() || host.front() == '/' || host.front() == ':')
        return "it names no host";
    if (std::any_of(value.begin(), value.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; }))
        return "it has a space or a control character";
    return {};
}

std::string checkNoProxy(const std::string& value)
{
    if (std::any_of(value.begin(), value.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; }))
        return "it must be a comma-separated list of names, without spaces";
    return {};
}

// The value as a message may show it: a password in a URL becomes ***.
std::string shownValue(const std::string& value)
{
    const auto scheme = value.find("://");
    const auto at = value.find('@');
    if (scheme == std::string::npos || at == std::string::npos || at < scheme)
        return value;
    const auto colon = value.find(':', scheme + 3);
    if (colon == std::string::npos || colon > at)
        return value;
    return value.substr(0, colon + 1) + "***" + value.substr(at);
}

const FreeField kFreeFields[] = {
    {"http_proxy", &Settings::httpProxy, checkProxyUrl},
    {"https_proxy", &Settings::httpsProxy, checkProxyUrl},
    {"no_proxy", &Settings::noProxy, checkNoProxy},
};

// Settings that are on or off.
struct BoolField
{
    const char* name;
    bool Settings::*member;
};

constexpr BoolField kBoolFields[] = {
    {"host_access", &Settings::hostAccess},
    {"host_registries", &Settings::hostRegistries},
    {"containerd_image_store", &Settings::containerdImageStore},
};

// The entry of a field table named `key`, or nullptr.
template <typename Entry, std::size_t N> const Entry* fieldNamed(const Entry (&table)[N], const std::string& key)
{
    const auto* found = std::find_if(std::begin(table), std::end(table), [&key](const Entry& f) { return key == f.name; });
    return found == std::end(table) ? nullptr : found;
}

std::string knownFields()
{
    std::string names;
    for (const auto& f : kFields)
        names += (names.empty() ? "" : ", ") + std::string(f.name);
    names += ", shares";
    for (const auto& f : kTextFields)
        names += ", " + std::string(f.name);
    for (const auto& f : kBoolFields)
        names += ", " + std::string(f.name);
    for (const auto& f : kFreeFields)
        names += ", " + std::string(f.name);
    return names;
}

// True when `inner` is `outer` or a path inside it (both lexically normal, no trailing '/').
bool within(const std::string& inner, const std::string& outer)
{
    if (outer == "/")
        return true;
    return inner == outer || (inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 &&
                              inner[outer.size()] == '/');
}

// Folders the guest's own system lives in: a share on one of them, inside one or above one
// would hide it.
constexpr const char* kGuestSystemPaths[] = {"/bin", "/boot", "/dev",  "/etc", "/lib",            "/lib64",
                                             "/proc", "/run", "/sbin", "/sys", "/usr",            "/var/lib/docker",
                                             "/var/lib/containerd", "/mnt/data"};

// The guest system folder that sharing `path` would hide, or nullptr.
const char* hiddenSystemPath(const std::string& path)
{
    for (const char* system : kGuestSystemPaths) {
        if (within(path, system) || within(system, path))
            return system;
    }
    return nullptr;
}

// The error for a number outside its field's range on this computer, quoting the number as given.
std::optional<Error> outOfRange(const Field& f, long long value, const Settings::Limits& l,
                                const std::string& shown)
{
    if (value >= l.*f.min && value <= l.*f.max)
        return std::nullopt;
    return Error{"'" + std::string(f.name) + "' is " + shown + f.unit + "; it must be from " +
                 std::to_string(l.*f.min) + " to " + std::to_string(l.*f.max) + f.unit + " on this computer"};
}

const char* const kSharesHint = "; change 'shares' in settings.json or use `berth shares`";

} // namespace

Settings::Limits Settings::limits()
{
    Limits l;
    const auto host = hostInfo();
    l.maxCpus = host.cpus;
    const long long hostMiB = host.memoryBytes > 0 ? static_cast<long long>(host.memoryBytes >> 20) : 2048;
    l.maxMemoryMiB = static_cast<int>(std::max<long long>(l.minMemoryMiB, hostMiB - 1024));
    return l;
}

std::string Settings::plainPath(const std::string& path)
{
    auto normal = std::filesystem::path(path).lexically_normal().string();
    while (normal.size() > 1 && normal.back() == '/')
        normal.pop_back();
    return normal;
}

std::vector<Settings::Share> Settings::defaultShares()
{
    std::vector<Share> shares;
    if (!thisQemuHost().sharesFolders())
        return shares; // this host's QEMU serves none (QemuCommand.h)
    std::error_code ec;
    const auto temp = plainPath(std::filesystem::temp_directory_path(ec).string());
    const bool tempOk = !ec && !temp.empty() && std::filesystem::is_directory(temp, ec);
    if (const char* home = std::getenv("HOME"); home && *home == '/') {
        const auto path = plainPath(home);
        if (!hiddenSystemPath(path) && std::filesystem::is_directory(path, ec) && !(tempOk && within(path, temp)) &&
            !(tempOk && within(temp, path)))
            shares.push_back({path, false});
    }
    if (tempOk)
        shares.push_back({temp, false});
    return shares;
}

Status Settings::checkShares(const std::vector<Share>& shares)
{
    if (const auto host = thisQemuHost(); !shares.empty() && !host.sharesFolders())
        return Error{"shared folders are not available on " + toString(host.os) + " yet: QEMU for " +
                     toString(host.os) + " serves neither 9p nor virtiofs; remove 'shares' from settings.json"};
    for (std::size_t i = 0; i < shares.size(); ++i) {
        const auto& path = shares[i].path;
        if (path.empty() || path.front() != '/')
            return Error{"the shared folder '" + path + "' is not an absolute path" + kSharesHint};
        if (path != plainPath(path))
            return Error{"the shared folder '" + path + "' is not written plainly; write it as '" +
                         plainPath(path) + "'" + kSharesHint};
        if (std::any_of(path.begin(), path.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
            return Error{"the shared folder '" + path + "' has a control character in its name" + kSharesHint};
        if (const char* system = hiddenSystemPath(path))
            return Error{"the folder '" + path + "' cannot be shared: it would hide " + system +
                         ", which the VM's own system uses" + kSharesHint};
        std::error_code ec;
        const auto kind = std::filesystem::status(path, ec);
        if (!std::filesystem::exists(kind))
            return Error{"the shared folder '" + path + "' does not exist; create it or remove it from the list" +
                         std::string(kSharesHint)};
        if (!std::filesystem::is_directory(kind))
            return Error{"the shared folder '" + path + "' is not a folder" + kSharesHint};
        for (std::size_t j = 0; j < i; ++j) {
            const auto& other = shares[j].path;
            if (other == path)
                return Error{"the folder '" + path + "' is shared twice" + kSharesHint};
            if (within(path, other) || within(other, path)) {
                const auto& inner = within(path, other) ? path : other;
                const auto& outer = within(path, other) ? other : path;
                return Error{"the shared folder '" + inner + "' is inside '" + outer +
                             "', which is shared too; keep one of them" + kSharesHint};
            }
        }
    }
    return Ok{};
}

const Settings::Share* Settings::shareHolding(const std::string& path) const
{
    const auto normal = plainPath(path);
    for (const auto& share : shares) {
        if (within(normal, share.path))
            return &share;
    }
    return nullptr;
}

Status Settings::validate() const
{
    const auto l = limits();
    for (const auto& f : kFields) {
        if (auto error = outOfRange(f, this->*f.member, l, std::to_string(this->*f.member)))
            return *error;
    }
    for (const auto& f : kTextFields) {
        const auto& value = this->*f.member;
        if (std::none_of(f.allowed.begin(), f.allowed.end(), [&value](const char* a) { return a && value == a; }))
            return Error{"'" + std::string(f.name) + "' is '" + value + "'; it must be " + f.allowedText};
    }
    for (const auto& f : kFreeFields) {
        if (const auto why = f.check(this->*f.member); !why.empty())
            return Error{"'" + std::string(f.name) + "' is '" + shownValue(this->*f.member) + "'; " + why};
    }
    return checkShares(shares);
}

Result<Settings> Settings::parse(const std::string& json, const std::string& source)
{
    const auto doc = nlohmann::json::parse(json, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return Error{source + " is not a JSON object; fix it or delete it to go back to the defaults"};
    Settings s;
    const auto hostLimits = limits(); // asks the system once, not once per field
    for (const auto& item : doc.items()) {
        // Named, not a structured binding: clang before 16 cannot capture those in the lambdas below.
        const std::string& key = item.key();
        const auto& value = item.value();
        if (const auto* text = fieldNamed(kTextFields, key)) {
            if (!value.is_string())
                return Error{source + ": '" + key + "' must be " + text->typeText + ", not " + value.dump()};
            s.*text->member = value.get<std::string>();
            continue;
        }
        if (const auto* free = fieldNamed(kFreeFields, key)) {
            if (!value.is_string())
                return Error{source + ": '" + key + "' must be a string, not " + value.dump()};
            s.*free->member = value.get<std::string>();
            continue;
        }
        if (const auto* flag = fieldNamed(kBoolFields, key)) {
            if (!value.is_boolean())
                return Error{source + ": '" + key + "' must be true or false, not " + value.dump()};
            s.*flag->member = value.get<bool>();
            continue;
        }
        if (key == "shares") {
            if (!value.is_array())
                return Error{source + ": 'shares' must be a list of {\"path\": …, \"read_only\": …}, not " +
                             value.dump()};
            s.shares.clear();
            for (const auto& entry : value) {
                if (!entry.is_object() || !entry.contains("path") || !entry["path"].is_string())
                    return Error{source + ": each entry of 'shares' needs a \"path\" string, not " + entry.dump()};
                for (const auto& [k, v] : entry.items()) {
                    if (k != "path" && k != "read_only")
                        return Error{source + ": unknown key '" + k + "' in a share (known: path, read_only)"};
                    if (k == "read_only" && !v.is_boolean())
                        return Error{source + ": 'read_only' of a share must be true or false, not " + v.dump()};
                }
                s.shares.push_back({entry["path"].get<std::string>(), entry.value("read_only", false)});
            }
            continue;
        }
        const auto* field = fieldNamed(kFields, key);
        if (!field)
            return Error{source + ": unknown setting '" + key + "' (known: " + knownFields() + ")"};
        if (!value.is_number_integer())
            return Error{source + ": '" + key + "' must be a whole number, not " + value.dump()};
        // Checked here, before it is narrowed to an int, so the message quotes what the file says.
        const auto number = value.is_number_unsigned() && value.get<unsigned long long>() > LLONG_MAX
                                ? LLONG_MAX
                                : value.get<long long>();
        if (auto error = outOfRange(*field, number, hostLimits, value.dump()))
            return Error{source + ": " + error->message};
        s.*field->member = static_cast<int>(number);
    }
    if (auto valid = s.validate(); !valid)
        return Error{source + ": " + valid.error().message};
    return s;
}

std::string Settings::toJson() const
{
    nlohmann::json doc;
    for (const auto& f : kFields)
        doc[f.name] = this->*f.member;
    doc["shares"] = nlohmann::json::array();
    for (const auto& share : shares)
        doc["shares"].push_back({{"path", share.path}, {"read_only", share.readOnly}});
    for (const auto& f : kTextFields)
        doc[f.name] = this->*f.member;
    for (const auto& f : kBoolFields)
        doc[f.name] = this->*f.member;
    for (const auto& f : kFreeFields)
        doc[f.name] = this->*f.member;
    return doc.dump(2) + "\n";
}

namespace {

// `url` with a loopback host (localhost, 127.x.x.x, [::1]) replaced by 10.0.2.2, where the VM
// reaches this computer's loopback.
std::string reachableFromVm(const std::string& url)
{
    const auto scheme = url.find("://");
    if (scheme == std::string::npos)
        return url;
    auto hostStart = scheme + 3;
    const auto slash = url.find('/', hostStart);
    const auto at = url.find('@', hostStart);
    if (at != std::string::npos && (slash == std::string::npos || at < slash))
        hostStart = at + 1;
    std::size_t hostEnd;
    if (url.compare(hostStart, 1, "[") == 0)
        hostEnd = url.find(']', hostStart) == std::string::npos ? url.size() : url.find(']', hostStart) + 1;
    else
        hostEnd = std::min(url.find(':', hostStart), url.find('/', hostStart));
    hostEnd = std::min(hostEnd, url.size());
    const auto host = url.substr(hostStart, hostEnd - hostStart);
    const bool loopback = host == "localhost" || host == "[::1]" || host.rfind("127.", 0) == 0;
    return loopback ? url.substr(0, hostStart) + "10.0.2.2" + url.substr(hostEnd) : url;
}

} // namespace

Settings::Proxies Settings::effectiveProxies(const std::function<const char*(const char*)>& environment) const
{
    const auto fromEnvironment = [&environment](const char* upper, const char* lower) {
        for (const char* name : {upper, lower}) {
            if (const char* value = environment(name); value && *value)
                return std::string(value);
        }
        return std::string();
    };
    const bool set = !httpProxy.empty() || !httpsProxy.empty();
    Proxies p;
    p.http = set ? httpProxy : fromEnvironment("HTTP_PROXY", "http_proxy");
    p.https = set ? httpsProxy : fromEnvironment("HTTPS_PROXY", "https_proxy");
    p.no = set ? noProxy : fromEnvironment("NO_PROXY", "no_proxy");
    // A value that is not a proxy URL (from the environment) is left out rather than break pulls.
    if (!checkProxyUrl(p.http).empty())
        p.http.clear();
    if (!checkProxyUrl(p.https).empty())
        p.https.clear();
    if (p.empty())
        return {};
    p.http = reachableFromVm(p.http);
    p.https = reachableFromVm(p.https);
    // The VM's own names never go through the proxy.
    for (const char* own : {"localhost", "127.0.0.1", "::1", "host.docker.internal", "gateway.docker.internal"}) {
        const auto list = "," + p.no + ",";
        if (list.find("," + std::string(own) + ",") == std::string::npos)
            p.no += (p.no.empty() ? "" : ",") + std::string(own);
    }
    return p;
}

} // namespace berth::vm
