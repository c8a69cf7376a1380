#include "berth/vm/AppPaths.h"

#include <cstdlib>
#include <pwd.h>
#include <unistd.h>
#include <vector>
#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif

namespace berth::vm {

namespace fs = std::filesystem;

Result<fs::path> homeFolder()
{
    if (const char* home = std::getenv("HOME"); home && *home)
        return fs::path(home);
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* found = nullptr;
    if (::getpwuid_r(::getuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found && found->pw_dir &&
        *found->pw_dir)
        return fs::path(found->pw_dir);
    return Error{"cannot tell where your home folder is: HOME is not set and user " +
                 std::to_string(::getuid()) + " has no home in the password database; set HOME"};
}

Result<fs::path> userDataFolder()
{
#ifdef __APPLE__
    auto home = homeFolder();
    if (!home)
        return Error{home.error().message + " (or BERTH_HOME)"};
    return *home / "Library" / "Application Support" / "Berth";
#else
    if (const char* data = std::getenv("XDG_DATA_HOME"); data && *data && fs::path(data).is_absolute())
        return fs::path(data) / "berth";
    auto home = homeFolder();
    if (!home)
        return Error{home.error().message + " (or BERTH_HOME)"};
    return *home / ".local" / "share" / "berth";
#endif
}

fs::path runningExecutable()
{
#ifdef __APPLE__
    std::uint32_t size = 0;
    _NSGetExecutablePath(nullptr, &size);
    std::vector<char> path(size + 1);
    if (_NSGetExecutablePath(path.data(), &size) != 0)
        return {};
    std::error_code ec;
    auto resolved = fs::weakly_canonical(path.data(), ec);
    return ec ? fs::path(path.data()) : resolved;
#else
    std::error_code ec;
    auto self = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : self;
#endif
}

} // namespace berth::vm
