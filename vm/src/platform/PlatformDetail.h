#pragma once

#include "berth/vm/Result.h"

#include <filesystem>

// What the platform layer's common sources ask of each system's.
namespace berth::vm::detail {

// Makes the existing folder `dir` this user's alone: mode 0700, or a one-entry access list.
Status restrictToUser(const std::filesystem::path& dir);

} // namespace berth::vm::detail
