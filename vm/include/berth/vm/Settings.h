#pragma once

#include "berth/vm/Result.h"

#include <functional>
#include <string>
#include <vector>

namespace berth::vm {

// An instance's settings (settings.json in its folder). Invariant of a value returned by
// parse(): every field is within the range limits() gives for this host.
struct Settings
{
    // A host folder shared into the VM at the same absolute path, so `docker run -v HOSTPATH:…`
    // works unchanged.
    struct Share
    {
        std::string path; // absolute, lexically normal, no trailing '/'
        bool readOnly = false;
        friend bool operator==(const Share&, const Share&) = default;
    };

    int cpus = 2;
    int memoryMiB = 2048;
    int diskGiB = 64; // the data disk's size; it only ever grows
    std::vector<Share> shares = defaultShares();
    // Where a port the engine publishes on all its addresses is bound on the host: 127.0.0.1
    // (the default), or 0.0.0.0 (every host interface; the user opts in).
    std::string portBindAddress = "127.0.0.1";
    // How shared folders reach the VM: "auto" (virtiofs when a usable virtiofsd is installed,
    // else 9p), "9p" or "virtiofs".
    std::string shareTransport = "auto";
    // Containers reach this computer's services (its loopback ones included) as
    // host.docker.internal, gateway.docker.internal and --add-host NAME:host-gateway. Off: the
    // names are unknown and containers' new connections to the host are refused.
    bool hostAccess = true;
    // The engine pushes to and pulls from registries on this computer without TLS, as
    // localhost:PORT or host.docker.internal:PORT.
    bool hostRegistries = true;
    // The engine keeps images in containerd's store (multi-platform images and builds, as
    // Docker Desktop's "Use containerd for pulling and storing images") rather than its classic
    // one. Each store keeps its own images and containers; those of the other are hidden, not
    // deleted, until the setting is switched back. Volumes are shared.
    bool containerdImageStore = false;
    // The HTTP(S) proxy the engine pulls through and containers get as their default proxy
    // environment (http://[user:password@]host:port). Empty: the HTTP_PROXY, HTTPS_PROXY and
    // NO_PROXY (or lower-case) environment of the start, if any. A proxy on this computer's
    // loopback is reached at 10.0.2.2 from the VM.
    std::string httpProxy, httpsProxy, noProxy;

    struct Limits
    {
        int minCpus = 1, maxCpus = 1;
        int minMemoryMiB = 1024, maxMemoryMiB = 1024;
        int minDiskGiB = 8, maxDiskGiB = 4096;
    };
    // The ranges on this host: CPUs up to the host's count, memory up to the host's physical
    // memory less 1 GiB for the host itself.
    static Limits limits();

    // Parses and validates settings JSON. Missing fields keep their defaults; an unknown field,
    // a wrong type or a value out of range is an error naming the field, the value and the
    // allowed range. `source` names the file in messages.
    static Result<Settings> parse(const std::string& json, const std::string& source);
    // The same checks on a value (e.g. from command-line flags).
    Status validate() const;
    // The user's home folder and the system's temporary folder, those of them that are folders
    // (the temporary folder alone when the home is inside it).
    static std::vector<Share> defaultShares();
    // Checks a share list: absolute paths of existing folders, no duplicates, none inside
    // another, none over a folder the VM's own system needs (/usr, /etc, /var/lib/docker, …).
    // Errors name the path and what to do.
    static Status checkShares(const std::vector<Share>& shares);
    // `path` lexically normal, without a trailing '/': how a share's path is written.
    static std::string plainPath(const std::string& path);
    // The share whose folder holds `path`, if any.
    const Share* shareHolding(const std::string& path) const;
    std::string toJson() const;

    struct Proxies
    {
        std::string http, https, no; // as the VM reaches them
        bool empty() const { return http.empty() && https.empty(); }
        friend bool operator==(const Proxies&, const Proxies&) = default;
    };
    // The proxies to use: these settings where set, else `environment` (a getenv), with a
    // loopback host (localhost, 127.0.0.1, [::1]) rewritten to 10.0.2.2 and the VM's own names
    // added to no_proxy.
    Proxies effectiveProxies(const std::function<const char*(const char*)>& environment) const;

    friend bool operator==(const Settings&, const Settings&) = default;
};

} // namespace berth::vm
