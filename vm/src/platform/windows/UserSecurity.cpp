#include "UserSecurity.h"

#include "berth/engine/detail/Win32Text.h"

// windows.h first: the headers after it build on its types.
// clang-format off
#include <windows.h>
#include <sddl.h>
// clang-format on

namespace berth::vm::windows {

using engine::detail::systemMessage;

namespace {

Result<std::wstring> userSidOfToken(HANDLE token, const std::string& whose)
{
    DWORD size = 0;
    GetTokenInformation(token, TokenUser, nullptr, 0, &size);
    std::string buffer(size, '\0');
    if (size == 0 || !GetTokenInformation(token, TokenUser, buffer.data(), size, &size))
        return Error{"cannot read " + whose + " user: " + systemMessage(GetLastError())};
    LPWSTR text = nullptr;
    if (!ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid, &text))
        return Error{"cannot name " + whose + " user: " + systemMessage(GetLastError())};
    std::wstring sid = text;
    LocalFree(text);
    return sid;
}

} // namespace

Result<std::wstring> currentUserSid()
{
    HANDLE token = nullptr;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return Error{"cannot read this process's user: " + systemMessage(GetLastError())};
    auto sid = userSidOfToken(token, "this process's");
    CloseHandle(token);
    return sid;
}

Result<std::wstring> userSidOfProcess(DWORD pid)
{
    const std::string whose = "process " + std::to_string(pid) + "'s";
    const HANDLE process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
    if (!process)
        return Error{"cannot read " + whose + " user: " + systemMessage(GetLastError())};
    HANDLE token = nullptr;
    const bool opened = OpenProcessToken(process, TOKEN_QUERY, &token);
    const DWORD code = GetLastError();
    CloseHandle(process);
    if (!opened)
        return Error{"cannot read " + whose + " user: " + systemMessage(code)};
    auto sid = userSidOfToken(token, whose);
    CloseHandle(token);
    return sid;
}

Result<std::shared_ptr<void>> ownerOnlyDescriptor(const std::wstring& inherit)
{
    const auto sid = currentUserSid();
    if (!sid)
        return sid.error();
    // D:P — a protected DACL (nothing inherited from above); one entry: generic all, this user.
    const std::wstring sddl = L"D:P(A;" + inherit + L";GA;;;" + *sid + L")";
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &descriptor,
                                                              nullptr))
        return Error{"cannot make an access rule for this user: " + systemMessage(GetLastError())};
    return std::shared_ptr<void>(descriptor, [](void* d) { LocalFree(d); });
}

Status pipeServerIsThisUser(HANDLE pipe, const std::filesystem::path& where, const std::string& peer)
{
    ULONG pid = 0;
    if (!GetNamedPipeServerProcessId(pipe, &pid))
        return Error{"cannot tell who serves " + where.string() + ": " + systemMessage(GetLastError())};
    const auto me = currentUserSid();
    if (!me)
        return me.error();
    const auto server = userSidOfProcess(pid);
    if (!server)
        return Error{"cannot tell who runs the program that serves " + where.string() + " (process " +
                     std::to_string(pid) + "): " + server.error().message +
                     "; Berth does not talk to it. End that program, or ask who runs it"};
    if (*server != *me)
        return Error{where.string() + " is served by a program of another user (process " +
                     std::to_string(pid) + "), not by " + peer +
                     "; Berth does not talk to it. End that program, or ask who runs it"};
    return Ok{};
}

} // namespace berth::vm::windows
