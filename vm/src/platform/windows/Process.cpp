// vm::Process on Windows: CreateProcessW, with the standard handles redirected to files, and a
// job object for the children that must end with this process.
#include "berth/vm/Process.h"

#include "berth/engine/detail/Win32Text.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>
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

// argv as one command line, each argument quoted as the C runtime reads it back.
std::wstring commandLineOf(const std::vector<std::string>& argv)
{
    std::wstring line;
    for (const auto& arg : argv) {
        if (!line.empty())
            line += L' ';
        appendQuoted(line, widen(arg));
    }
    return line;
}

// A PROC_THREAD_ATTRIBUTE_HANDLE_LIST: the handles (inheritable, each once) a child inherits and
// no others. `handles` must outlive it, and ok() be true before it is given to CreateProcess.
class InheritList
{
public:
    explicit InheritList(std::vector<HANDLE>& handles)
    {
        SIZE_T size = 0;
        InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
        m_bytes.resize(size);
        m_ok = !handles.empty() && InitializeProcThreadAttributeList(get(), 1, 0, &size);
        m_initialised = m_ok;
        m_ok = m_ok && UpdateProcThreadAttribute(get(), 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, handles.data(),
                                                 handles.size() * sizeof(HANDLE), nullptr, nullptr);
    }
    InheritList(const InheritList&) = delete;
    InheritList& operator=(const InheritList&) = delete;
    ~InheritList()
    {
        if (m_initialised)
            DeleteProcThreadAttributeList(get());
    }

    bool ok() const { return m_ok; }
    LPPROC_THREAD_ATTRIBUTE_LIST get()
    {
        return reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(m_bytes.data());
    }

private:
    std::vector<char> m_bytes;
    bool m_initialised = false;
    bool m_ok = false;
};

// The report pipe end a child was handed, from its childName().
HANDLE reportHandle(const std::string& name)
{
    return reinterpret_cast<HANDLE>(static_cast<std::intptr_t>(std::strtoll(name.c_str(), nullptr, 10)));
}

// A file the child writes to (appending), or NUL; inheritable.
HANDLE openOutput(const std::filesystem::path& file)
{
    SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    return CreateFileW(file.empty() ? L"NUL" : file.wstring().c_str(), FILE_APPEND_DATA,
                       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &inherit, OPEN_ALWAYS,
                       FILE_ATTRIBUTE_NORMAL, nullptr);
}

// Held while inheritable handles exist for a child about to start: a child started meanwhile
// without a handle list (_popen's cmd.exe) would inherit them too, and keep a report pipe open.
std::mutex& inheritLock()
{
    static std::mutex lock;
    return lock;
}

