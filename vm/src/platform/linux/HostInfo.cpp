#include "berth/vm/HostInfo.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <grp.h>
#include <pwd.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace berth::vm {

namespace {

// /proc/meminfo's MemTotal and MemAvailable in bytes ("MemTotal:  24588236 kB"), read in one pass;
// 0 for a field that is missing.
void readMeminfo(HostInfo& info)
{
    std::ifstream in("/proc/meminfo");
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        std::string key;
        std::uint64_t kib = 0;
        fields >> key >> kib;
        if (key == "MemTotal:")
            info.memoryBytes = kib * 1024;
        else if (key == "MemAvailable:")
            info.availableMemoryBytes = kib * 1024;
    }
}

} // namespace

HostInfo hostInfo()
{
    HostInfo info;
    info.os = HostOs::Linux;
    utsname u{};
    if (::uname(&u) == 0) {
        const std::string machine = u.machine;
        info.arch = machine == "x86_64"    ? CpuArch::X86_64
                    : machine == "aarch64" ? CpuArch::Arm64
                                           : CpuArch::Other;
        info.release = u.release;
        info.system = std::string(u.sysname) + " " + u.release + " " + machine;
    }
    info.cpus = std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN));
    readMeminfo(info);
    if (info.memoryBytes == 0) {
        const long pages = ::sysconf(_SC_PHYS_PAGES);
        const long pageSize = ::sysconf(_SC_PAGESIZE);
        if (pages > 0 && pageSize > 0)
            info.memoryBytes = static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(pageSize);
    }
    return info;
}

std::string hypervisorName()
{
    return "kvm";
}

std::optional<std::string> hypervisorProblem()
{
    return kvmProblem();
}

std::optional<std::string> kvmProblem(const std::filesystem::path& device)
{
    const int fd = ::open(device.c_str(), O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        ::close(fd);
        return std::nullopt;
    }
    const int err = errno;
    const std::string name = device.string();
    if (err == ENOENT)
        return name + " does not exist (KVM is not enabled on this host: enable virtualization in the "
                      "firmware, or load the kvm_intel or kvm_amd module)";
    if (err != EACCES && err != EPERM)
        return name + " cannot be opened: " + std::strerror(err);
    struct stat st
    {
    };
    if (::stat(device.c_str(), &st) != 0 || (st.st_mode & S_IRWXG) != (S_IRGRP | S_IWGRP))
        return name + " is not accessible to this user, and its permissions do not let a group use it; "
                      "ask the administrator to make it group kvm, mode 0660";
    const group* owner = ::getgrgid(st.st_gid);
    if (!owner)
        return name + " belongs to group id " + std::to_string(st.st_gid) +
               ", which has no name on this system (no kvm group: udev's rules normally make it); ask the "
               "administrator to create the group kvm (`sudo groupadd --system kvm`), give it the device "
               "(`sudo chgrp kvm " +
               name + "`) and add you to it";
    if (st.st_gid == 0)
        return name + " belongs to the group root, which no user should join for it; ask the administrator "
                      "to make it group kvm, mode 0660";
    const std::string groupName = owner->gr_name;
    const passwd* me = ::getpwuid(::getuid());
    bool member = me && me->pw_gid == st.st_gid;
    if (me)
        for (char** m = owner->gr_mem; *m && !member; ++m)
            member = std::strcmp(*m, me->pw_name) == 0;
    if (member)
        return name + " belongs to the group '" + groupName +
               "', which you joined after this session began: log out and back in (or run `newgrp " +
               groupName + "`)";
    return name + " belongs to the group '" + groupName +
           "', and this user is not in it: run `sudo usermod -aG " + groupName + " " +
           (me ? me->pw_name : "$USER") + "`, then log out and back in";
}

} // namespace berth::vm
