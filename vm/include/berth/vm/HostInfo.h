#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace berth::vm {

// What Berth needs to know about the computer it runs on (vm/src/platform/…/HostInfo.cpp).

enum class HostOs
{
    Linux,
    MacOs,
    Windows,
};

enum class CpuArch
{
    X86_64,
    Arm64,
    Other,
};

std::string toString(HostOs os);
std::string toString(CpuArch arch);

struct HostInfo
{
    HostOs os = HostOs::Linux;
    CpuArch arch = CpuArch::Other;
    std::string system;                     // e.g. "Linux 6.1.0-18-amd64 x86_64", "Windows 10.0.19045 x86_64"
    std::string release;                    // the kernel's or system's: "6.1.0-18-amd64", "10.0.19045"
    int cpus = 1;                           // logical CPUs online
    std::uint64_t memoryBytes = 0;          // physical memory; 0 when the system does not say
    std::uint64_t availableMemoryBytes = 0; // memory available to new programs; 0 when unknown
};

HostInfo hostInfo();

// The hardware hypervisor QEMU uses on this kind of host: "kvm" (Linux), "hvf" (macOS), "whpx"
// (Windows).
std::string hypervisorName();

// Why this user cannot use the host's hypervisor, with what to do about it; nothing when it can
// be used. Linux: /dev/kvm opens for reading and writing (else which group to join, or that the
// session predates joining it). macOS: the kern.hv_support sysctl. Windows: WinHvPlatform.dll
// loads and reports a hypervisor (else how to enable the Windows Hypervisor Platform feature).
std::optional<std::string> hypervisorProblem();

#ifdef __linux__
// hypervisorProblem() for a given KVM device.
std::optional<std::string> kvmProblem(const std::filesystem::path& device = "/dev/kvm");
#endif

} // namespace berth::vm
