#pragma once

#include "ForwarderThread.h"
#include "GuestVm.h"
#include "LocalRegistry.h"
#include "RunProcess.h"
#include "berth/engine/Endpoint.h"
#include "berth/engine/Error.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include <QString>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace berth::test {

// The real engine for engine/ tests, benchmarks and the capture tool: a booted guest with the
// busybox test image imported as bb:1, a local registry the guest reaches at 10.0.2.2:port
// (listed as insecure), and the engine socket forwarded to `workDir`/docker.sock.
class EngineVm final
{
public:
    struct Options
    {
        bool registry = true;
        int memoryMiB = 2048;
    };

    EngineVm(QString workDir, Options options);
    ~EngineVm();
    EngineVm(const EngineVm&) = delete;
    EngineVm& operator=(const EngineVm&) = delete;

    // Boots and prepares everything; empty on success, else what failed.
    QString start();
    // Powers the guest off (cleanly when it can).
    void stop();

    QString socketPath() const { return m_workDir + "/docker.sock"; }
    engine::Endpoint endpoint() const { return engine::Endpoint::unixSocket(socketPath().toStdString()); }
    // "10.0.2.2:PORT": the registry as the engine sees it.
    QString registryAddress() const;
    GuestVm& vm() { return *m_vm; }
    ForwarderThread& forwarder() { return *m_forwarder; }
    LocalRegistry* registry() { return m_registry.get(); }
    // The bundled docker CLI on the forwarded socket.
    ProcessRun docker(const QStringList& args, const QByteArray& input = {}, int timeoutMs = 180000) const;
    QProcessEnvironment dockerEnvironment() const;

private:
    QString m_workDir;
    Options m_options;
    std::unique_ptr<LocalRegistry> m_registry;
    std::unique_ptr<GuestVm> m_vm;
    std::unique_ptr<ForwarderThread> m_forwarder;
};

// Runs `io` on the calling thread until `done()` holds or `timeout` passes; false on timeout.
bool runUntil(boost::asio::io_context& io, const std::function<bool()>& done,
              std::chrono::milliseconds timeout);

// Starts an engine operation with a callback and runs `io` until it calls back. The client must
// belong to `io`, which only this thread runs.
template <typename T, typename Start>
engine::Result<T> await(boost::asio::io_context& io, Start start,
                        std::chrono::milliseconds timeout = std::chrono::minutes(3))
{
    std::optional<engine::Result<T>> result;
    start([&result](engine::Result<T> value) { result.emplace(std::move(value)); });
    if (!runUntil(
            io, [&result] { return result.has_value(); }, timeout))
        return engine::Error{engine::ErrorKind::Timeout, "the test gave up waiting for the operation"};
    return std::move(*result);
}

} // namespace berth::test
