#pragma once

#include "berth/vm/Result.h"

#include <filesystem>
#include <memory>
#include <string>
#include <windows.h>

namespace berth::vm::windows {

// The user a process runs as, as a SID string ("S-1-5-21-…"): this process's, or that of process
// `pid` (which must be readable to this user).
Result<std::wstring> currentUserSid();
Result<std::wstring> userSidOfProcess(DWORD pid);

// A security descriptor whose protected DACL has one entry: all access for this user, with the
// entry's inheritance flags `inherit` (L"" for an object, L"OICI" for a folder whose contents
// take it too). LocalFree'd when the last copy goes.
Result<std::shared_ptr<void>> ownerOnlyDescriptor(const std::wstring& inherit = L"");

// Whether the server of the named pipe `pipe` (opened at `where`) runs as this user; else an error
// saying that another user's program serves it, not `peer`. Pipe names are one namespace for the
// whole machine, so another user's program may have taken a name first.
Status pipeServerIsThisUser(HANDLE pipe, const std::filesystem::path& where, const std::string& peer);

} // namespace berth::vm::windows
