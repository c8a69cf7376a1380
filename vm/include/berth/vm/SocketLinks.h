#pragma once

#include "berth/vm/Result.h"

#include <filesystem>
#include <string>
#include <vector>

namespace berth::vm {

// Where Docker SDKs and tools look for an engine when DOCKER_HOST is not set and they do not read
// docker contexts (testcontainers, docker-py's newer versions, IDE plugins):
// $XDG_RUNTIME_DIR/docker.sock (Linux, when that folder is set and exists) and
// ~/.docker/run/docker.sock (Docker Desktop's path). Berth offers its engine socket there as a
// symbolic link. None on Windows, where they look for the pipe docker_engine.
std::vector<std::filesystem::path> conventionalSocketPaths();

// Makes `link` a symbolic link to `socket`, only when nothing else owns that path: it is free, or
// is already such a link, or is a symbolic link whose target nobody answers on (left by a
// stopped engine). A socket or file there, or a link to an engine that answers, stays as it is
// and the error names it. Creates ~/.docker/run (0700) when `link` is in it and it is missing.
Status offerSocketAt(const std::filesystem::path& link, const std::filesystem::path& socket);

// Removes `link` only when it is a symbolic link to `socket`; anything else there stays.
void withdrawSocketAt(const std::filesystem::path& link, const std::filesystem::path& socket);

// Whether `link` is a symbolic link to `socket`.
bool linksTo(const std::filesystem::path& link, const std::filesystem::path& socket);

// Where Docker Engine's socket is on Linux, which older SDKs (docker-py 5) and many tools assume.
// Berth links it to an instance's engine only when its user asks (`berth default-socket on`, a
// privileged helper), and the link stays across Berth's stops and the computer's restarts.
inline const std::filesystem::path kDefaultDockerSocket = "/var/run/docker.sock";

} // namespace berth::vm
