#pragma once

#include "berth/vm/Result.h"

#include <filesystem>
#include <string>

namespace berth::vm {

// Files and folders that belong to one user (vm/src/platform/…/PrivateFiles.cpp).

// Writes `contents` to `file` so that a reader sees either the old file or the new one, never a
// mix: a temporary file in the same folder, flushed to the disk, then renamed over `file`.
// POSIX: the temporary file has mode `mode` and the folder is fsynced after the rename.
// Windows: `mode` does not apply (the file takes its folder's access rules), and the rename is
// MoveFileEx with MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH.
Status writeFileAtomically(const std::filesystem::path& file, const std::string& contents,
                           unsigned mode = 0600);

// Creates `dir` (and missing parents) for this user alone, also when it exists. POSIX: mode
// 0700. Windows: a protected access list with one entry, this user, which what the folder holds
// inherits.
Status makePrivateFolder(const std::filesystem::path& dir);

} // namespace berth::vm
