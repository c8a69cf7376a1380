#pragma once

#include "Loopback.h" // freeTcpPort()

#include "RunProcess.h"
#include "berth/vm/BootChannel.h"
#include "berth/vm/ImageManifest.h"
#include "berth/vm/Process.h"
#include "berth/vm/SshForwarder.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace berth::test {

// Boots the real guest image with QEMU (TCG unless BERTH_TEST_ACCEL says otherwise) for tests
// and benchmarks: fresh keys made with ssh-keygen, a sparse data disk, the boot channel, QMP.
// Not thread-safe; use from the test's thread. The destructor kills a VM still running.
class GuestVm final
{
public:
    struct Options
    {
        QString initrd = "initrd.zst"; // an image file; floor-initrd.zst for the boot floor
        bool dataDisk = true;
        QByteArray daemonJson;         // handed to dockerd through fw_cfg when not empty
        int cpus = 2;
        int memoryMiB = 2048;
    };

    using Run = ProcessRun;

    // `workDir` holds keys, disk, sockets and logs; it must exist.
    GuestVm(QString workDir, Options options);
    ~GuestVm();
    GuestVm(const GuestVm&) = delete;
    GuestVm& operator=(const GuestVm&) = delete;

    // Starts QEMU and waits for `ready` (true), an `error` line, QEMU exiting or the timeout
    // (false, with errorString() saying which, and the console's last lines).
    bool boot(std::chrono::seconds timeout);
    QString errorString() const { return m_error; }
    // Boot-channel events of the last boot, and when QEMU was spawned.
    std::vector<vm::BootEvent> events() const;
    std::chrono::steady_clock::time_point spawnedAt() const { return m_spawnedAt; }

    // Runs `command` in the guest as the `berth` user over SSH with the pinned host key.
    Run ssh(const QString& command, const QByteArray& input = {}, int timeoutMs = 180000,
            const QStringList& extraOptions = {}) const;
    // The ssh arguments (without the command) that reach the guest as the berth user.
    QStringList sshArguments() const;
    quint16 sshPort() const { return m_sshPort; }
    QString workDir() const { return m_workDir; }
    QString hostPublicKey() const;
    // A forwarder of the guest's engine socket to `listenSocket`, with this VM's keys and port.
    vm::SshForwarder::Config forwarderConfig(const QString& listenSocket) const;

    // QMP system_powerdown, then waits for QEMU to exit. False on timeout (QEMU still running).
    bool powerdown(std::chrono::seconds timeout);
    // SIGKILL to QEMU, then reaps it.
    void kill();
    bool running();
    QString consoleTail(int lines = 30) const;

private:
    QString path(const QString& name) const { return m_workDir + "/" + name; }
    bool qmp(const std::string& command, QString* error) const;

    QString m_workDir;
    Options m_options;
    std::optional<vm::ImageManifest> m_manifest;
    quint16 m_sshPort = 0;
    std::optional<vm::Process> m_qemu;
    std::chrono::steady_clock::time_point m_spawnedAt;
    QString m_error;

    boost::asio::io_context m_io;
    std::unique_ptr<vm::BootChannel> m_channel;
    std::vector<vm::BootEvent> m_events;
    bool m_channelClosed = false;
};

// The boot floor: the same QEMU and kernel booting an initramfs that only reports ready.
// Boots it in `workDir` (which must exist) and returns seconds from QEMU's spawn to that
// report, or -1 with `error` set.
double floorBootSeconds(const QString& workDir, QString* error);

} // namespace berth::test
