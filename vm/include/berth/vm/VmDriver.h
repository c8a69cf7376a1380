#pragma once

#include "berth/vm/BootChannel.h"
#include "berth/vm/Result.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::vm {

// What one Berth guest is made of, independent of the hypervisor. Paths are absolute.
struct MachineSpec
{
    int cpus = 2;
    int memoryMiB = 2048;
    std::filesystem::path kernel;
    std::filesystem::path initrd;
    std::filesystem::path rootImage;  // read-only root, handed over as disk serial berth-root
    std::filesystem::path dataDisk;   // persistent, raw and sparse, disk serial berth-data
    std::uint64_t dataDiskBytes = 0;  // the size it must have (it only ever grows)
    std::uint16_t sshPort = 0;        // host port (127.0.0.1 only) forwarded to the guest's 22
    struct GuestFile                  // handed to the guest as opt/org.berth/<name>
    {
        std::string name;
        std::filesystem::path file;
    };
    std::vector<GuestFile> guestFiles;
    struct SharedFolder               // a host folder the guest mounts at the same path
    {
        std::filesystem::path path;
        bool readOnly = false;
    };
    std::vector<SharedFolder> shares;
    // How shares reach the guest: "9p", "virtiofs", or "auto" (virtiofs when a usable virtiofsd
    // is installed, else 9p).
    std::string shareTransport = "auto";
    std::filesystem::path stateDir; // where the driver keeps its own files (probe results)
    std::filesystem::path runDir;   // private folder (0700) for the driver's sockets
    std::filesystem::path logDir;   // for the console log and the hypervisor's own output
    std::string accelerator;        // empty: the best one that works here; else forced by name
};

// A host port forwarded into the guest while the VM runs.
struct PortForward
{
    std::string protocol = "tcp"; // tcp or udp
    std::string hostAddress = "127.0.0.1";
    std::uint16_t hostPort = 0;
    std::string guestAddress; // the guest's own address the connection is made to
    std::uint16_t guestPort = 0;

    friend bool operator==(const PortForward&, const PortForward&) = default;
};

// How a VM ended. `reason` is a sentence for a person ("QEMU was killed by signal 9").
struct VmExit
{
    bool requested = false; // the guest powered off (after requestShutdown) or kill() was called
    int status = 0;         // the hypervisor's exit status; -N for signal N
    std::string reason;
    bool launched = true; // false: the hypervisor never ran (it could not start, or the VM was
                          // stopped before it did); `reason` says which
};

// One backend that runs Berth guests (QEMU now; Hyper-V and Virtualization.framework later).
// The agent drives a VM only through this interface. Single-threaded: every call and every
// callback happens on the thread running the io_context the driver was made with. Nothing here
// blocks that thread: what takes a round trip to the hypervisor reports through a Done.
class VmDriver
{
public:
    // Runs exactly once on the io_context's thread, never inside the call that was given it
    // (even when the answer is known at once), and also when the driver is destroyed first.
    using Done = std::function<void(Status)>;

    enum class State
    {
        Stopped,  // nothing runs; start() may be called
        Starting, // start() succeeded; the VM runs, its accelerator may still be on trial
        Running,  // the accelerator is proven (the guest made boot progress)
        Stopping, // requestShutdown() or kill() was called; onExit follows
    };

    struct Callbacks
    {
        std::function<void(const BootEvent&)> onBootEvent;    // a line on the boot channel
        std::function<void(std::string_view)> onConsoleLine;  // a line the guest's console printed
        std::function<void(const std::string& accelerator, const std::string& reason)> onAccelerator;
        std::function<void(const VmExit&)> onExit;            // exactly once per successful start()
        // Something the driver found and set right on its way, one sentence for a person (a VM
        // left running by an agent that died, stopped before this one started).
        std::function<void(const std::string&)> onNotice;
    };

    virtual ~VmDriver() = default;

    // The backend's name ("qemu").
    virtual std::string name() const = 0;
    // Makes the persistent parts of a machine: the data disk (sparse) at its size, grown when
    // the spec asks for more, never shrunk. MUST succeed and change nothing when they already
    // match. Errors name the file and what to do.
    virtual Status create(const MachineSpec& spec) = 0;
    // Boots the VM. Checks what it can at once (the VM already runs, no usable accelerator) and
    // fails then without side effects; otherwise returns at once, and the host-side preparation
    // and the hypervisor's launch follow without blocking this thread. From then on progress
    // arrives through `callbacks`, and onExit exactly once: with launched false when the
    // hypervisor could not start (or stop/kill came before it did).
    virtual Status start(const MachineSpec& spec, Callbacks callbacks) = 0;
    // Asks the guest to shut down cleanly (the power button). `done` reports whether the request
    // was delivered; onExit follows when the guest has powered off.
    virtual void requestShutdown(Done done) = 0;
    // Ends the VM at once. onExit follows. Does nothing when nothing runs.
    virtual void kill() = 0;
    virtual State state() const = 0;
    // The accelerator in use ("kvm", "tcg", …) and why it was chosen; empty before start().
    virtual std::string accelerator() const = 0;
    virtual std::string acceleratorReason() const = 0;
    // Starts forwarding a host port into the guest; `done` reports when it took effect, or why
    // not, e.g. that another program holds the host port.
    virtual void addPortForward(const PortForward& forward, Done done) = 0;
    // Ends a forward added before; connections already made keep going.
    virtual void removePortForward(const PortForward& forward, Done done) = 0;
    // The hypervisor's process id while it runs.
    virtual std::optional<int> pid() const = 0;
    // The guest console's log file (rotated by the driver).
    virtual std::filesystem::path consoleLog() const = 0;
};

} // namespace berth::vm
