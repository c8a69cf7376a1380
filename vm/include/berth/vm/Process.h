#pragma once

#include "berth/vm/Result.h"

#include <chrono>
#include <filesystem>
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
        int passFd = -1;                  // when >= 0, handed to the child as its fd 3 (POSIX only:
                                          // refused on Windows)
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
    // and passFd (log files and sockets of this process stay here). Fails naming the program
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
    // A descriptor that becomes readable when the process exits (Linux pidfd), for waiting
    // without polling; the caller owns it. -1 where the system has none.
    int openExitFd() const;

private:
    explicit Process(int pid) : m_pid(pid) {}
    int m_pid = -1; // a pid_t, or a Windows process id
    std::optional<int> m_status;
#ifdef _WIN32
    void* m_handle = nullptr; // the process's HANDLE
    mutable int m_signal = 0; // the signal() that ended it
#endif
};

// This process's id (getpid, GetCurrentProcessId).
int currentProcessId();

// The first line `command` (run by the system's shell, /bin/sh or cmd.exe, with its standard
// error discarded) writes to its standard output, without the line end; empty when it cannot run
// or writes nothing.
std::string firstOutputLine(const std::string& command);

} // namespace berth::vm
