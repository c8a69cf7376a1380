#include "AgentMain.h"

#include "berth/vm/Agent.h"
#include "berth/vm/DockerContext.h"
#include "berth/vm/InstallPaths.h"
#include "berth/vm/Process.h"
#include "berth/vm/QemuDriver.h"
#include "berth/vm/SocketLinks.h"

#include <csignal>
#include <cstdlib>
#include <iostream>

#include <boost/asio/signal_set.hpp>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>

namespace berth::app {

int agentMain(const std::vector<std::string>& args)
{
    std::string instanceName = "default", accel;
    std::string readyEnd; // the ReportPipe end that `berth start` handed over
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto value = [&]() { return i + 1 < args.size() ? args[++i] : std::string(); };
        if (args[i] == "--instance")
            instanceName = value();
        else if (args[i] == "--accel")
            accel = value();
        else if (args[i] == "--ready-fd")
            readyEnd = value();
        else {
            std::cerr << "berth agent: unknown argument " << args[i] << "\n";
            return 2;
        }
    }
    // It outlives the terminal that started it, and everything it and QEMU create (logs, QMP
    // socket) is for this user only.
    vm::becomeBackgroundProcess();

    auto instance = vm::Instance::open(instanceName);
    if (!instance) {
        vm::reportToParent(readyEnd, "error " + instance.error().message);
        return 1;
    }
    auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(instance->agentLog().string(), 5 * 1024 * 1024, 3);
    auto logger = std::make_shared<spdlog::logger>("agent", std::move(sink));
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);

    auto lock = vm::InstanceLock::tryAcquire(instance.value());
    if (!lock) {
        vm::reportToParent(readyEnd, "error " + lock.error().message);
        return 1;
    }
    if (!lock->has_value()) {
        vm::reportToParent(readyEnd, "locked");
        return 3;
    }
    spdlog::info("agent {} for instance '{}' (image {})", vm::currentProcessId(), instanceName,
                 vm::imageDir().string());

    boost::asio::io_context io;
    boost::asio::signal_set signals(io, SIGTERM, SIGINT);
    vm::AgentOptions options;
    options.imageDir = vm::imageDir();
    options.accelerator = accel;
    options.dockerConfig = vm::dockerConfigDir();
    options.cliPluginsDir = vm::cliPluginsDir();
    options.socketLinks = vm::conventionalSocketPaths();
    options.onFinished = [&signals]() { signals.cancel(); };
    auto agent = vm::Agent::create(io, instance.value(), std::move(lock.value().value()), options,
                                   std::make_unique<vm::QemuDriver>(io));
    if (!agent) {
        spdlog::error("{}", agent.error().message);
        vm::reportToParent(readyEnd, "error " + agent.error().message);
        return 1;
    }
    vm::reportToParent(readyEnd, "ok");
    vm::closeReport(readyEnd);

    std::function<void()> waitForSignal = [&]() {
        signals.async_wait([&](boost::system::error_code ec, int sig) {
            if (ec)
                return;
            spdlog::info("signal {}: stopping", sig);
            agent.value()->stop();
            waitForSignal();
        });
    };
    waitForSignal();
    agent.value()->start();
    io.run(); // until the agent has finished and its last messages are written
    const int code = agent.value()->exitCode();
    spdlog::info("agent exits with {}", code);
    return code;
}

} // namespace berth::app
