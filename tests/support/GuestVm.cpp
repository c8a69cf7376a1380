#include "GuestVm.h"

#include "TestPaths.h"
#include "berth/vm/Instance.h"
#include "berth/vm/QemuCommand.h"
#include "berth/vm/QmpClient.h"
#include "berth/vm/SshKeys.h"

#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <csignal>
#include <filesystem>
#include <fstream>

namespace berth::test {

namespace {

vm::Accelerator testAccelerator()
{
    const auto name = qEnvironmentVariable("BERTH_TEST_ACCEL", "tcg");
    return name == "kvm" ? vm::Accelerator::Kvm : vm::Accelerator::Tcg;
}

} // namespace

double floorBootSeconds(const QString& workDir, QString* error)
{
    GuestVm::Options options;
    options.initrd = "floor-initrd.zst";
    options.dataDisk = false;
    GuestVm vm(workDir, options);
    if (!vm.boot(std::chrono::seconds(120))) {
        *error = vm.errorString();
        return -1;
    }
    const double seconds = std::chrono::duration<double>(vm.events().back().received - vm.spawnedAt()).count();
    vm.kill();
    return seconds;
}

GuestVm::GuestVm(QString workDir, Options options) : m_workDir(std::move(workDir)), m_options(std::move(options))
{
    auto manifest = vm::ImageManifest::load(imageDir().toStdString());
    if (!manifest) {
        m_error = QString::fromStdString(manifest.error().message);
        return;
    }
    m_manifest = std::move(manifest).value();
    // Keys made the way Berth makes them (vm/SshKeys), so every boot also proves that sshd
    // takes them as host key and client key.
    for (const auto* key : {"client", "hostkey"}) {
        if (QFile::exists(path(key)))
            continue;
        const auto pair = vm::generateEd25519("berth");
        if (!pair) {
            m_error = QString::fromStdString(pair.error().message);
            return;
        }
        if (!vm::writeFileAtomically(path(key).toStdString(), pair->privateKey, 0600).ok() ||
            !vm::writeFileAtomically(path(key).toStdString() + ".pub", pair->publicKey + "\n", 0644).ok()) {
            m_error = "cannot write keys in " + m_workDir;
            return;
        }
    }
    if (m_options.dataDisk && !QFile::exists(path("data.img"))) {
        std::filesystem::path disk = path("data.img").toStdString();
        { std::ofstream create(disk); }
        std::filesystem::resize_file(disk, 20ULL << 30); // sparse: costs nothing until written
    }
    QFile config(path("config"));
    config.open(QIODevice::WriteOnly);
    config.write("hostname=berth\n");
    if (!m_options.daemonJson.isEmpty()) {
        QFile daemon(path("daemon.json"));
        daemon.open(QIODevice::WriteOnly);
        daemon.write(m_options.daemonJson);
    }
}

GuestVm::~GuestVm()
{
    if (m_qemu && running())
        kill();
}

QString GuestVm::hostPublicKey() const
{
    QFile f(path("hostkey.pub"));
    f.open(QIODevice::ReadOnly);
    return QString::fromUtf8(f.readAll()).trimmed();
}

vm::SshForwarder::Config GuestVm::forwarderConfig(const QString& listenSocket) const
{
    vm::SshForwarder::Config c;
    c.port = m_sshPort;
    c.privateKey = path("client").toStdString();
    c.publicKey = path("client.pub").toStdString();
    c.pinnedHostKey = hostPublicKey().toStdString();
    c.listenSocket = listenSocket.toStdString();
    return c;
}

bool GuestVm::boot(std::chrono::seconds timeout)
{
    if (!m_manifest)
        return false;
    if (m_qemu && running()) {
        m_error = "the VM is already running";
        return false;
    }
    m_error.clear();
    m_events.clear();
    m_channelClosed = false;
    m_sshPort = freeTcpPort();
    QFile knownHosts(path("known_hosts"));
    knownHosts.open(QIODevice::WriteOnly | QIODevice::Truncate);
    knownHosts.write(QString("[127.0.0.1]:%1 %2\n").arg(m_sshPort).arg(hostPublicKey()).toUtf8());
    knownHosts.close();
    QFile::remove(path("console.log"));

    vm::QemuConfig c;
    c.accel = testAccelerator();
    c.cpus = m_options.cpus;
    c.memoryMiB = m_options.memoryMiB;
    c.kernel = m_manifest->path("vmlinuz");
    c.initrd = m_manifest->path(m_options.initrd.toStdString());
    c.rootImage = m_manifest->path("root.sqfs");
    if (m_options.dataDisk)
        c.dataDisk = path("data.img").toStdString();
    c.bootSocket = path("boot.sock").toStdString();
    c.qmpSocket = path("qmp.sock").toStdString();
    c.consoleLog = path("console.log").toStdString();
    c.sshPort = m_sshPort;
    c.fwCfg = {{"ssh/host_key", path("hostkey").toStdString()},
               {"ssh/authorized_keys", path("client.pub").toStdString()},
               {"config", path("config").toStdString()}};
    if (!m_options.daemonJson.isEmpty())
        c.fwCfg.push_back({"docker/daemon.json", path("daemon.json").toStdString()});

    m_channel.reset();
    m_io.restart();
    auto channel = vm::BootChannel::listen(m_io, c.bootSocket);
    if (!channel) {
        m_error = QString::fromStdString(channel.error().message);
        return false;
    }
    m_channel = std::move(channel).value();
    m_channel->start([this](const vm::BootEvent& e) { m_events.push_back(e); },
                     [this]() { m_channelClosed = true; });

    std::vector<std::string> argv{c.binary};
    const auto args = vm::qemuArguments(c);
    argv.insert(argv.end(), args.begin(), args.end());
    m_spawnedAt = std::chrono::steady_clock::now();
    auto qemu = vm::Process::spawn(argv, {.stdoutFile = path("qemu.log").toStdString(), .stderrFile = {},
                                          .newSession = false});
    if (!qemu) {
        m_error = QString::fromStdString(qemu.error().message);
        return false;
    }
    m_qemu = std::move(qemu).value();

    const auto deadline = m_spawnedAt + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        m_io.run_for(std::chrono::milliseconds(50));
        for (const auto& e : m_events) {
            if (e.kind == vm::BootEvent::Kind::Ready)
                return true;
            if (e.kind == vm::BootEvent::Kind::Error) {
                m_error = "the guest reported: " + QString::fromStdString(e.message);
                return false;
            }
        }
        if (m_qemu->poll()) {
            QFile log(path("qemu.log"));
            log.open(QIODevice::ReadOnly);
            m_error = QString("QEMU exited (status %1): %2\nconsole:\n%3")
                          .arg(*m_qemu->poll())
                          .arg(QString::fromUtf8(log.readAll()).trimmed(), consoleTail());
            return false;
        }
    }
    m_error = QString("no ready signal within %1 s; console:\n%2").arg(timeout.count()).arg(consoleTail());
    return false;
}

