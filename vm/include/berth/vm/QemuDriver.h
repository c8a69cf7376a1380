#pragma once

#include "berth/vm/QemuCommand.h"
#include "berth/vm/VmDriver.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace berth::vm {

// VmDriver on QEMU (x86_64 guests), with the binary, machine and accelerator QemuHost gives
// for this computer (QemuCommand.h says what each host uses and why). Accelerator: a forced
// name is used as given when it is this host's hypervisor (kvm, hvf or whpx) and usable, or
// tcg; otherwise the hypervisor when hypervisorProblem() finds none and a trial boot makes
// progress (a line on the boot channel) within kAcceleratorTrial, else TCG, with the reason. A
// failed trial is remembered in the state folder for this host system and QEMU, so later
// starts go straight to TCG; forcing the hypervisor tries again. A QEMU left running by an
// agent that died is killed before a new one starts, so the data disk is never opened twice.
// Port forwards and the power button go through one persistent QMP connection the driver owns
// (QmpChannel), asynchronously.
class QemuDriver final : public VmDriver
{
public:
    static constexpr std::chrono::seconds kAcceleratorTrial{15};

    // `binary`: a QEMU other than the host's usual one (QemuHost::binary) when not empty.
    explicit QemuDriver(boost::asio::io_context& io, std::string binary = {});
    ~QemuDriver() override;
    QemuDriver(const QemuDriver&) = delete;
    QemuDriver& operator=(const QemuDriver&) = delete;

    std::string name() const override { return "qemu"; }
    Status create(const MachineSpec& spec) override;
    Status start(const MachineSpec& spec, Callbacks callbacks) override;
    void requestShutdown(Done done) override;
    void kill() override;
    State state() const override;
    std::string accelerator() const override;
    std::string acceleratorReason() const override;
    void addPortForward(const PortForward& forward, Done done) override;
    void removePortForward(const PortForward& forward, Done done) override;
    std::optional<int> pid() const override;
    std::filesystem::path consoleLog() const override;

private:
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

} // namespace berth::vm
