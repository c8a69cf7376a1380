#pragma once

#include "berth/vm/Result.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace berth::vm {

// A child process: vm/src/platform/posix/Process.cpp (fork and exec) or
// vm/src/platform/windows/Process.cpp (CreateProcessW). Not copyable; destroying a running
// Process does not stop it (the agent may outlive its caller): signal() it first where that is
// wanted.
class Process final
{
public:
    struct Options
    {
        std::filesystem::path stdoutFile; // empty: /dev/null
        std::filesystem::path stderrFile; // empty: same as stdout
        bool newSession = false;          // setsid(): survives the terminal closing
        // What the child inherits beyond its standard handles (a ReportPipe's childEnd()), or -1.
        // POSIX: a descriptor, which becomes the child's fd 3. Windows: a handle, which the
        // child alone inherits (with the same value).
        std::intptr_t passHandle = -1;
        // The child gets SIGTERM when the thread that spawned it ends (Linux PR_SET_PDEATHSIG), so
        // a helper such as QEMU never outlives the agent that owns it, even one killed with -9.
        // Spawn such children from a thread that lives as long as they should. On Windows the
        // child is in a job object that ends with this process.
        bool dieWithParent = false;
        // The program is not this process's child (it is started through a child that exits at
        // once, so init adopts it): nothing here has to reap it, however long this process runs.
        // pid() is then -1 and poll() says nothing. Not with dieWithParent.
        bool detached = false;
    };

    // Starts argv[0] (looked up in PATH) with argv. The child inherits no descriptor but 0, 1, 2
    // and passHandle (log files and sockets of this process stay here). Fails naming the program
    // when it cannot start.
    static Result<Process> spawn(const std::vector<std::string>& argv, const Options& options);

    Process(Process&& other) noexcept;
    Process& operator=(Process&& other) noexcept;
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    ~Process();

    int pid() const { return m_pid; }
    // The exit status once the process has exited (reaping it), else nullopt. -N: killed by signal N.
    std::optional<int> poll();
    // Waits up to `timeout` for the exit; nullopt on timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    // On Windows every signal ends the process at once (TerminateProcess); poll() then says -sig.
    void signal(int sig) const;
    // What becomes ready when the process exits, for waiting without polling; the caller owns
    // it: a descriptor that becomes readable (Linux pidfd), or a handle that becomes signalled
    // (Windows: the process's own, duplicated). -1 where the system has none.
    std::intptr_t openExitHandle() const;

private:
    explicit Process(int pid) : m_pid(pid) {}
    int m_pid = -1; // a pid_t, or a Windows process id
    std::optional<int> m_status;
#ifdef _WIN32
    void* m_handle = nullptr; // the process's HANDLE
    mutable int m_signal = 0; // the signal() that ended it
#endif
};

// A one-line report from a child to the program that starts it (the agent's "ok", "locked" or
// "error WHY", once it holds its instance or knows why it cannot): a pipe whose write end the
// child inherits through Options::passHandle and names on its command line (childName()).
class ReportPipe final
{
public:
    static Result<ReportPipe> create();

    ReportPipe(ReportPipe&& other) noexcept;
    ReportPipe& operator=(ReportPipe&& other) noexcept;
    ReportPipe(const ReportPipe&) = delete;
    ReportPipe& operator=(const ReportPipe&) = delete;
    ~ReportPipe();

    // For Options::passHandle.
    std::intptr_t childEnd() const { return m_write; }
    // How the child names its end: "3" (POSIX, where it becomes fd 3) or the handle's value.
    std::string childName() const;
    // Closes this process's copy of the write end; call it once the child is started, so that the
    // child's ending is seen as the end of the pipe.
    void closeChildEnd();

    struct Report
    {
        enum class Outcome
        {
            Line,     // `line` holds what the child wrote, without the '\n'
            Ended,    // the child closed its end (ended) before writing a whole line
            TimedOut, // nothing by the deadline, or stop() said so
        } outcome = Outcome::TimedOut;
        std::string line;
    };
    // Reads until the first '\n', the end of the pipe or `deadline`, asking stop() between slices
    // of at most 200 ms.
    Report readLine(std::chrono::steady_clock::time_point deadline, const std::function<bool()>& stop);

private:
    ReportPipe(std::intptr_t read, std::intptr_t write) : m_read(read), m_write(write) {}
    void closeReadEnd();
    std::intptr_t m_read = -1; // a descriptor, or a Windows HANDLE
    std::intptr_t m_write = -1;
};

// In the child: writes `line` and a '\n' to the report pipe that `name` (its childName()) names.
// Nothing when `name` is empty.
void reportToParent(const std::string& name, const std::string& line);
// In the child: closes that end, so the parent sees the report is complete.
void closeReport(const std::string& name);

// A process of this user and its command line.
struct ProcessCommandLine
{
    int pid = -1;
    std::vector<std::string> argv;
};

// This user's processes other than this one, with their command lines: Linux reads
// /proc/PID/cmdline. Elsewhere none yet: macOS would ask sysctl(KERN_PROCARGS2); on Windows the
// QEMUs Berth starts are in a job object that ends them with their agent (dieWithParent), so none
// is left behind to be found.
std::vector<ProcessCommandLine> userProcesses();
// The command line of process `pid`, as userProcesses() gives it; empty when it is gone or
// cannot be read.
std::vector<std::string> processCommandLine(int pid);

// Whether process `pid` still runs.
bool processExists(int pid);

// SIGKILL's number on Linux and macOS, for code that builds on Windows too, whose C library has
// no SIGKILL (there signal() and signalProcess() end the process for any signal).
inline constexpr int kKillSignal = 9;

// Sends `sig` (SIGTERM, kKillSignal) to process `pid`; on Windows either ends it
// (TerminateProcess).
void signalProcess(int pid, int sig);

// Runs `argv` attached to this process's console: it reads and writes this process's standard
// input, output and error (a terminal stays a terminal), and this process waits for it, leaving
// Ctrl-C to it meanwhile. Its exit status (-N: killed by signal N), or an error naming the
// program when it cannot start. For `berth shell` (ssh) and the privileged helper (pkexec).
Result<int> runAttached(const std::vector<std::string>& argv);

// The file PATH lookup finds for `program` (with .exe on Windows); empty when there is none.
std::filesystem::path findProgram(const std::string& program);

// Every file named `program` (with .exe on Windows) in the folders PATH lists that this process
// may run, in PATH's order; findProgram() is the first of them.
std::vector<std::filesystem::path> programsInPath(const std::string& program);

// Whether standard stream `fd` (0 input, 1 output, 2 error) is a terminal or console.
bool isTerminal(int fd);

// Whether this process has the system administrator's rights (euid 0; an elevated token on
// Windows).
bool runsAsAdministrator();

// Readies this process to run in the background as the agent: it outlives a closed terminal and
// a reader that went away (SIGHUP and SIGPIPE ignored), and what it creates is for its user
// alone (umask 077). Windows has neither signal, and files take their folder's access rules.
void becomeBackgroundProcess();

// How many files this process may hold open at most (RLIMIT_NOFILE's hard limit); nothing when
// that is unlimited or the system sets no such limit (Windows).
std::optional<std::uint64_t> openFileLimit();

// This process's id (getpid, GetCurrentProcessId).
int currentProcessId();

// The first line `command` (run by the system's shell, /bin/sh or cmd.exe, with its standard
// error discarded) writes to its standard output, without the line end; empty when it cannot run
// or writes nothing.
std::string firstOutputLine(const std::string& command);

} // namespace berth::vm
