#include "GuestVm.h"
#include "TestPaths.h"
#include "berth/vm/BootChannel.h"
#include "berth/vm/HostInfo.h"
#include "berth/vm/ImageManifest.h"
#include "berth/vm/Process.h"
#include "berth/vm/QemuCommand.h"
#include "berth/vm/QemuDriver.h"
#include "berth/vm/QmpChannel.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <grp.h>
#include <memory>
#include <optional>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QFile>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

using namespace berth::vm;

class TestQemuCommand final : public QObject
{
    Q_OBJECT

private:
    static QemuConfig config()
    {
        QemuConfig c;
        c.kernel = "/img/vmlinuz";
        c.initrd = "/img/initrd.zst";
        c.rootImage = "/img/root.sqfs";
        c.dataDisk = "/inst/data.img";
        c.bootSocket = "/inst/boot.sock";
        c.qmpSocket = "/inst/qmp.sock";
        c.consoleLog = "/inst/console.log";
        c.sshPort = 41022;
        c.fwCfg = {{"ssh/host_key", "/inst/hostkey"}};
        return c;
    }

    static QStringList args(const QemuConfig& c)
    {
        QStringList out;
        for (const auto& a : qemuArguments(c))
            out << QString::fromStdString(a);
        return out;
    }

    // The value after `option`, for options that take one value.
    static QStringList valuesOf(const QStringList& a, const QString& option)
    {
        QStringList values;
        for (int i = 0; i + 1 < a.size(); ++i) {
            if (a[i] == option)
                values << a[i + 1];
        }
        return values;
    }

private slots:
    void forwardsBindLoopbackOnly()
    {
        const auto a = args(config());
        const auto netdev = valuesOf(a, "-netdev");
        QCOMPARE(netdev.size(), 1);
        QVERIFY(netdev[0].contains("hostfwd=tcp:127.0.0.1:41022-:22"));
        QVERIFY(!a.join(' ').contains("0.0.0.0"));
        QVERIFY(valuesOf(a, "-qmp").value(0).startsWith("unix:/inst/qmp.sock,"));
    }

    void rootIsReadOnlyAndDataDiskDiscards()
    {
        const auto drives = valuesOf(args(config()), "-drive");
        QCOMPARE(drives.size(), 2);
        QVERIFY(drives[0].contains("readonly=on"));
        QVERIFY(drives[0].contains("file=/img/root.sqfs"));
        QVERIFY(drives[1].contains("discard=unmap"));
        QVERIFY(drives[1].contains("file=/inst/data.img"));
        const auto devices = valuesOf(args(config()), "-device");
        QVERIFY(devices.contains("virtio-blk-pci,drive=root,serial=berth-root"));
        QVERIFY(devices.contains("virtio-blk-pci,drive=data,serial=berth-data"));
    }

    void noDataDiskWhenNoneGiven()
    {
        auto c = config();
        c.dataDisk.clear();
        QCOMPARE(valuesOf(args(c), "-drive").size(), 1);
    }

    void acceleratorAndSandbox()
    {
        auto c = config();
        QCOMPARE(valuesOf(args(c), "-accel").value(0), QString("tcg,thread=single"));
        QCOMPARE(valuesOf(args(c), "-cpu").value(0), QString("max"));
        QVERIFY(valuesOf(args(c), "-sandbox").value(0).startsWith("on"));
        c.accel = Accelerator::Kvm;
        c.sandbox = false;
        QCOMPARE(valuesOf(args(c), "-accel").value(0), QString("kvm"));
        QCOMPARE(valuesOf(args(c), "-cpu").value(0), QString("host"));
        QVERIFY(valuesOf(args(c), "-sandbox").isEmpty());
    }