BOOL WINAPI ignoreConsoleBreak(DWORD event)
{
    return event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT;
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

Result<ReportPipe> ReportPipe::create()
{
    HANDLE read = nullptr;
    HANDLE write = nullptr;
    if (!CreatePipe(&read, &write, nullptr, 0)) // not inheritable: spawn() hands the write end on
        return Error{"cannot create a pipe: " + systemMessage(GetLastError())};
    return ReportPipe(reinterpret_cast<std::intptr_t>(read), reinterpret_cast<std::intptr_t>(write));
}

void ReportPipe::closeReadEnd()
{
    if (m_read != -1)
        CloseHandle(reinterpret_cast<HANDLE>(std::exchange(m_read, -1)));
}

std::string ReportPipe::childName() const
{
    return std::to_string(m_write); // an inherited handle keeps its value in the child
}

void ReportPipe::closeChildEnd()
{
    if (m_write != -1)
        CloseHandle(reinterpret_cast<HANDLE>(std::exchange(m_write, -1)));
}

ReportPipe::Report ReportPipe::readLine(std::chrono::steady_clock::time_point deadline,
                                        const std::function<bool()>& stop)
{
    // An anonymous pipe has no overlapped reads: look at what waits in it (PeekNamedPipe works on
    // those too) every 20 ms, and read only that, so no read blocks past the deadline.
    const HANDLE pipe = reinterpret_cast<HANDLE>(m_read);
    Report report;
    for (;;) {
        DWORD waiting = 0;
        if (!PeekNamedPipe(pipe, nullptr, 0, nullptr, &waiting, nullptr)) {
            report.outcome = Report::Outcome::Ended; // the child's end is closed and all of it read
            return report;
        }
        if (waiting == 0) {
            if (std::chrono::steady_clock::now() >= deadline || (stop && stop()))
                return report; // TimedOut, with what came so far
            Sleep(20);
            continue;
        }
        std::string bytes(waiting, '\0');
        DWORD n = 0;
        if (!ReadFile(pipe, bytes.data(), waiting, &n, nullptr) || n == 0) {
            report.outcome = Report::Outcome::Ended;
            return report;
        }
        bytes.resize(n);
        if (const auto end = bytes.find('\n'); end != std::string::npos) {
            report.line += bytes.substr(0, end);
            report.outcome = Report::Outcome::Line;
            return report;
        }
        report.line += bytes;
    }
}

void reportToParent(const std::string& name, const std::string& line)
{
    if (name.empty())
        return;
    const auto text = line + "\n";
    DWORD n = 0;
    WriteFile(reportHandle(name), text.data(), static_cast<DWORD>(text.size()), &n, nullptr);
}

void closeReport(const std::string& name)
{
    if (!name.empty())
        CloseHandle(reportHandle(name));
}

Result<int> runAttached(const std::vector<std::string>& argv)
{
    if (argv.empty())
        return Error{"no program to run"};
    auto commandLine = commandLineOf(argv);
    // This process's standard handles, as inheritable copies, and nothing else.
    std::unique_lock lock(inheritLock());
    std::vector<HANDLE> inherited;
    STARTUPINFOEXW startup{};
    startup.StartupInfo.cb = sizeof startup;
    startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    HANDLE* slots[] = {&startup.StartupInfo.hStdInput, &startup.StartupInfo.hStdOutput,
                       &startup.StartupInfo.hStdError};
    const DWORD ids[] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE};
    for (int i = 0; i < 3; ++i) {
        const HANDLE own = GetStdHandle(ids[i]);
        HANDLE copy = nullptr;
        if (own && own != INVALID_HANDLE_VALUE &&
            DuplicateHandle(GetCurrentProcess(), own, GetCurrentProcess(), &copy, 0, TRUE,
                            DUPLICATE_SAME_ACCESS))
            inherited.push_back(copy);
        *slots[i] = copy;
    }
    InheritList list(inherited);
    const bool listed = list.ok();
    startup.lpAttributeList = listed ? list.get() : nullptr;
    PROCESS_INFORMATION info{};
    // Ctrl-C and Ctrl-Break reach every program on the console: the child decides, this process
    // waits. A handler, not SetConsoleCtrlHandler(nullptr, TRUE), whose "ignore Ctrl-C" the child
    // would inherit.
    SetConsoleCtrlHandler(ignoreConsoleBreak, TRUE);
    // No standard handles (a program without a console): nothing to inherit. Handles that cannot
    // be limited to these: not started, rather than handing it everything inheritable.
    const BOOL made = (listed || inherited.empty()) &&
                      CreateProcessW(nullptr, commandLine.data(), nullptr, nullptr, listed ? TRUE : FALSE,
                                     CREATE_UNICODE_ENVIRONMENT | (listed ? EXTENDED_STARTUPINFO_PRESENT : 0),
                                     nullptr, nullptr, &startup.StartupInfo, &info);
    const DWORD code = GetLastError();
    for (const HANDLE h : inherited)
        CloseHandle(h);
    lock.unlock();
    if (!made) {
        SetConsoleCtrlHandler(ignoreConsoleBreak, FALSE);
        if (code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND)
            return Error{"cannot run " + argv[0] + ": not found in PATH"};
        return Error{"cannot run " + argv[0] + ": " + systemMessage(code)};
    }
    CloseHandle(info.hThread);
    WaitForSingleObject(info.hProcess, INFINITE);
    DWORD exitCode = 0;
    GetExitCodeProcess(info.hProcess, &exitCode);
    CloseHandle(info.hProcess);
    SetConsoleCtrlHandler(ignoreConsoleBreak, FALSE);
    // An exit code as a shell shows it: an NTSTATUS such as "ended by Ctrl-C" is no exit status.
    if (exitCode == static_cast<DWORD>(STATUS_CONTROL_C_EXIT))
        return -SIGINT;
    return exitCode <= 255 ? static_cast<int>(exitCode) : 255;
}

std::filesystem::path findProgram(const std::string& program)
{
    std::wstring found(MAX_PATH, L'\0');
    const DWORD n = SearchPathW(nullptr, widen(program).c_str(), L".exe", static_cast<DWORD>(found.size()),
                                found.data(), nullptr);
    if (n == 0 || n >= found.size())
        return {};
    found.resize(n);
    return std::filesystem::path(found);
}

std::vector<std::filesystem::path> programsInPath(const std::string& program)
{
    std::vector<std::filesystem::path> found;
    const wchar_t* path = _wgetenv(L"PATH");
    const std::wstring dirs = path ? path : L"";
    auto name = std::filesystem::path(widen(program));
    if (!name.has_extension())
        name += L".exe";
    std::size_t begin = 0;
    while (begin <= dirs.size()) {
        const auto end = std::min(dirs.find(L';', begin), dirs.size());
        const auto dir = dirs.substr(begin, end - begin);
        begin = end + 1;
        std::error_code ec;
        if (!dir.empty() && std::filesystem::is_regular_file(std::filesystem::path(dir) / name, ec))
            found.push_back(std::filesystem::path(dir) / name);
    }
    return found;
}

