#include "berth/vm/PrivateFiles.h"

#include "../PlatformDetail.h"
#include "UserSecurity.h"
#include "berth/engine/detail/Win32Text.h"

#include <algorithm>
#include <utility>
#include <windows.h>
#include <winioctl.h>

namespace berth::vm {

namespace fs = std::filesystem;
using engine::detail::systemMessage;

namespace {

std::string failure(const char* what, const fs::path& file, DWORD code)
{
    return std::string(what) + " " + file.string() + ": " + systemMessage(code) +
           (code == ERROR_DISK_FULL || code == ERROR_HANDLE_DISK_FULL
                ? " (free some disk space, or write elsewhere)"
                : "");
}

HANDLE asHandle(std::intptr_t handle)
{
    return reinterpret_cast<HANDLE>(handle);
}

} // namespace

void NewFile::release() noexcept
{
    if (m_handle != -1)
        CloseHandle(asHandle(std::exchange(m_handle, -1)));
}

Result<NewFile> NewFile::create(const fs::path& file, unsigned /*mode*/)
{
    const HANDLE out = CreateFileW(file.wstring().c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                                   FILE_ATTRIBUTE_NORMAL, nullptr);
    if (out == INVALID_HANDLE_VALUE)
        return Error{failure("cannot create", file, GetLastError())};
    return NewFile(file, reinterpret_cast<std::intptr_t>(out));
}

Status NewFile::write(std::string_view bytes)
{
    if (m_handle == -1)
        return Error{"cannot write " + m_path.string() + ": it is closed already"};
    while (!bytes.empty()) {
        const auto slice = static_cast<DWORD>(std::min<std::size_t>(bytes.size(), 1u << 30));
        DWORD n = 0;
        if (!WriteFile(asHandle(m_handle), bytes.data(), slice, &n, nullptr))
            return Error{failure("cannot write", m_path, GetLastError())};
        if (n == 0)
            return Error{failure("cannot write", m_path, ERROR_WRITE_FAULT)};
        bytes.remove_prefix(n);
    }
    return Ok{};
}

Status NewFile::close()
{
    if (m_handle == -1)
        return Error{"cannot write " + m_path.string() + ": it is closed already"};
    const HANDLE file = asHandle(std::exchange(m_handle, -1));
    const DWORD code = FlushFileBuffers(file) ? ERROR_SUCCESS : GetLastError();
    CloseHandle(file);
    if (code != ERROR_SUCCESS)
        return Error{failure("cannot write", m_path, code)};
    return Ok{};
}

Status replaceFile(const fs::path& from, const fs::path& to)
{
    DWORD why = ERROR_SUCCESS;
    for (int attempt = 0; attempt < 50; ++attempt) {
        if (MoveFileExW(from.wstring().c_str(), to.wstring().c_str(),
                        MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
            return Ok{};
        why = GetLastError();
        if (why != ERROR_SHARING_VIOLATION && why != ERROR_ACCESS_DENIED)
            break;
        Sleep(20);
    }
    return Error{failure("cannot replace", to, why)};
}

Result<std::uint64_t> growSparseFile(const fs::path& file, std::uint64_t size)
{
    const HANDLE disk = CreateFileW(file.wstring().c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
                                    OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (disk == INVALID_HANDLE_VALUE)
        return Error{failure("cannot open", file, GetLastError())};
    Result<std::uint64_t> before = std::uint64_t{0};
    LARGE_INTEGER current{};
    if (!GetFileSizeEx(disk, &current))
        before = Error{failure("cannot read the size of", file, GetLastError())};
    else {
        before = static_cast<std::uint64_t>(current.QuadPart);
        if (*before < size) {
            // Without the sparse mark NTFS would reserve the whole size at once. A file system
            // that has no sparse files (FAT) refuses it; the file still grows.
            DWORD unused = 0;
            DeviceIoControl(disk, FSCTL_SET_SPARSE, nullptr, 0, nullptr, 0, &unused, nullptr);
            FILE_END_OF_FILE_INFO end{};
            end.EndOfFile.QuadPart = static_cast<LONGLONG>(size);
            if (!SetFileInformationByHandle(disk, FileEndOfFileInfo, &end, sizeof end))
                before = Error{failure("cannot grow", file, GetLastError())};
        }
    }
    CloseHandle(disk);
    return before;
}

namespace detail {

// This user alone, for the folder and all it will hold: what a 0700 folder is on POSIX.
Status restrictToUser(const fs::path& dir)
{
    const auto descriptor = windows::ownerOnlyDescriptor(L"OICI");
    if (!descriptor)
        return descriptor.error();
    if (!SetFileSecurityW(dir.wstring().c_str(), DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                          descriptor->get()))
        return Error{"cannot make " + dir.string() + " private to this user: " + systemMessage(GetLastError())};
    return Ok{};
}

} // namespace detail

} // namespace berth::vm
