#include "berth/vm/Process.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::vm {

namespace fs = std::filesystem;

std::vector<std::string> processCommandLine(int pid)
{
    // Arguments are NUL-terminated, one after the other; a kernel thread has none.
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    const std::string cmdline{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::vector<std::string> argv;
    for (std::size_t at = 0; at < cmdline.size();) {
        const auto end = cmdline.find('\0', at);
        argv.push_back(cmdline.substr(at, end == std::string::npos ? std::string::npos : end - at));
        at = end == std::string::npos ? cmdline.size() : end + 1;
    }
    return argv;
}

std::vector<ProcessCommandLine> userProcesses()
{
    std::vector<ProcessCommandLine> found;
    const auto self = ::getpid();
    std::error_code ec;
    for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        struct stat st{};
        if (::stat(it->path().c_str(), &st) != 0 || st.st_uid != ::geteuid())
            continue;
        const int pid = std::atoi(name.c_str());
        if (pid == self)
            continue;
        if (auto argv = processCommandLine(pid); !argv.empty()) // none: a kernel thread, or gone
            found.push_back({pid, std::move(argv)});
    }
    return found;
}

} // namespace berth::vm