    // Each host gets its own binary, machine, accelerator and CPU model, and only the options
    // its QEMU has (QemuCommand.h gives the reasons).
    void eachHostGetsItsOwnQemu()
    {
        const auto onLinux = qemuHostFor(HostOs::Linux, CpuArch::X86_64);
        QCOMPARE(onLinux.binary, std::string("qemu-system-x86_64"));
        QCOMPARE(int(onLinux.hardware), int(Accelerator::Kvm));
        QVERIFY(onLinux.tcgOnly.empty() && onLinux.seccomp && onLinux.virtiofs && onLinux.ninep);

        auto c = config();
        c.host = qemuHostFor(HostOs::Windows, CpuArch::X86_64);
        QCOMPARE(c.host.binary, std::string("qemu-system-x86_64.exe"));
        QVERIFY(c.host.tcgOnly.empty() && !c.host.seccomp && !c.host.virtiofs && !c.host.ninep);
        c.accel = c.host.hardware;
        auto a = args(c);
        QCOMPARE(valuesOf(a, "-machine").value(0), QString("q35"));
        QCOMPARE(valuesOf(a, "-accel").value(0), QString("whpx,kernel-irqchip=off"));
        QCOMPARE(valuesOf(a, "-cpu").value(0), QString("max"));
        QVERIFY2(valuesOf(a, "-sandbox").isEmpty(), "Windows' QEMU has no seccomp sandbox");
        // Its chardevs are named pipes QEMU makes (by their bare names) and the agent opens.
        c.bootSocket = "\\\\.\\pipe\\berth-0a1b-boot";
        c.consoleSocket = "\\\\.\\pipe\\berth-0a1b-console";
        c.monitorSocket = "\\\\.\\pipe\\berth-0a1b-monitor";
        c.qmpSocket.clear();
        a = args(c);
        QCOMPARE(valuesOf(a, "-chardev"),
                 QStringList({"pipe,id=boot,path=berth-0a1b-boot", "pipe,id=console,path=berth-0a1b-console",
                              "pipe,id=monitor,path=berth-0a1b-monitor"}));
        QVERIFY(valuesOf(a, "-qmp").isEmpty());
        c.accel = Accelerator::Tcg;
        QCOMPARE(valuesOf(args(c), "-accel").value(0), QString("tcg,thread=single"));

        c.host = qemuHostFor(HostOs::MacOs, CpuArch::X86_64);
        c.accel = c.host.hardware;
        a = args(c);
        QCOMPARE(valuesOf(a, "-accel").value(0), QString("hvf"));
        QCOMPARE(valuesOf(a, "-cpu").value(0), QString("host"));
        QVERIFY(valuesOf(a, "-sandbox").isEmpty());
        QVERIFY(c.host.ninep && !c.host.virtiofs);

        // No hardware hypervisor runs the x86_64 guest on Arm: TCG only, and it says why.
        for (const auto os : {HostOs::Linux, HostOs::MacOs, HostOs::Windows}) {
            const auto arm = qemuHostFor(os, CpuArch::Arm64);
            QVERIFY2(arm.tcgOnly.find("arm64") != std::string::npos, arm.tcgOnly.c_str());
        }
        QCOMPARE(acceleratorNamed("whpx"), std::optional<Accelerator>(Accelerator::Whpx));
        QVERIFY(!acceleratorNamed("xen"));
    }

