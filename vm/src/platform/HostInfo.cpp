#include "berth/vm/HostInfo.h"

namespace berth::vm {

std::string toString(HostOs os)
{
    switch (os) {
    case HostOs::Linux:
        return "Linux";
    case HostOs::MacOs:
        return "macOS";
    case HostOs::Windows:
        return "Windows";
    }
    return "?";
}

std::string toString(CpuArch arch)
{
    switch (arch) {
    case CpuArch::X86_64:
        return "x86_64";
    case CpuArch::Arm64:
        return "arm64";
    case CpuArch::Other:
        return "other";
    }
    return "?";
}

} // namespace berth::vm
