#include "berth/vm/PrivateFiles.h"

#include "../PlatformDetail.h"
#include "UserSecurity.h"
#include "berth/engine/detail/Win32Text.h"

#include <windows.h>

namespace berth::vm {

namespace fs = std::filesystem;
using engine::detail::systemMessage;

Status writeFileAtomically(const fs::path& file, const std::string& contents, unsigned /*mode*/)
{
    const auto tmp = file.parent_path() / ("." + file.filename().string() + ".tmp");
    const HANDLE out = CreateFileW(tmp.wstring().c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                                   FILE_ATTRIBUTE_NORMAL, nullptr);
    if (out == INVALID_HANDLE_VALUE)
        return Error{"cannot write " + tmp.string() + ": " + systemMessage(GetLastError()) + "; " +
                     file.string() + " was not changed"};
    std::size_t done = 0;
    DWORD code = ERROR_SUCCESS;
    while (code == ERROR_SUCCESS && done < contents.size()) {
        DWORD n = 0;
        if (!WriteFile(out, contents.data() + done, static_cast<DWORD>(contents.size() - done), &n, nullptr))
            code = GetLastError();
        else if (n == 0)
            code = ERROR_WRITE_FAULT;
        done += n;
    }
    if (code == ERROR_SUCCESS && !FlushFileBuffers(out))
        code = GetLastError();
    const bool ok = code == ERROR_SUCCESS;
    CloseHandle(out);
    if (!ok) {
        DeleteFileW(tmp.wstring().c_str());
        return Error{"cannot write " + tmp.string() + ": " + systemMessage(code) + "; " + file.string() +
                     " was not changed"};
    }
    // A reader holding the old file open makes the replace fail for a moment (Windows does not
    // replace a file in use): try again for up to a second.
    bool moved = false;
    DWORD why = ERROR_SUCCESS;
    for (int attempt = 0; attempt < 50 && !moved; ++attempt) {
        moved = MoveFileExW(tmp.wstring().c_str(), file.wstring().c_str(),
                            MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH);
        why = moved ? ERROR_SUCCESS : GetLastError();
        if (!moved && why != ERROR_SHARING_VIOLATION && why != ERROR_ACCESS_DENIED)
            break;
        if (!moved)
            Sleep(20);
    }
    if (!moved) {
        DeleteFileW(tmp.wstring().c_str());
        return Error{"cannot replace " + file.string() + ": " + systemMessage(why)};
    }
    return Ok{};
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
