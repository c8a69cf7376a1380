#pragma once

#include "berth/vm/Result.h"

#include <cstdint>
#include <filesystem>
#include <optional>

namespace berth::vm {

// An exclusive lock on a file (made when missing), held until the object goes and released by
// the system when the process ends, however it ends: flock() on POSIX
// (vm/src/platform/posix/FileLock.cpp), LockFileEx() on Windows (…/windows/FileLock.cpp). Two
// locks on one file conflict even within one process.
class FileLock final
{
public:
    // Takes the lock without waiting. nullopt: someone else holds it.
    static Result<std::optional<FileLock>> tryAcquire(const std::filesystem::path& file);

    FileLock(FileLock&& other) noexcept;
    FileLock& operator=(FileLock&& other) noexcept;
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    ~FileLock();

private:
    explicit FileLock(std::intptr_t handle) : m_handle(handle) {}
    void release();
    std::intptr_t m_handle = -1; // a descriptor, or a Windows HANDLE
};

} // namespace berth::vm
