#include "berth/vm/InstallPaths.h"

#include "berth/vm/AppPaths.h"

#include <cstdlib>

namespace berth::vm {

namespace fs = std::filesystem;

fs::path executableDir()
{
    const auto self = runningExecutable();
    std::error_code ec;
    return self.empty() ? fs::current_path(ec) : self.parent_path();
}

fs::path imageDir()
{
    if (const char* dir = std::getenv("BERTH_IMAGE_DIR"); dir && *dir)
        return fs::absolute(dir);
    const auto exeDir = executableDir();
    for (const auto& candidate : {exeDir / ".." / "vm-image", exeDir / ".." / "share" / "berth" / "vm-image"}) {
        if (fs::exists(candidate / "manifest.json"))
            return fs::weakly_canonical(candidate);
    }
    return fs::weakly_canonical(exeDir / ".." / "vm-image");
}

fs::path cliPluginsDir()
{
    const auto exeDir = executableDir();
    for (const auto& candidate : {exeDir / "cli-plugins", exeDir / ".." / "lib" / "berth" / "cli-plugins"}) {
        std::error_code ec;
        if (fs::exists(candidate / "docker-compose", ec))
            return fs::weakly_canonical(candidate, ec);
    }
    return {};
}

fs::path defaultSocketHelper()
{
    const auto exeDir = executableDir();
    for (const auto& candidate :
         {exeDir / "berth-default-socket", exeDir / ".." / "lib" / "berth" / "berth-default-socket"}) {
        std::error_code ec;
        if (fs::exists(candidate, ec))
            return fs::weakly_canonical(candidate, ec);
    }
    return {};
}

} // namespace berth::vm
