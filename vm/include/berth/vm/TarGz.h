#pragma once

#include "berth/vm/Result.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace berth::vm {

// Writes a gzip-compressed POSIX ustar archive (what `tar -czf` makes), one entry at a time, so
// only the entry being added is held in memory. Not thread-safe; one writer per file.
class TarGzWriter final
{
public:
    // Creates `file` (mode 0600); fails naming it when it exists already or cannot be made.
    static Result<TarGzWriter> create(const std::filesystem::path& file);

    TarGzWriter(TarGzWriter&& other) noexcept;
    TarGzWriter& operator=(TarGzWriter&& other) noexcept;
    TarGzWriter(const TarGzWriter&) = delete;
    TarGzWriter& operator=(const TarGzWriter&) = delete;
    // Closes the file; an archive not finished is left truncated on disk for the caller to remove.
    ~TarGzWriter();

    // Adds a regular file. `name` is relative, '/'-separated, at most 255 bytes, and can be split
    // into ustar's prefix (155) and name (100) fields at a '/'; otherwise an error naming it.
    Status addFile(std::string_view name, std::string_view contents,
                   std::chrono::system_clock::time_point mtime, unsigned mode = 0600);
    // Adds a folder entry ("name/"), as tar does before the files in it. Same limits on `name`.
    Status addDirectory(std::string_view name, std::chrono::system_clock::time_point mtime,
                        unsigned mode = 0700);
    // Writes the end-of-archive blocks and the gzip trailer, then flushes the file to disk and
    // closes it. Nothing may be added afterwards.
    Status finish();

private:
    struct Impl;
    explicit TarGzWriter(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace berth::vm
