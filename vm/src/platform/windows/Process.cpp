// vm::Process on Windows: CreateProcessW, with the standard handles redirected to files, and a
// job object for the children that must end with this process.
#include "berth/vm/Process.h"
#include "berth/engine/detail/Win32Text.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <utility>

#include <windows.h>

namespace berth::vm {

using engine::detail::systemMessage;
using engine::detail::widen;

namespace {

// One argument as the C runtime's parser (CommandLineToArgvW) reads it back: quoted when it
// has a space, a tab or a quote, or is empty; backslashes doubled where a quote follows them.
void appendQuoted(std::wstring& line, const std::wstring& arg)
{
    if (!arg.empty() && arg.find_first_of(L" \t\n\v\"") == std::wstring::npos) {
        line += arg;
        return;
    }
    line += L'"';
    for (auto it = arg.begin();; ++it) {
        std::size_t backslashes = 0;
        while (it != arg.end() && *it == L'\\') {
            ++it;
            ++backslashes;
        }
        if (it == arg.end()) {
            line.append(backslashes * 2, L'\\');
            break;
        }
        if (*it == L'"') {
            line.append(backslashes * 2 + 1, L'\\');
            line += L'"';
        } else {
            line.append(backslashes, L'\\');
            line += *it;
        }
    }
    line += L'"';
}

// A file the child writes to (appending), or NUL; inheritable.
HANDLE openOutput(const std::filesystem::path& file)
{
    SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    return CreateFileW(file.empty() ? L"NUL" : file.wstring().c_str(), FILE_APPEND_DATA,
                       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &inherit, OPEN_ALWAYS,
                       FILE_ATTRIBUTE_NORMAL, nullptr);
}

// The job that the dieWithParent children are in: closed (so they end) when this process ends,
// however it ends. Made on first use and never closed here.
HANDLE parentJob()
{
    static HANDLE job = [] {
        HANDLE made = CreateJobObjectW(nullptr, nullptr);
        if (made) {
            JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
            limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
            SetInformationJobObject(made, JobObjectExtendedLimitInformation, &limits, sizeof limits);
        }
        return made;
    }();
    return job;
}

} // namespace

int currentProcessId()
{
    return static_cast<int>(GetCurrentProcessId());
}

Result<Process> Process::spawn(const std::vector<std::string>& argv, const Options& options)
{
    if (argv.empty())
        return Error{"no program to start"};
    if (options.passFd >= 0)
        return Error{"cannot start " + argv[0] + ": handing a descriptor to a child (passFd) is not supported on Windows"};
    std::wstring commandLine;
    for (const auto& arg : argv) {
        if (!commandLine.empty())
            commandLine += L' ';
        appendQuoted(commandLine, widen(arg));
    }
    const HANDLE out = openOutput(options.stdoutFile);
    const HANDLE err = options.stderrFile.empty() ? out : openOutput(options.stderrFile);
    SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    const HANDLE in = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit, OPEN_EXISTING,
                                  FILE_ATTRIBUTE_NORMAL, nullptr);
    const auto closeStd = [&] {
        for (const HANDLE h : {in, out, err != out ? err : INVALID_HANDLE_VALUE})
            if (h != INVALID_HANDLE_VALUE)
                CloseHandle(h);
    };
    if (out == INVALID_HANDLE_VALUE || err == INVALID_HANDLE_VALUE || in == INVALID_HANDLE_VALUE) {
        const DWORD code = GetLastError();
        closeStd();
        return Error{"cannot start " + argv[0] + ": cannot open its output file: " + systemMessage(code)};
    }
    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdInput = in;
    startup.hStdOutput = out;
    startup.hStdError = err;
    DWORD flags = CREATE_UNICODE_ENVIRONMENT | CREATE_NO_WINDOW | CREATE_SUSPENDED;
    if (options.newSession || options.detached)
        flags |= CREATE_NEW_PROCESS_GROUP;
    PROCESS_INFORMATION info{};
    // The program is looked up as CreateProcess does: its folder, the current one, the system
    // folders, then PATH. The child gets every inheritable handle of this process: the three
    // above are made so, and vm/ makes no others.
    const BOOL made = CreateProcessW(nullptr, commandLine.data(), nullptr, nullptr, TRUE, flags, nullptr, nullptr,
                                     &startup, &info);
    const DWORD code = GetLastError();
    closeStd();
    if (!made) {
        if (code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND)
            return Error{"cannot start " + argv[0] + ": not found in PATH"};
        return Error{"cannot start " + argv[0] + ": " + systemMessage(code)};
    }
    if (options.dieWithParent && parentJob())
        AssignProcessToJobObject(parentJob(), info.hProcess);
    ResumeThread(info.hThread);
    CloseHandle(info.hThread);
    if (options.detached) {
        CloseHandle(info.hProcess);
        return Process(-1);
    }
    Process process(static_cast<int>(info.dwProcessId));
    process.m_handle = info.hProcess;
    return process;
}

Process::~Process()
{
    if (m_handle)
        CloseHandle(m_handle);
}

Process::Process(Process&& other) noexcept
    : m_pid(std::exchange(other.m_pid, -1)), m_status(other.m_status),
      m_handle(std::exchange(other.m_handle, nullptr)), m_signal(other.m_signal)
{
}

Process& Process::operator=(Process&& other) noexcept
{
    if (this != &other) {
        if (m_handle)
            CloseHandle(m_handle);
        m_pid = std::exchange(other.m_pid, -1);
        m_status = other.m_status;
        m_handle = std::exchange(other.m_handle, nullptr);
        m_signal = other.m_signal;
    }
    return *this;
}

std::optional<int> Process::poll()
{
    if (m_status || !m_handle)
        return m_status;
    if (WaitForSingleObject(m_handle, 0) != WAIT_OBJECT_0)
        return std::nullopt;
    DWORD code = 0;
    GetExitCodeProcess(m_handle, &code);
    m_status = m_signal ? -m_signal : static_cast<int>(code);
    return m_status;
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout)
{
    if (!m_status && m_handle)
        WaitForSingleObject(m_handle, static_cast<DWORD>(std::max<std::int64_t>(timeout.count(), 0)));
    return poll();
}

void Process::signal(int sig) const
{
    if (!m_handle || m_status)
        return;
    if (TerminateProcess(m_handle, 128 + static_cast<UINT>(sig)))
        m_signal = sig;
}

int Process::openExitFd() const
{
    return -1; // no descriptor: Windows waits on the process handle itself
}

std::string firstOutputLine(const std::string& command)
{
    std::unique_ptr<FILE, decltype(&_pclose)> pipe(_popen((command + " 2>NUL").c_str(), "r"), &_pclose);
    if (!pipe)
        return {};
    char line[512] = {};
    if (!std::fgets(line, static_cast<int>(sizeof line), pipe.get()))
        return {};
    std::string text(line);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    return text;
}

} // namespace berth::vm