    // A hypervisor failure remembered by an earlier version (its record: the kernel release and
    // the QEMU binary) still sends the next start straight to TCG, saying why.
    void rememberedHypervisorFailureIsHonoured()
    {
        QTemporaryDir dir;
        const auto root = std::filesystem::path(dir.path().toStdString());
        const auto binary = (root / "no-such-qemu").string();
        utsname u{};
        QCOMPARE(::uname(&u), 0);
        {
            std::ofstream record(root / "accelerator.json");
            record << nlohmann::json{{"kvm", "failed"},
                                     {"reason", "KVM internal error (stand-in)"},
                                     {"host", std::string(u.release) + " " + binary}}
                          .dump();
        }
        boost::asio::io_context io;
        QemuDriver driver(io, binary);
        MachineSpec spec;
        spec.runDir = spec.logDir = spec.stateDir = root;
        std::string accel, reason;
        VmDriver::Callbacks callbacks;
        callbacks.onAccelerator = [&](const std::string& a, const std::string& r) {
            accel = a;
            reason = r;
        };
        QVERIFY(driver.start(spec, std::move(callbacks)).ok());
        QCOMPARE(accel, std::string("tcg"));
        if (const auto problem = hypervisorProblem()) // KVM unusable here: that reason comes first
            QVERIFY2(reason.find(*problem) != std::string::npos, reason.c_str());
        else
            QVERIFY2(reason.find("KVM failed on this host before (KVM internal error (stand-in))") !=
                         std::string::npos,
                     reason.c_str());
        driver.kill();
        for (int i = 0; i < 100 && driver.state() != VmDriver::State::Stopped; ++i)
            io.run_for(std::chrono::milliseconds(20));
    }

    // A forced accelerator this host does not have, or a name no host has, is refused before
    // anything starts, naming what would work here.
    void forcedAcceleratorOfAnotherHostIsRefused()
    {
        QTemporaryDir dir;
        const auto root = std::filesystem::path(dir.path().toStdString());
        boost::asio::io_context io;
        QemuDriver driver(io, (root / "no-such-qemu").string());
        MachineSpec spec;
        spec.runDir = spec.logDir = spec.stateDir = root;
        for (const auto& [name, expected] :
             {std::pair<std::string, std::string>{
                  "hvf", "hvf is not available on Linux; use --accel kvm or --accel tcg"},
              {"whpx", "whpx is not available on Linux; use --accel kvm or --accel tcg"},
              {"xen", "unknown accelerator 'xen'; use kvm, hvf, whpx or tcg"}}) {
            spec.accelerator = name;
            const auto started = driver.start(spec, {});
            QVERIFY(!started.ok());
            QCOMPARE(started.error().message, expected);
            QCOMPARE(int(driver.state()), int(VmDriver::State::Stopped));
        }
    }

    void handsOverFilesAndBootChannel()
    {
        const auto a = args(config());
        QCOMPARE(valuesOf(a, "-fw_cfg"), QStringList{"name=opt/org.berth/ssh/host_key,file=/inst/hostkey"});
        QVERIFY(valuesOf(a, "-chardev").contains("socket,id=boot,path=/inst/boot.sock"));
        QVERIFY(valuesOf(a, "-device").contains("virtserialport,chardev=boot,name=org.berth.boot"));
        QVERIFY(valuesOf(a, "-append").value(0).contains("console=ttyS0"));
    }

    // QEMU itself accepts the vector with the real image: started paused (-S), it parses every
    // option, opens every file and socket and creates every device, then waits. Still running
    // after that means nothing was refused; a typo in an option or a property makes it exit.
    void qemuAcceptsTheArguments()
    {
        const auto manifest = ImageManifest::load(berth::test::imageDir().toStdString());
        QVERIFY2(manifest.ok(), manifest.ok() ? "" : manifest.error().message.c_str());
        QTemporaryDir dir;
        const auto at = [&dir](const char* name) {
            return dir.filePath(name).toStdString();
        };
        QemuConfig c;
        c.kernel = manifest->path("vmlinuz");
        c.initrd = manifest->path("initrd.zst");
        c.rootImage = manifest->path("root.sqfs");
        c.dataDisk = at("data.img");
        {
            std::ofstream(c.dataDisk.string());
        }
        std::filesystem::resize_file(c.dataDisk, 1 << 30);
        c.bootSocket = at("boot.sock");
        c.qmpSocket = at("qmp.sock");
        c.monitorSocket = at("monitor.sock");
        c.consoleLog = at("console.log");
        c.sshPort = berth::test::freeTcpPort();
        {
            std::ofstream(at("key")) << "k";
        }
        c.fwCfg = {{"ssh/host_key", at("key")}};
        boost::asio::io_context io;
        auto channel = BootChannel::listen(io, c.bootSocket);
        QVERIFY(channel.ok());
        auto monitor = QmpChannel::listen(io, c.monitorSocket);
        QVERIFY(monitor.ok());
        (*monitor)->start({});
        std::optional<Result<nlohmann::json>> status;
        (*monitor)->execute("query-status", nullptr, [&status](Result<nlohmann::json> r) { status = r; });

        QProcess qemu;
        qemu.setProcessChannelMode(QProcess::MergedChannels);
        qemu.start(QString::fromStdString(c.binary), args(c) << "-S");
        QVERIFY(qemu.waitForStarted());
        const bool exited = qemu.waitForFinished(3000);
        const auto output = QString::fromUtf8(qemu.readAll());
        // The agent's monitor: QEMU connected to it and answers there.
        for (int i = 0; i < 250 && !status && !exited; ++i) {
            io.restart();
            io.run_for(std::chrono::milliseconds(20));
        }
        if (!exited) {
            qemu.kill();
            qemu.waitForFinished();
        }
        QVERIFY2(!exited, qPrintable("QEMU refused the arguments: " + output));
        QVERIFY(QFile::exists(dir.filePath("qmp.sock")));
        QVERIFY(status.has_value());
        QVERIFY2(status->ok(), status->ok() ? "" : status->error().message.c_str());
        QCOMPARE(status->value().value("status", ""), std::string("prelaunch"));
    }

