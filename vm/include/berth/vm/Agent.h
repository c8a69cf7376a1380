#pragma once

#include "berth/vm/AgentStatus.h"
#include "berth/vm/Instance.h"
#include "berth/vm/InstanceLock.h"
#include "berth/vm/Result.h"
#include "berth/vm/VmDriver.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

namespace berth::vm {

struct AgentOptions
{
    std::filesystem::path imageDir;   // the guest image (a folder with manifest.json)
    std::string accelerator;          // forced by name, or empty for the best that works
    std::chrono::seconds bootTimeout{300};
    std::chrono::seconds stopTimeout{60}; // for a clean powerdown before QEMU is killed
    std::filesystem::path dockerConfig;   // docker CLI config folder for the context; empty: leave it
    std::filesystem::path cliPluginsDir;  // Berth's compose and buildx, added to dockerConfig; empty: none
    // Where to offer the engine socket as a link while running (conventionalSocketPaths() for a
    // person's agent); each only where nothing else is. Empty: nowhere.
    std::vector<std::filesystem::path> socketLinks;
    std::function<void()> onFinished;     // runs once, when the agent has finished
};

// The host agent of one instance: owns the VM (through a VmDriver), the SSH session and the
// engine socket, and serves the control API (ControlProtocol.h). One per instance, guaranteed
// by the InstanceLock it holds. Lifetime: start() boots the VM; the agent is finished once the
// VM has stopped (on request) or failed, every client has been told, and the engine and
// control sockets are gone; then the io_context runs out of work.
// Single-threaded: create, use and destroy it on the io_context's thread.
class Agent final
{
public:
    // Listens on the instance's control socket. Fails naming the socket.
    static Result<std::unique_ptr<Agent>> create(boost::asio::io_context& io, Instance instance, InstanceLock lock,
                                                 AgentOptions options, std::unique_ptr<VmDriver> driver);
    ~Agent();
    Agent(const Agent&) = delete;
    Agent& operator=(const Agent&) = delete;

    // Begins booting; returns at once.
    void start();
    // As the control API's "stop" (SIGTERM to the agent lands here); returns what it did.
    std::string stop();
    const AgentStatus& status() const;
    // 0 after a requested stop, 1 after a failure.
    int exitCode() const;

private:
    struct Impl;
    explicit Agent(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> m_impl;
};

} // namespace berth::vm
