#include "berth/vm/FileLock.h"
#include "berth/engine/detail/Win32Text.h"

#include <windows.h>

namespace berth::vm {

using engine::detail::systemMessage;

Result<std::optional<FileLock>> FileLock::tryAcquire(const std::filesystem::path& file)
{
    // Shared for reading and writing, so that the lock, not the open, is what conflicts; not
    // inherited by child processes.
    const HANDLE handle = CreateFileW(file.wstring().c_str(), GENERIC_READ | GENERIC_WRITE,
                                      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_ALWAYS,
                                      FILE_ATTRIBUTE_NORMAL, nullptr);
    if (handle == INVALID_HANDLE_VALUE)
        return Error{"cannot open " + file.string() + ": " + systemMessage(GetLastError())};
    OVERLAPPED whole{};
    if (!LockFileEx(handle, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, MAXDWORD, MAXDWORD, &whole)) {
        const DWORD code = GetLastError();
        CloseHandle(handle);
        if (code == ERROR_LOCK_VIOLATION || code == ERROR_IO_PENDING)
            return std::optional<FileLock>{};
        return Error{"cannot lock " + file.string() + ": " + systemMessage(code)};
    }
    return std::optional<FileLock>(FileLock(reinterpret_cast<std::intptr_t>(handle)));
}

void FileLock::release()
{
    if (m_handle != -1)
        CloseHandle(reinterpret_cast<HANDLE>(m_handle)); // the system drops the lock with the handle
    m_handle = -1;
}

} // namespace berth::vm