    // start() does its slow host-side work (here a virtiofsd whose --version takes 2 s) away
    // from the io thread: it returns at once, a 10 ms timer keeps ticking meanwhile, and a QEMU
    // that then cannot be launched is reported through onExit, once, as never launched.
    void startDoesNotBlockTheIoThread()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto root = std::filesystem::path(dir.path().toStdString());
        const auto fake = root / "virtiofsd";
        {
            std::ofstream script(fake);
            script << "#!/bin/sh\ncase \"$1\" in --version) sleep 2; echo 'virtiofsd 1.13.0';;\n"
                      "--help) echo '--readonly';; *) exit 1;; esac\n";
        }
        std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
        qputenv("BERTH_VIRTIOFSD", QByteArray::fromStdString(fake.string()));
        for (const auto* sub : {"run", "log", "state"})
            std::filesystem::create_directories(root / sub);

        boost::asio::io_context io;
        QemuDriver driver(io, (root / "no-such-qemu").string());
        MachineSpec spec;
        spec.kernel = root / "vmlinuz";
        spec.initrd = root / "initrd";
        spec.rootImage = root / "root.sqfs";
        spec.dataDisk = root / "data.img";
        spec.runDir = root / "run";
        spec.logDir = root / "log";
        spec.stateDir = root / "state";
        spec.accelerator = "tcg";
        spec.shareTransport = "virtiofs";
        spec.shares.push_back({root, false});

        std::vector<VmExit> exits;
        VmDriver::Callbacks callbacks;
        callbacks.onExit = [&exits](const VmExit& exit) {
            exits.push_back(exit);
        };
        const auto began = std::chrono::steady_clock::now();
        const auto started = driver.start(spec, std::move(callbacks));
        const auto returnedAfter = std::chrono::steady_clock::now() - began;
        QVERIFY2(started.ok(), started.ok() ? "" : started.error().message.c_str());
        QVERIFY2(returnedAfter < std::chrono::milliseconds(500),
                 std::to_string(returnedAfter.count()).c_str());
        QCOMPARE(int(driver.state()), int(VmDriver::State::Starting));