bool isTerminal(int fd)
{
    const DWORD ids[] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE};
    DWORD mode = 0;
    return fd >= 0 && fd <= 2 && GetConsoleMode(GetStdHandle(ids[fd]), &mode);
}

std::optional<std::uint64_t> openFileLimit()
{
    return std::nullopt; // handles are limited per system, not per process
}

bool runsAsAdministrator()
{
    HANDLE token = nullptr;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return false;
    TOKEN_ELEVATION elevation{};
    DWORD size = 0;
    const bool elevated = GetTokenInformation(token, TokenElevation, &elevation, sizeof elevation, &size) &&
                          elevation.TokenIsElevated;
    CloseHandle(token);
    return elevated;
}

void becomeBackgroundProcess() {}

std::vector<ProcessCommandLine> userProcesses()
{
    return {}; // Process.h: the job object ends Berth's QEMUs with their agent
}

std::vector<std::string> processCommandLine(int)
{
    return {};
}

bool processExists(int pid)
{
    const HANDLE process = OpenProcess(SYNCHRONIZE, FALSE, static_cast<DWORD>(pid));
    if (!process)
        return GetLastError() == ERROR_ACCESS_DENIED; // there, but not ours to open
    const bool running = WaitForSingleObject(process, 0) == WAIT_TIMEOUT;
    CloseHandle(process);
    return running;
}

void signalProcess(int pid, int sig)
{
    if (const HANDLE process = OpenProcess(PROCESS_TERMINATE, FALSE, static_cast<DWORD>(pid))) {
        TerminateProcess(process, 128 + static_cast<UINT>(sig));
        CloseHandle(process);
    }
}

int currentProcessId()
{
    return static_cast<int>(GetCurrentProcessId());
}

Result<Process> Process::spawn(const std::vector<std::string>& argv, const Options& options)
{
    if (argv.empty())
        return Error{"no program to start"};
    auto commandLine = commandLineOf(argv);
    const std::lock_guard lock(inheritLock());
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
    // The child inherits these handles and no others, whatever else this process (or another
    // thread spawning at the same moment) has made inheritable.
    std::vector<HANDLE> inherited{in, out};
    if (err != out)
        inherited.push_back(err);
    const HANDLE passed = options.passHandle == -1 ? nullptr : reinterpret_cast<HANDLE>(options.passHandle);
    if (passed && !SetHandleInformation(passed, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT)) {
        const DWORD code = GetLastError();
        closeStd();
        return Error{"cannot start " + argv[0] + ": cannot hand it its report pipe: " + systemMessage(code)};
    }
    if (passed)
        inherited.push_back(passed);
    InheritList list(inherited);
    const bool listed = list.ok();
    STARTUPINFOEXW startup{};
    startup.StartupInfo.cb = sizeof startup;
    startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    startup.StartupInfo.hStdInput = in;
    startup.StartupInfo.hStdOutput = out;
    startup.StartupInfo.hStdError = err;
    startup.lpAttributeList = listed ? list.get() : nullptr;
    DWORD flags = CREATE_UNICODE_ENVIRONMENT | CREATE_NO_WINDOW | CREATE_SUSPENDED;
    if (listed)
        flags |= EXTENDED_STARTUPINFO_PRESENT;
    if (options.newSession || options.detached)
        flags |= CREATE_NEW_PROCESS_GROUP;
    PROCESS_INFORMATION info{};
    // The program is looked up as CreateProcess does: its folder, the current one, the system
    // folders, then PATH.
    // Handles that cannot be limited to these: not started, rather than handing the child every
    // inheritable handle of this process.
    const BOOL made = listed && CreateProcessW(nullptr, commandLine.data(), nullptr, nullptr, TRUE, flags,
                                               nullptr, nullptr, &startup.StartupInfo, &info);
    const DWORD code = GetLastError();
    if (passed)
        SetHandleInformation(passed, HANDLE_FLAG_INHERIT, 0);
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

std::intptr_t Process::openExitHandle() const
{
    HANDLE copy = nullptr;
    if (!m_handle ||
        !DuplicateHandle(GetCurrentProcess(), m_handle, GetCurrentProcess(), &copy, SYNCHRONIZE, FALSE, 0))
        return -1;
    return reinterpret_cast<std::intptr_t>(copy);
}

std::string firstOutputLine(const std::string& command)
{
    std::unique_lock lock(inheritLock()); // cmd.exe inherits every inheritable handle
    std::unique_ptr<FILE, decltype(&_pclose)> pipe(_popen((command + " 2>NUL").c_str(), "r"), &_pclose);
    lock.unlock();
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
