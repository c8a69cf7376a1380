#include "berth/vm/HostInfo.h"

// windows.h first: the headers after it build on its types.
// clang-format off
#include <windows.h>
#include <winhvplatformdefs.h>
// clang-format on

namespace berth::vm {

namespace {

// The Windows version as the kernel reports it: RtlGetVersion, because GetVersionEx answers with
// whatever the program's manifest claims to support.
// "10.0.19045"; empty when the kernel does not say.
std::string windowsRelease()
{
    using RtlGetVersionFn = LONG(WINAPI*)(OSVERSIONINFOW*);
    const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    if (!ntdll)
        return {};
    const auto rtlGetVersion =
        reinterpret_cast<RtlGetVersionFn>(reinterpret_cast<void*>(GetProcAddress(ntdll, "RtlGetVersion")));
    OSVERSIONINFOW version{};
    version.dwOSVersionInfoSize = sizeof version;
    if (!rtlGetVersion || rtlGetVersion(&version) != 0)
        return {};
    return std::to_string(version.dwMajorVersion) + "." +
           std::to_string(version.dwMinorVersion) + "." + std::to_string(version.dwBuildNumber);
}

} // namespace

HostInfo hostInfo()
{
    HostInfo info;
    info.os = HostOs::Windows;
    SYSTEM_INFO system{};
    GetNativeSystemInfo(
        &system); // the machine's, not the emulated one of a program under WOW64 or x64-on-Arm
    info.arch = system.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_AMD64   ? CpuArch::X86_64
                : system.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_ARM64 ? CpuArch::Arm64
                                                                                : CpuArch::Other;
    info.release = windowsRelease();
    info.system = (info.release.empty() ? "Windows" : "Windows " + info.release) + " " + toString(info.arch);
    const DWORD cpus = GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
    info.cpus = cpus > 0 ? static_cast<int>(cpus) : 1;
    MEMORYSTATUSEX memory{};
    memory.dwLength = sizeof memory;
    if (GlobalMemoryStatusEx(&memory)) {
        info.memoryBytes = memory.ullTotalPhys;
        info.availableMemoryBytes = memory.ullAvailPhys;
    }
    return info;
}

std::string hypervisorName()
{
    return "whpx";
}

std::optional<std::string> hypervisorProblem()
{
    // Loaded at run time: a program that imported it would not start at all where the feature
    // is off.
    const HMODULE platform = LoadLibraryExW(L"WinHvPlatform.dll", nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (!platform)
        return std::string(
            "the Windows Hypervisor Platform is not installed: turn on \"Windows Hypervisor "
            "Platform\" in Windows Features (optionalfeatures.exe), or run `DISM /online "
            "/Enable-Feature /FeatureName:HypervisorPlatform /All` as an administrator, then restart "
            "Windows");
    using GetCapabilityFn = HRESULT(WINAPI*)(WHV_CAPABILITY_CODE, VOID*, UINT32, UINT32*);
    const auto getCapability = reinterpret_cast<GetCapabilityFn>(
        reinterpret_cast<void*>(GetProcAddress(platform, "WHvGetCapability")));
    BOOL present = FALSE;
    UINT32 written = 0;
    const bool asked = getCapability && SUCCEEDED(getCapability(WHvCapabilityCodeHypervisorPresent, &present,
                                                                sizeof present, &written));
    FreeLibrary(platform);
    if (!asked)
        return std::string(
            "the Windows Hypervisor Platform does not answer (WHvGetCapability failed); update Windows "
            "or turn the feature off and on again");
    if (!present)
        return std::string(
            "the Windows Hypervisor Platform is installed but no hypervisor is running: turn on "
            "virtualization (Intel VT-x or AMD-V) in the firmware settings, then restart Windows");
    return std::nullopt;
}

} // namespace berth::vm
