// Written for macOS and not yet compiled there: no macOS toolchain exists on the build machines
// (README, "Windows and macOS").
#include "berth/vm/HostInfo.h"

#include <algorithm>
#include <sys/sysctl.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace berth::vm {

namespace {

template <typename T> bool sysctlValue(const char* name, T& value)
{
    std::size_t size = sizeof value;
    return ::sysctlbyname(name, &value, &size, nullptr, 0) == 0 && size == sizeof value;
}

} // namespace

HostInfo hostInfo()
{
    HostInfo info;
    info.os = HostOs::MacOs;
    utsname u{};
    if (::uname(&u) == 0) {
        const std::string machine = u.machine;
        info.arch = machine == "x86_64"  ? CpuArch::X86_64
                    : machine == "arm64" ? CpuArch::Arm64
                                         : CpuArch::Other;
        info.release = u.release;
        info.system = std::string("macOS (Darwin ") + u.release + ") " + machine;
    }
    info.cpus = static_cast<int>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
    std::uint64_t memory = 0;
    if (sysctlValue("hw.memsize", memory))
        info.memoryBytes = memory;
    return info;
}

std::string hypervisorName()
{
    return "hvf";
}

std::optional<std::string> hypervisorProblem()
{
    int supported = 0;
    if (!sysctlValue("kern.hv_support", supported) || supported == 0)
        return std::string(
            "this Mac does not offer Hypervisor.framework (kern.hv_support is 0): it needs a CPU "
            "with virtualization support, and it is unavailable inside another virtual machine");
    return std::nullopt;
}

} // namespace berth::vm
