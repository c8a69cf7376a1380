#include "berth/vm/AppPaths.h"

#include <windows.h>

#include <cstdlib>

namespace berth::vm {

namespace fs = std::filesystem;

Result<fs::path> homeFolder()
{
    if (const wchar_t* profile = _wgetenv(L"USERPROFILE"); profile && *profile)
        return fs::path(profile);
    return Error{"cannot tell where your home folder is: USERPROFILE is not set; set it"};
}

Result<fs::path> userDataFolder()
{
    if (const wchar_t* local = _wgetenv(L"LOCALAPPDATA"); local && *local)
        return fs::path(local) / "Berth";
    return Error{"cannot tell where your local application data is: LOCALAPPDATA is not set; set it or BERTH_HOME"};
}

fs::path runningExecutable()
{
    std::wstring path(MAX_PATH, L'\0');
    for (;;) {
        const DWORD n = GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
        if (n == 0)
            return {};
        if (n < path.size()) {
            path.resize(n);
            return fs::path(path);
        }
        path.resize(path.size() * 2);
    }
}

} // namespace berth::vm
