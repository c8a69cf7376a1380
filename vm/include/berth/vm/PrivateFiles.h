#pragma once

#include "berth/vm/Result.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace berth::vm {

// Files and folders that belong to one user (vm/src/platform/…/PrivateFiles.cpp).

// A file this program makes new and writes front to back: the diagnostics archive, the temporary
// file of an atomic write. POSIX: O_EXCL with mode `mode`. Windows: CREATE_NEW; `mode` does not
// apply (the file takes its folder's access rules). Errors name the file, and a full disk says
// what to do.
class NewFile final
{
public:
    // Fails, naming `file`, when it exists already or cannot be made.
    static Result<NewFile> create(const std::filesystem::path& file, unsigned mode = 0600);

    NewFile(NewFile&& other) noexcept;
    NewFile& operator=(NewFile&& other) noexcept;
    NewFile(const NewFile&) = delete;
    NewFile& operator=(const NewFile&) = delete;
    // Closes the file if close() was not called; what was written stays, not flushed.
    ~NewFile();

    const std::filesystem::path& path() const { return m_path; }
    // Appends all of `bytes`.
    Status write(std::string_view bytes);
    // Flushes the file to the disk and closes it; nothing may be written afterwards.
    Status close();

private:
    NewFile(std::filesystem::path path, std::intptr_t handle);
    void release() noexcept;

    std::filesystem::path m_path;
    std::intptr_t m_handle = -1; // a file descriptor, or a Windows HANDLE
};

// Renames `from` over `to`, so that a reader sees one or the other. POSIX: rename(2), then the
// folder is flushed to the disk. Windows: MoveFileEx with MOVEFILE_REPLACE_EXISTING |
// MOVEFILE_WRITE_THROUGH, tried again for up to a second while a reader holds `to` open (Windows
// does not replace a file in use).
Status replaceFile(const std::filesystem::path& from, const std::filesystem::path& to);

// Writes `contents` to `file` so that a reader sees either the old file or the new one, never a
// mix: a temporary file in the same folder, flushed to the disk, then renamed over `file`.
// POSIX: the temporary file has mode `mode` and the folder is fsynced after the rename.
// Windows: `mode` does not apply (the file takes its folder's access rules), and the rename is
// MoveFileEx with MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH.
Status writeFileAtomically(const std::filesystem::path& file, const std::string& contents,
                           unsigned mode = 0600);

// Makes `file` (mode 0600 on POSIX; on Windows it takes its folder's access rules) when it is
// missing, and grows it to `size` bytes, sparse: the growth takes no disk space until it is
// written (ftruncate; on Windows the file is marked sparse first, where its file system allows).
// Never shrinks it. Returns the size it had before (0 when it was made). For the VM's data disk.
Result<std::uint64_t> growSparseFile(const std::filesystem::path& file, std::uint64_t size);

// Creates `dir` (and missing parents) for this user alone, also when it exists. POSIX: mode
// 0700. Windows: a protected access list with one entry, this user, which what the folder holds
// inherits.
Status makePrivateFolder(const std::filesystem::path& dir);

} // namespace berth::vm
