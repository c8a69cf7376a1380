#pragma once

#include "berth/vm/HostInfo.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace berth::vm {

enum class Accelerator
{
    Kvm,
    Hvf,
    Whpx,
    Tcg,
};

std::string toString(Accelerator accel);

// How QEMU runs Berth's guest (an x86_64 Linux) on one kind of host. The choices, per host:
//
//   Linux x86_64    qemu-system-x86_64, q35, KVM with `-cpu host`. The seccomp sandbox
//                   (`-sandbox on`, Linux only). Shares over virtiofs (vhost-user, which needs
//                   the guest's memory in a shared memfd) or over 9p.
//   macOS x86_64    qemu-system-x86_64, q35, HVF with `-cpu host`. No seccomp, no memfd and so no
//                   virtiofs: shares over 9p (QEMU serves 9p on macOS since 7.0).
//   Windows x86_64  qemu-system-x86_64.exe, q35, WHPX as `whpx,kernel-irqchip=off` (with the
//                   hypervisor's own interrupt controller, SMP Linux guests stop with "WHPX:
//                   Unexpected VP exit code 4", QEMU issue 2042) and `-cpu max` (QEMU's "host" model
//                   needs KVM or HVF). No seccomp, no virtiofs, and no 9p (QEMU for Windows builds
//                   no virtfs): folder shares are refused at start with a message.
//   arm64 hosts     (Apple silicon, Windows on Arm, Linux on Arm) no hardware accelerator runs an
//                   x86_64 guest: TCG only, with the reason; an arm64 guest image is future work.
//
// Everywhere, TCG is the fallback: `-accel tcg,thread=single -cpu max` (qemuArguments says why).
struct QemuHost
{
    HostOs os = HostOs::Linux;
    std::string binary; // found on PATH
    std::string machine = "q35";
    Accelerator hardware = Accelerator::Tcg; // the host's hypervisor: kvm, hvf or whpx
    std::string hardwareAccel;               // the -accel value that uses it
    std::string hardwareCpu;                 // the -cpu value with it
    std::string tcgOnly;                     // when not empty: why only TCG can run the guest on this host
    bool seccomp = false;                    // -sandbox exists
    bool virtiofs = false;                   // vhost-user-fs with a memfd memory backend
    bool ninep = false;                      // virtio-9p shares

    bool sharesFolders() const { return virtiofs || ninep; }
};

QemuHost qemuHostFor(HostOs os, CpuArch arch);
// qemuHostFor() this computer.
QemuHost thisQemuHost();
// Why `host`'s hypervisor cannot run the guest for this user, with what to do: its tcgOnly
// reason, else hypervisorProblem(); nothing when it can. The one answer to "why TCG" for the
// driver's choice, `berth status` and the diagnostics.
std::optional<std::string> hardwareProblem(const QemuHost& host);
// The accelerator named `name` ("kvm", "hvf", "whpx", "tcg"); nothing for any other name.
std::optional<Accelerator> acceleratorNamed(const std::string& name);

// Everything QEMU needs to boot one Berth guest. Paths are absolute.
struct QemuConfig
{
    QemuHost host = qemuHostFor(HostOs::Linux, CpuArch::X86_64);
    std::string binary = host.binary;
    Accelerator accel = Accelerator::Tcg; // Tcg or host.hardware
    int cpus = 2;
    int memoryMiB = 2048;
    std::filesystem::path kernel;
    std::filesystem::path initrd;
    std::filesystem::path rootImage;  // read-only squashfs (virtio-blk serial berth-root)
    std::filesystem::path dataDisk;   // raw, sparse, discard on (virtio-blk serial berth-data); empty: none
    // The chardevs that meet the host (vm/src/platform/ChardevEndpoint.h): Unix sockets the host
    // listens on and QEMU connects to; on Windows named pipes (\\.\pipe\NAME) QEMU makes and the
    // host opens.
    std::filesystem::path bootSocket;    // virtio-serial org.berth.boot
    std::filesystem::path monitorSocket; // QMP for the agent
    std::filesystem::path consoleSocket; // the serial console
    std::filesystem::path consoleLog;    // the serial console to a file, when consoleSocket is empty
    // A Unix socket QEMU listens on with QMP, for people and tests. The driver sets none on
    // Windows, where a QMP pipe would hold QEMU's start until someone opened it.
    std::filesystem::path qmpSocket;
    std::uint16_t sshPort = 0;           // host port forwarded to the guest's 22, bound to 127.0.0.1; 0: none
    // Files handed to the guest through fw_cfg: name (under opt/org.berth/) and host file.
    struct FwCfgFile
    {
        std::string name;
        std::filesystem::path file;
    };
    std::vector<FwCfgFile> fwCfg;
    // Host folders for the guest, mount tag berth0, berth1, … in this order: over virtio-9p
    // (QEMU serves the folder), or over virtiofs when a virtiofsd serves it on `virtiofsSocket`
    // (then the guest's memory is a shared memfd, which vhost-user needs).
    struct Share
    {
        std::filesystem::path path;
        bool readOnly = false;
        std::filesystem::path virtiofsSocket;
    };
    std::vector<Share> shares;
    bool sandbox = true; // -sandbox on (seccomp), where the host has it
    std::string extraKernelArgs;
};

// The argument vector (without argv[0]) for QemuConfig. Pure: touches no file.
// Every host-side listener it creates is bound to 127.0.0.1 or is a Unix socket. Paths may hold
// commas (escaped as QEMU wants).
std::vector<std::string> qemuArguments(const QemuConfig& config);

// The 9p mount tag of share number `index`.
std::string shareTag(std::size_t index);

// The monitor commands that add and remove a user-network forward from the host's
// `hostAddress:hostPort` to the guest's `guestAddress:guestPort` (netdev net0).
std::string hostForwardAddCommand(const std::string& protocol, const std::string& hostAddress, int hostPort,
                                  const std::string& guestAddress, int guestPort);
std::string hostForwardRemoveCommand(const std::string& protocol, const std::string& hostAddress,
                                     int hostPort);

// The QEMU processes of this user that use `dataDisk`, found by their command lines
// (userProcesses(): Linux only so far). More than none while no agent holds the instance means a
// VM was orphaned.
std::vector<int> qemuProcessesUsing(const std::filesystem::path& dataDisk);

// Ends the QEMU processes that use `dataDisk` (SIGTERM, then SIGKILL after `grace`) and waits
// until they are gone; returns their process ids. Blocking.
std::vector<int> stopQemuProcessesUsing(const std::filesystem::path& dataDisk,
                                        std::chrono::milliseconds grace = std::chrono::seconds(3));

} // namespace berth::vm
