#include "berth/vm/PrivateFiles.h"

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
        return Error{"cannot write " + tmp.string() + ": " + systemMessage(GetLastError()) + "; " + file.string() +
                     " was not changed"};
    std::size_t done = 0;
    bool ok = true;
    while (ok && done < contents.size()) {
        DWORD n = 0;
        ok =
            WriteFile(out, contents.data() + done, static_cast<DWORD>(contents.size() - done), &n, nullptr) &&
            n > 0;
        done += n;
    }
    ok = ok && FlushFileBuffers(out);
    const DWORD code = GetLastError();
    CloseHandle(out);
    if (!ok) {
        DeleteFileW(tmp.wstring().c_str());
        return Error{"cannot write " + tmp.string() + ": " + systemMessage(code) + "; " + file.string() +
                     " was not changed"};
    }
    if (!MoveFileExW(tmp.wstring().c_str(), file.wstring().c_str(),
                     MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        const DWORD why = GetLastError();
        DeleteFileW(tmp.wstring().c_str());
        return Error{"cannot replace " + file.string() + ": " + systemMessage(why)};
    }
    return Ok{};
}

Status makePrivateFolder(const fs::path& dir)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return Error{"cannot create " + dir.string() + ": " + ec.message()};
    return Ok{};
}

} // namespace berth::vm
