#include "berth/vm/Process.h"

namespace berth::vm {

// Not yet: sysctl(KERN_PROCARGS2) gives another process's arguments on macOS. Until then a QEMU
// left by an agent that died is not found by its command line there (Process.h).
std::vector<ProcessCommandLine> userProcesses()
{
    return {};
}

std::vector<std::string> processCommandLine(int)
{
    return {};
}

} // namespace berth::vm
