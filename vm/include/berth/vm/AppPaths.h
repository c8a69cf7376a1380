#pragma once

#include "berth/vm/Result.h"

#include <filesystem>

namespace berth::vm {

// Per-user and per-program places, as each system names them (vm/src/platform/…/AppPaths.cpp).

// The user's home folder: $HOME, else the user's entry in the password database (POSIX);
// %USERPROFILE% (Windows). An error naming what to set when the system names none.
Result<std::filesystem::path> homeFolder();

// The folder where Berth keeps a user's instances, whatever BERTH_HOME says:
//   Linux    $XDG_DATA_HOME/berth, else ~/.local/share/berth
//   macOS    ~/Library/Application Support/Berth
//   Windows  %LOCALAPPDATA%\Berth
// The home folder is $HOME, else the user's entry in the password database (POSIX); an error
// when the system names none, never a shared folder such as /tmp.
Result<std::filesystem::path> userDataFolder();

// The running program's own file (/proc/self/exe, _NSGetExecutablePath, GetModuleFileNameW);
// empty when the system does not say.
std::filesystem::path runningExecutable();

} // namespace berth::vm
