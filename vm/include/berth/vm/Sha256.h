#pragma once

#include "berth/vm/Result.h"

#include <filesystem>
#include <string>

namespace berth::vm {

// Lower-case hex SHA-256 of a file's contents; an error names the file when it cannot be read.
Result<std::string> sha256File(const std::filesystem::path& file);
// Lower-case hex SHA-256 of `data`.
std::string sha256Hex(const std::string& data);

} // namespace berth::vm