        // The loop's longest pause between ticks of a 10 ms timer, until onExit.
        boost::asio::steady_timer tick(io);
        auto last = std::chrono::steady_clock::now();
        std::chrono::steady_clock::duration longest{};
        std::function<void()> arm = [&] {
            tick.expires_after(std::chrono::milliseconds(10));
            tick.async_wait([&](boost::system::error_code ec) {
                const auto now = std::chrono::steady_clock::now();
                longest = std::max(longest, now - last);
                last = now;
                if (!ec && exits.empty())
                    arm();
            });
        };
        arm();
        io.run_for(std::chrono::seconds(20));
        qunsetenv("BERTH_VIRTIOFSD");
        const auto total = std::chrono::steady_clock::now() - began;
        QCOMPARE(exits.size(), std::size_t(1));
        QVERIFY(!exits[0].launched);
        QVERIFY2(exits[0].reason.find("cannot start QEMU") != std::string::npos &&
                     exits[0].reason.find("no-such-qemu") != std::string::npos,
                 exits[0].reason.c_str());
        QVERIFY2(total >= std::chrono::seconds(2), "the probe's sleep did not happen"); // it did run
        QVERIFY2(longest < std::chrono::milliseconds(300),
                 ("the io thread stalled for " +
                  std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(longest).count()) +
                  " ms")
                     .c_str());
        QCOMPARE(int(driver.state()), int(VmDriver::State::Stopped));
    }

    // What the platform layer says about this computer matches what Linux itself reports.
    void hostInfoMatchesTheSystem()
    {
        const auto host = hostInfo();
        QCOMPARE(int(host.os), int(HostOs::Linux));
        utsname u{};
        QCOMPARE(::uname(&u), 0);
        if (std::string(u.machine) == "x86_64")
            QCOMPARE(int(host.arch), int(CpuArch::X86_64));
        QVERIFY2(host.system.find(u.release) != std::string::npos, host.system.c_str());
        QCOMPARE(host.release, std::string(u.release));
        QCOMPARE(long(host.cpus), ::sysconf(_SC_NPROCESSORS_ONLN));
        std::ifstream meminfo("/proc/meminfo");
        std::string key;
        std::uint64_t kib = 0;
        meminfo >> key >> kib;
        QCOMPARE(key, std::string("MemTotal:"));
        QCOMPARE(host.memoryBytes, kib * 1024);
        QVERIFY(host.availableMemoryBytes > 0 && host.availableMemoryBytes <= host.memoryBytes);
        QCOMPARE(hypervisorName(), std::string("kvm"));
        QCOMPARE(hypervisorProblem(), kvmProblem("/dev/kvm"));
    }

    // A QEMU left by an agent that died is found by its command line (its program's name and the
    // data disk's file=, commas doubled) among this user's processes, and stopped; a process that
    // only mentions the disk, or another disk, is left alone. The stand-ins are shells renamed
    // with `exec -a`, whose arguments stay in /proc as given.
    void leftoverQemuIsFoundByItsDiskAndStopped()
    {
        QTemporaryDir dir;
        const auto disk = std::filesystem::path(dir.filePath("data,1.img").toStdString());
        const auto standIn = [](const QString& program, const QString& fileArg) {
            auto* p = new QProcess;
            p->start("bash", {"-c", QString("exec -a %1 bash -c 'sleep 20; :' sh %2").arg(program, fileArg)});
            return p;
        };
        const auto escaped = QString::fromStdString(disk.string()).replace(",", ",,");
        std::unique_ptr<QProcess> qemu(standIn("qemu-system-x86_64", "if=virtio,file=" + escaped));
        std::unique_ptr<QProcess> mentions(standIn("less", "file=" + escaped));
        std::unique_ptr<QProcess> other(standIn("qemu-system-x86_64", "file=" + escaped + "-other"));
        for (auto* p : {qemu.get(), mentions.get(), other.get()})
            QVERIFY(p->waitForStarted());
        // Each stand-in has become its renamed shell (five arguments), not still the outer bash.
        for (auto* p : {qemu.get(), mentions.get(), other.get()})
            QTRY_VERIFY(processCommandLine(static_cast<int>(p->processId())).size() == 5);
        QCOMPARE(processCommandLine(static_cast<int>(qemu->processId())).front(),
                 std::string("qemu-system-x86_64"));
        const auto found = qemuProcessesUsing(disk);
        QCOMPARE(found, std::vector<int>{static_cast<int>(qemu->processId())});
        const auto stopped = stopQemuProcessesUsing(disk, std::chrono::milliseconds(500));
        QCOMPARE(stopped, found);
        QVERIFY(qemu->waitForFinished(5000));
        QVERIFY(!processExists(static_cast<int>(qemu->processId())) || qemuProcessesUsing(disk).empty());
        QCOMPARE(mentions->state(), QProcess::Running);
        QCOMPARE(other->state(), QProcess::Running);
        for (auto* p : {mentions.get(), other.get()}) {
            p->kill();
            p->waitForFinished(5000);
        }
    }

    // What `berth status` says when /dev/kvm cannot be used: the group to join, by name. The
    // device is stood in for by a file; the check runs as `nobody` in a child process.
    void kvmProblemNamesTheGroup()
    {
        const auto missing = kvmProblem("/nonexistent/kvm");
        QVERIFY(missing && missing->find("does not exist") != std::string::npos);
        if (::geteuid() != 0) {
            qWarning(
                "not root: the group cases need a user to switch to; only the missing device was checked");
            return;
        }
        QTemporaryDir dir;
        const auto device = dir.filePath("kvm").toStdString();
        {
            std::ofstream(device) << "";
        }
        const group* kvm = ::getgrnam("kvm");
        if (!kvm)
            kvm = ::getgrnam("disk");
        QVERIFY(kvm);
        const std::string groupName = kvm->gr_name;
        QCOMPARE(::chown(device.c_str(), 0, kvm->gr_gid), 0);
        QCOMPARE(::chmod(dir.path().toLocal8Bit().constData(), 0755), 0);

        const auto asNobody = [&](mode_t mode) -> std::string {
            ::chmod(device.c_str(), mode);
            int fds[2];
            if (::pipe(fds) != 0)
                return "pipe failed";
            const pid_t pid = ::fork();
            if (pid == 0) {
                ::close(fds[0]);
                if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)
                    ::_exit(2);
                const auto problem = kvmProblem(device);
                const std::string text = problem ? *problem : "none";
                (void)!::write(fds[1], text.data(), text.size());
                ::_exit(0);
            }
            ::close(fds[1]);
            std::string text;
            char buffer[512];
            for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;)
                text.append(buffer, static_cast<std::size_t>(n));
            ::close(fds[0]);
            int status = 0;
            ::waitpid(pid, &status, 0);
            return text;
        };
        const auto notMember = asNobody(0660);
        QVERIFY2(notMember.find("group '" + groupName + "'") != std::string::npos &&
                     notMember.find("usermod -aG " + groupName) != std::string::npos,
                 notMember.c_str());
        const auto ownerOnly = asNobody(0600);
        QVERIFY2(ownerOnly.find("administrator") != std::string::npos, ownerOnly.c_str());
        QCOMPARE(asNobody(0666), std::string("none"));

        // A root without udev (a container, a minimal install) may have no kvm group at all: the
        // device's group then has no name, or is root, and joining it is not the answer.
        gid_t unnamed = 54321;
        while (::getgrgid(unnamed))
            ++unnamed;
        QCOMPARE(::chown(device.c_str(), 0, unnamed), 0);
        const auto noName = asNobody(0660);
        QVERIFY2(noName.find("group id " + std::to_string(unnamed)) != std::string::npos &&
                     noName.find("groupadd --system kvm") != std::string::npos &&
                     noName.find("usermod") == std::string::npos,
                 noName.c_str());
        QCOMPARE(::chown(device.c_str(), 0, 0), 0);
        const auto rootGroup = asNobody(0660);
        QVERIFY2(rootGroup.find("group root") != std::string::npos &&
                     rootGroup.find("make it group kvm") != std::string::npos &&
                     rootGroup.find("usermod") == std::string::npos,
                 rootGroup.c_str());
    }
};

QTEST_GUILESS_MAIN(TestQemuCommand)
#include "tst_qemucommand.moc"
