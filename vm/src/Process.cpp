#include "berth/vm/Process.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace berth::vm {

Result<Process> Process::spawn(const std::vector<std::string>& argv, const Options& options)
{
    if (argv.empty())
        return Error{"no program to start"};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const auto out = options.stdoutFile.empty() ? std::string("/dev/null") : options.stdoutFile.string();
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (options.stderrFile.empty())
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
    else
        posix_spawn_file_actions_addopen(&actions, 2, options.stderrFile.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                         0600);
    if (options.passFd >= 0)
        posix_spawn_file_actions_adddup2(&actions, options.passFd, 3);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    if (options.newSession)
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);

    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0)
        return Error{"cannot start " + argv[0] + ": " + std::strerror(rc)};
    return Process(pid);
}

Process::Process(Process&& other) noexcept : m_pid(other.m_pid), m_status(other.m_status)
{
    other.m_pid = -1;
}

Process& Process::operator=(Process&& other) noexcept
{
    m_pid = other.m_pid;
    m_status = other.m_status;
    other.m_pid = -1;
    return *this;
}

std::optional<int> Process::poll()
{
    if (m_status || m_pid <= 0)
        return m_status;
    int status = 0;
    const pid_t r = ::waitpid(m_pid, &status, WNOHANG);
    if (r == m_pid)
        m_status = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    return m_status;
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!poll()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return m_status;
}

int Process::openExitFd() const
{
#ifdef SYS_pidfd_open
    if (m_pid > 0)
        return static_cast<int>(::syscall(SYS_pidfd_open, m_pid, 0));
#endif
    return -1;
}

void Process::signal(int sig) const
{
    if (m_pid > 0 && !m_status)
        ::kill(m_pid, sig);
}

} // namespace berth::vm
