#pragma once

#include "berth/vm/AgentStatus.h"
#include "berth/vm/Settings.h"
#include "berth/vm/VmDriver.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace berth::vm {

// The guest addresses a host forward connects to: the engine's own DNAT rules take a port it
// published on every address at kGuestAddress; a port it published on the guest's loopback is
// reached through kGuestLoopbackRelay, which the guest rewrites to 127.0.0.1 (vm-image/README.md).
inline constexpr const char* kGuestAddress = "10.0.2.15";
inline constexpr const char* kGuestLoopbackRelay = "10.0.2.100";

// Makes every port a running container publishes in the engine reachable on the host, as
// Docker Desktop does: follows the engine's container events, and on each start, die or destroy
// asks the engine for that container's ports and adds or removes the VM driver's forwards to
// match. On start (and after the event stream breaks) it reconciles with every running
// container. A host port another program holds is reported (ports(), warnings() and the log),
// naming the container; the container keeps running. It also notes bind mounts of host folders
// the VM does not share, which a container would otherwise see as empty folders.
// Single-threaded: create, use and destroy it on the io_context's thread.
class PortPublisher final
{
public:
    struct Options
    {
        std::filesystem::path engineSocket;
        // The instance's settings: portBindAddress for ports the engine published on all
        // addresses, shares for the bind-mount check.
        Settings settings;
        std::function<void()> onChange; // ports() or warnings() changed
    };

    PortPublisher(boost::asio::io_context& io, VmDriver& driver, Options options);
    ~PortPublisher();
    PortPublisher(const PortPublisher&) = delete;
    PortPublisher& operator=(const PortPublisher&) = delete;

    void start();
    // Ordered by host port, then protocol. A forward the driver is still making is left out
    // until it answers or fails.
    std::vector<PublishedPort> ports() const;
    std::vector<std::string> warnings() const;

private:
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

// The forwards one container's published ports need (duplicates for IPv4 and IPv6 merged).
// `ports` holds the engine's list entries: {"IP", "PrivatePort", "PublicPort", "Type"}.
struct WantedForward
{
    PortForward forward;
    int containerPort = 0;
};
std::vector<WantedForward> forwardsFor(const nlohmann::json& ports, const std::string& bindAddress);
// The same from a created container's HostConfig.PortBindings ({"80/tcp": [{"HostIp": "",
// "HostPort": "8080"}]}): only host ports asked for by number; the engine picks the others at
// start.
std::vector<WantedForward> forwardsForBindings(const nlohmann::json& bindings, const std::string& bindAddress);

// The warning for a bind mount of `source` when no share holds it; empty when it is shared or
// is a path of the VM's own (the engine's socket, /proc, /sys, /dev).
std::string unsharedMountWarning(const std::string& container, const std::string& source,
                                 const Settings& settings);

} // namespace berth::vm
