#pragma once

#include "berth/vm/Result.h"

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

} // namespace berth::vm::windows
