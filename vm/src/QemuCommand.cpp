#include "berth/vm/QemuCommand.h"

#include "berth/vm/Process.h"

#include <algorithm>
#include <csignal>
#include <thread>

namespace berth::vm {

std::string toString(Accelerator accel)
{
    switch (accel) {
    case Accelerator::Kvm:
        return "kvm";
    case Accelerator::Hvf:
        return "hvf";
    case Accelerator::Whpx:
        return "whpx";
    case Accelerator::Tcg:
        return "tcg";
    }
    return "tcg";
}

std::optional<Accelerator> acceleratorNamed(const std::string& name)
{
    for (const auto accel : {Accelerator::Kvm, Accelerator::Hvf, Accelerator::Whpx, Accelerator::Tcg}) {
        if (toString(accel) == name)
            return accel;
    }
    return std::nullopt;
}

QemuHost qemuHostFor(HostOs os, CpuArch arch)
{
    QemuHost h;
    h.os = os;
    h.binary = os == HostOs::Windows ? "qemu-system-x86_64.exe" : "qemu-system-x86_64";
    switch (os) {
    case HostOs::Linux:
        h.hardware = Accelerator::Kvm;
        h.hardwareAccel = "kvm";
        h.hardwareCpu = "host";
        h.seccomp = h.virtiofs = h.ninep = true;
        break;
    case HostOs::MacOs:
        h.hardware = Accelerator::Hvf;
        h.hardwareAccel = "hvf";
        h.hardwareCpu = "host";
        h.ninep = true;
        break;
    case HostOs::Windows:
        h.hardware = Accelerator::Whpx;
        h.hardwareAccel = "whpx,kernel-irqchip=off";
        h.hardwareCpu = "max";
        break;
    }
    if (arch != CpuArch::X86_64)
        h.tcgOnly = "the guest is x86_64 and this computer is " + toString(arch) +
                    ": no hardware hypervisor runs an x86_64 guest there";
    return h;
}

QemuHost thisQemuHost()
{
    const auto host = hostInfo();
    return qemuHostFor(host.os, host.arch);
}

std::optional<std::string> hardwareProblem(const QemuHost& host)
{
    if (!host.tcgOnly.empty())
        return host.tcgOnly;
    return hypervisorProblem();
}

namespace {

// QEMU option values are comma-separated key=value lists; a comma inside a value is doubled.
std::string escaped(const std::filesystem::path& path)
{
    std::string out;
    for (const char ch : path.string()) {
        out += ch;
        if (ch == ',')
            out += ',';
    }
    return out;
}

// The chardev `id` that meets the host at `where` (vm/src/platform/ChardevEndpoint.h): a Unix
// socket the host listens on, QEMU the client; on Windows the named pipe \\.\pipe\NAME, which
// QEMU's pipe backend creates (it takes NAME alone) and the host opens.
std::string hostChardev(const QemuConfig& c, const std::string& id, const std::filesystem::path& where)
{
    if (c.host.os == HostOs::Windows) {
        auto name = where.string();
        for (const std::string prefix : {"\\\\.\\pipe\\", "//./pipe/"}) {
            if (name.rfind(prefix, 0) == 0)
                name.erase(0, prefix.size());
        }
        return "pipe,id=" + id + ",path=" + escaped(name);
    }
    return "socket,id=" + id + ",path=" + escaped(where);
}

} // namespace

std::vector<std::string> qemuArguments(const QemuConfig& c)
{
    std::vector<std::string> a;
    const auto add = [&a](std::initializer_list<std::string> items) {
        a.insert(a.end(), items);
    };

    // TCG keeps its default 1 GiB translation cache (a smaller one measurably slows boot:
    // dockerd's 90 MB binary is retranslated); "max" exposes every feature TCG emulates. It runs
    // all vCPUs on one thread: with a thread per vCPU (MTTCG) the guest kernel's live code
    // patching (an int3, then the new bytes) raced with the other vCPU's translated code, and
    // the guest died with "Oops: int3" at its first container start in about one run in four.
    const bool tcg = c.accel == Accelerator::Tcg;
    const bool virtiofs = std::any_of(c.shares.begin(), c.shares.end(),
                                      [](const QemuConfig::Share& s) { return !s.virtiofsSocket.empty(); });
    if (virtiofs)
        add({"-object", "memory-backend-memfd,id=mem,share=on,size=" + std::to_string(c.memoryMiB) + "M"});
    add({"-machine", virtiofs ? c.host.machine + ",memory-backend=mem" : c.host.machine, "-accel",
         tcg ? "tcg,thread=single" : c.host.hardwareAccel, "-cpu", tcg ? "max" : c.host.hardwareCpu});
    add({"-smp", std::to_string(c.cpus), "-m", std::to_string(c.memoryMiB)});
    add({"-nodefaults", "-no-user-config", "-display", "none", "-no-reboot"});
    if (c.sandbox && c.host.seccomp)
        add({"-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"});

    std::string cmdline = "console=ttyS0 quiet loglevel=4 panic=-1";
    if (!c.extraKernelArgs.empty())
        cmdline += " " + c.extraKernelArgs;
    add({"-kernel", c.kernel.string(), "-initrd", c.initrd.string(), "-append", cmdline});

    add({"-drive", "if=none,id=root,format=raw,readonly=on,file=" + escaped(c.rootImage), "-device",
         "virtio-blk-pci,drive=root,serial=berth-root"});
    if (!c.dataDisk.empty())
        add({"-drive",
             "if=none,id=data,format=raw,discard=unmap,detect-zeroes=unmap,cache=writeback,file=" +
                 escaped(c.dataDisk),
             "-device", "virtio-blk-pci,drive=data,serial=berth-data"});

    std::string netdev = "user,id=net0";
    if (c.sshPort != 0)
        netdev += ",hostfwd=tcp:127.0.0.1:" + std::to_string(c.sshPort) + "-:22";
    add({"-netdev", netdev, "-device", "virtio-net-pci,netdev=net0"});
    add({"-device", "virtio-rng-pci"});

    add({"-device", "virtio-serial-pci"});
    if (!c.bootSocket.empty())
        add({"-chardev", hostChardev(c, "boot", c.bootSocket), "-device",
             "virtserialport,chardev=boot,name=org.berth.boot"});
    if (!c.consoleSocket.empty())
        add({"-chardev", hostChardev(c, "console", c.consoleSocket), "-serial", "chardev:console"});
    else if (!c.consoleLog.empty())
        add({"-chardev", "file,id=console,path=" + escaped(c.consoleLog), "-serial", "chardev:console"});
    if (!c.qmpSocket.empty())
        add({"-qmp", "unix:" + escaped(c.qmpSocket) + ",server=on,wait=off"});
    if (!c.monitorSocket.empty())
        add({"-chardev", hostChardev(c, "monitor", c.monitorSocket), "-mon", "chardev=monitor,mode=control"});
    for (const auto& f : c.fwCfg)
        add({"-fw_cfg", "name=opt/org.berth/" + f.name + ",file=" + escaped(f.file)});
    // security_model=none: files the guest creates belong to the user QEMU runs as, the host
    // user; a chown from the guest is tried and its failure ignored.
    for (std::size_t i = 0; i < c.shares.size(); ++i) {
        const auto id = "fs" + std::to_string(i);
        if (!c.shares[i].virtiofsSocket.empty()) {
            add({"-chardev", "socket,id=" + id + ",path=" + escaped(c.shares[i].virtiofsSocket), "-device",
                 "vhost-user-fs-pci,chardev=" + id + ",tag=" + shareTag(i)});
            continue;
        }
        add({"-fsdev",
             "local,id=" + id + ",path=" + escaped(c.shares[i].path) + ",security_model=none" +
                 (c.shares[i].readOnly ? ",readonly=on" : ""),
             "-device", "virtio-9p-pci,fsdev=" + id + ",mount_tag=" + shareTag(i)});
    }
    return a;
}

std::string shareTag(std::size_t index)
{
    return "berth" + std::to_string(index);
}

std::string hostForwardAddCommand(const std::string& protocol, const std::string& hostAddress, int hostPort,
                                  const std::string& guestAddress, int guestPort)
{
    return "hostfwd_add net0 " + protocol + ":" + hostAddress + ":" + std::to_string(hostPort) + "-" +
           guestAddress + ":" + std::to_string(guestPort);
}

std::string hostForwardRemoveCommand(const std::string& protocol, const std::string& hostAddress,
                                     int hostPort)
{
    return "hostfwd_remove net0 " + protocol + ":" + hostAddress + ":" + std::to_string(hostPort);
}

namespace {

// How a QEMU's command line names `dataDisk`: its -drive ends with this (qemuArguments).
std::string driveFileOption(const std::filesystem::path& dataDisk)
{
    return "file=" + escaped(dataDisk);
}

// Whether `argv` is a QEMU's whose -drive ends with `driveFile`.
bool isQemuOf(const std::vector<std::string>& argv, const std::string& driveFile)
{
    if (argv.empty() ||
        std::filesystem::path(argv.front()).filename().string().find("qemu") == std::string::npos)
        return false;
    return std::any_of(argv.begin(), argv.end(), [&driveFile](const std::string& arg) {
        return arg.size() >= driveFile.size() &&
               arg.compare(arg.size() - driveFile.size(), driveFile.size(), driveFile) == 0;
    });
}

// Still that QEMU: its pid may have been given to another process since.
bool runsQemuOf(int pid, const std::string& driveFile)
{
    return processExists(pid) && isQemuOf(processCommandLine(pid), driveFile);
}

} // namespace

std::vector<int> qemuProcessesUsing(const std::filesystem::path& dataDisk)
{
    const auto driveFile = driveFileOption(dataDisk);
    std::vector<int> found;
    for (const auto& process : userProcesses())
        if (isQemuOf(process.argv, driveFile))
            found.push_back(process.pid);
    return found;
}

std::vector<int> stopQemuProcessesUsing(const std::filesystem::path& dataDisk,
                                        std::chrono::milliseconds grace)
{
    const auto pids = qemuProcessesUsing(dataDisk);
    const auto driveFile = driveFileOption(dataDisk);
    for (const int pid : pids)
        signalProcess(pid, SIGTERM); // QEMU flushes its disks and exits
    const auto deadline = std::chrono::steady_clock::now() + grace;
    for (const int pid : pids) {
        while (runsQemuOf(pid, driveFile) && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (runsQemuOf(pid, driveFile)) {
            signalProcess(pid, kKillSignal);
            for (int i = 0; i < 250 && runsQemuOf(pid, driveFile); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    return pids;
}

} // namespace berth::vm
