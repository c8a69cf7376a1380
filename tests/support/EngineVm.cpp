#include "EngineVm.h"

#include "TestPaths.h"

#include <QDir>
#include <QFile>

namespace berth::test {

EngineVm::EngineVm(QString workDir, Options options) : m_workDir(std::move(workDir)), m_options(options) {}

EngineVm::~EngineVm()
{
    stop();
}

QString EngineVm::start()
{
    QDir().mkpath(m_workDir + "/vm");
    QDir().mkpath(m_workDir + "/docker-config");
    GuestVm::Options vmOptions;
    vmOptions.memoryMiB = m_options.memoryMiB;
    if (m_options.registry) {
        m_registry = std::make_unique<LocalRegistry>(m_workDir + "/registry");
        if (!m_registry->start())
            return "local registry: " + m_registry->errorString();
        // Plain HTTP from the guest's side of QEMU's user network: insecure, for tests only.
        vmOptions.daemonJson = QString(R"({"insecure-registries": ["%1"]})").arg(registryAddress()).toUtf8();
    }
    m_vm = std::make_unique<GuestVm>(m_workDir + "/vm", vmOptions);
    if (!m_vm->errorString().isEmpty())
        return m_vm->errorString();
    if (!m_vm->boot(std::chrono::seconds(300)))
        return "boot: " + m_vm->errorString();
    QFile tar(testImagesDir() + "/busybox.tar");
    if (!tar.open(QIODevice::ReadOnly))
        return "cannot read " + tar.fileName();
    const auto imported = m_vm->ssh("docker import - bb:1", tar.readAll());
    if (imported.exitCode != 0)
        return "docker import: " + QString::fromUtf8(imported.err);
    m_forwarder = std::make_unique<ForwarderThread>();
    const auto error = m_forwarder->start(m_vm->forwarderConfig(socketPath()));
    if (!error.isEmpty())
        return "forwarder: " + error;
    return {};
}

void EngineVm::stop()
{
    m_forwarder.reset();
    if (m_vm && m_vm->running() && !m_vm->powerdown(std::chrono::seconds(60)))
        m_vm->kill();
    m_vm.reset();
    m_registry.reset();
}

QString EngineVm::registryAddress() const
{
    return m_registry ? QString("10.0.2.2:%1").arg(m_registry->port()) : QString();
}

QProcessEnvironment EngineVm::dockerEnvironment() const
{
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("DOCKER_HOST", "unix://" + socketPath());
    env.insert("DOCKER_CONFIG", m_workDir + "/docker-config");
    return env;
}

ProcessRun EngineVm::docker(const QStringList& args, const QByteArray& input, int timeoutMs) const
{
    return runProcess(binDir() + "/docker", args, input, timeoutMs, dockerEnvironment());
}

bool runUntil(boost::asio::io_context& io, const std::function<bool()>& done,
              std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto guard = boost::asio::make_work_guard(io);
    if (io.stopped())
        io.restart();
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        io.run_one_for(std::chrono::milliseconds(20));
    }
    return true;
}

} // namespace berth::test
