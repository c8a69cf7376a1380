#pragma once

#include <filesystem>

namespace berth::vm {

// Where this Berth keeps its parts, found from the running executable, so that the CLI, the agent
// and the desktop app (which sit in one folder) agree.

// The folder holding this executable.
std::filesystem::path executableDir();
// The guest image: $BERTH_IMAGE_DIR, else beside the executable in the build tree
// (build/bin/berth → build/vm-image), else the installed share folder.
std::filesystem::path imageDir();
// The docker CLI plugins Berth bundles (docker-compose, docker-buildx): beside the executable in
// the build tree (build/bin/cli-plugins), else the installed lib/berth/cli-plugins; empty when
// neither has them.
std::filesystem::path cliPluginsDir();
// The privileged helper behind `berth default-socket`: beside the executable in the build tree,
// else the installed lib/berth/berth-default-socket.
std::filesystem::path defaultSocketHelper();

} // namespace berth::vm
