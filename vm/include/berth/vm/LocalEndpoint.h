#pragma once

#include "berth/engine/Endpoint.h"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

namespace berth::vm {

// Where the local listener `name` of the folder `folder` is (vm/src/platform/…/LocalListener.cpp):
// the Unix socket `folder/name.sock`;
// on Windows, where pipes live in one namespace for the machine, \\.\pipe\berth-HASH-name, HASH
// a hash of `folder`, so that each user's instance has its own.
std::filesystem::path localEndpoint(const std::filesystem::path& folder, const std::string& name);

// The longest path localEndpoint() may give (a Unix socket's address holds 108 bytes); nothing
// where the endpoint's length does not depend on the folder (Windows).
std::optional<std::size_t> localEndpointLimit();

// Whether something accepts connections at the local endpoint `where`: a Unix socket (following
// links), or a named pipe. Only a missing path, a non-socket or a refused connection count as no;
// when it cannot tell (a full backlog, every pipe instance busy), yes. Never waits.
bool localEndpointAnswers(const std::filesystem::path& where);

// A localEndpoint() as the Docker API client addresses it: unix:///… or npipe:////./pipe/….
engine::Endpoint engineEndpoint(const std::filesystem::path& local);

} // namespace berth::vm