std::vector<vm::BootEvent> GuestVm::events() const
{
    return m_events;
}

QStringList GuestVm::sshArguments() const
{
    return {"-i", path("client"), "-o", "IdentitiesOnly=yes", "-o", "UserKnownHostsFile=" + path("known_hosts"),
            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=20",
            "-o", "LogLevel=ERROR", "-p", QString::number(m_sshPort), "berth@127.0.0.1"};
}

GuestVm::Run GuestVm::ssh(const QString& command, const QByteArray& input, int timeoutMs,
                          const QStringList& extraOptions) const
{
    return runProcess("ssh", extraOptions + sshArguments() + QStringList{command}, input, timeoutMs);
}

bool GuestVm::qmp(const std::string& command, QString* error) const
{
    auto client = vm::QmpClient::connect(path("qmp.sock").toStdString(), std::chrono::seconds(5));
    if (!client) {
        *error = QString::fromStdString(client.error().message);
        return false;
    }
    const auto done = client->execute(command);
    if (!done)
        *error = QString::fromStdString(done.error().message);
    return done.ok();
}

bool GuestVm::powerdown(std::chrono::seconds timeout)
{
    if (!m_qemu)
        return true;
    if (!qmp("system_powerdown", &m_error))
        return false;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        m_io.run_for(std::chrono::milliseconds(50));
        if (m_qemu->poll())
            return true;
    }
    m_error = "QEMU still running after system_powerdown; console:\n" + consoleTail();
    return false;
}

void GuestVm::kill()
{
    if (!m_qemu)
        return;
    m_qemu->signal(SIGKILL);
    m_qemu->wait(std::chrono::seconds(10));
}

bool GuestVm::running()
{
    return m_qemu && !m_qemu->poll();
}

QString GuestVm::consoleTail(int lines) const
{
    QFile f(path("console.log"));
    if (!f.open(QIODevice::ReadOnly))
        return "(no console log)";
    const auto all = QString::fromUtf8(f.readAll()).split('\n');
    return all.mid(std::max<qsizetype>(0, all.size() - lines)).join('\n');
}

} // namespace berth::test
