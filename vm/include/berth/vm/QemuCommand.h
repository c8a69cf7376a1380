#pragma once

#include <cstdint>
#include <filesystem>
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

// Everything QEMU needs to boot one Berth guest. Paths are absolute.
struct QemuConfig
{
    std::string binary = "qemu-system-x86_64";
    Accelerator accel = Accelerator::Tcg;
    int cpus = 2;
    int memoryMiB = 2048;
    std::filesystem::path kernel;
    std::filesystem::path initrd;
    std::filesystem::path rootImage; // read-only squashfs (virtio-blk serial berth-root)
    std::filesystem::path dataDisk;  // raw, sparse, discard on (virtio-blk serial berth-data); empty: none
    std::filesystem::path bootSocket;   // the host listens; QEMU connects (virtio-serial org.berth.boot)
    std::filesystem::path qmpSocket;    // QEMU listens (for people and tests)
    std::filesystem::path monitorSocket; // QMP for the agent: the host listens; QEMU connects
    std::filesystem::path consoleLog;   // the serial console to a file, when consoleSocket is empty
    std::filesystem::path consoleSocket; // the serial console to a socket the host listens on
    std::uint16_t sshPort = 0;          // host port forwarded to the guest's 22, bound to 127.0.0.1; 0: none
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
    bool sandbox = true; // -sandbox on (seccomp)
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
std::string hostForwardRemoveCommand(const std::string& protocol, const std::string& hostAddress, int hostPort);

} // namespace berth::vm
