#include "berth/vm/Process.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <memory>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>

extern char** environ;

namespace berth::vm {

namespace {

// The runnable regular files named `name` in PATH's folders, in order (only the first when
// `firstOnly`). An empty entry is the current folder when `emptyIsCurrent`, as execvp reads it,
// else it is skipped.
std::vector<std::string> runnableInPath(const std::string& name, bool emptyIsCurrent, bool firstOnly)
{
    std::vector<std::string> found;
    const char* path = std::getenv("PATH");
    std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
    std::size_t begin = 0;
    while (begin <= dirs.size() && !(firstOnly && !found.empty())) {
        const auto end = std::min(dirs.find(':', begin), dirs.size());
        const auto dir = dirs.substr(begin, end - begin);
        begin = end + 1;
        if (dir.empty() && !emptyIsCurrent)
            continue;
        const auto candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
        struct stat st
        {
        };
        if (::access(candidate.c_str(), X_OK) == 0 && ::stat(candidate.c_str(), &st) == 0 &&
            S_ISREG(st.st_mode))
            found.push_back(candidate);
    }
    return found;
}

// argv[0] as execve needs it: itself when it has a '/', else the first executable in PATH.
std::string resolveProgram(const std::string& name)
{
    if (name.find('/') != std::string::npos)
        return name;
    const auto found = runnableInPath(name, true, true);
    return found.empty() ? std::string() : found.front();
}

// argv as execv wants it; the strings stay `argv`'s.
std::vector<char*> execArguments(const std::vector<std::string>& argv)
{
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    return args;
}

// In the child: tells the parent why it cannot exec (errno `code`) and exits.
[[noreturn]] void reportAndExit(int reportFd, int code)
{
    (void)!::write(reportFd, &code, sizeof code);
    ::_exit(127);
}

// A child that forkAndExec() started: its pid, or the errno that kept it from starting.
struct Forked
{
    pid_t pid = -1;
    int error = 0;
};

// Forks, and in the child runs `inChild(reportFd)`, which must exec or end through
// reportAndExit() (only async-signal-safe calls: this process may have other threads). Returns
// once the exec has happened, which the close-on-exec pipe `reportFd` ending says, or has failed
// (the child is reaped then).
Forked forkAndExec(const std::function<void(int reportFd)>& inChild)
{
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0)
        return {-1, errno};
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(report[0]);
        inChild(report[1]);
        ::_exit(127); // not reached: inChild execs or exits
    }
    const int forkError = errno;
    ::close(report[1]);
    if (pid < 0) {
        ::close(report[0]);
        return {-1, forkError};
    }
    int childErrno = 0;
    ssize_t n;
    do
        n = ::read(report[0], &childErrno, sizeof childErrno);
    while (n < 0 && errno == EINTR);
    ::close(report[0]);
    if (n == static_cast<ssize_t>(sizeof childErrno)) {
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        return {-1, childErrno};
    }
    return {pid, 0};
}

// In the child, between fork and exec: only async-signal-safe calls. Never returns.
[[noreturn]] void execChild(const char* program, char* const* args, const char* out, const char* err,
                            const Process::Options& options, pid_t parent, int reportFd)
{
    // Out of the way of fd 3, which passHandle may take.
    if (reportFd < 10) {
        const int moved = ::fcntl(reportFd, F_DUPFD_CLOEXEC, 10);
        if (moved >= 0) {
            ::close(reportFd);
            reportFd = moved;
        }
    }
    const auto failed = [&reportFd](int code) {
        reportAndExit(reportFd, code);
    };
    if (options.dieWithParent) {
        if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
            failed(errno);
        if (::getppid() != parent) // the parent died before prctl took effect
            ::_exit(1);
    }
    if (options.newSession)
        ::setsid();
    if (options.detached) {
        // The program runs as a grandchild, which init adopts once this child exits here.
        const pid_t grandchild = ::fork();
        if (grandchild < 0)
            failed(errno);
        if (grandchild > 0)
            ::_exit(0);
    }
    // fd 3 first, while the passed descriptor still has its number (it may be 0, 1 or 2 of
    // nothing here).
    const int passFd = static_cast<int>(options.passHandle);
    if (passFd == 3)
        ::fcntl(3, F_SETFD, 0); // dup2 onto itself would keep close-on-exec
    else if (passFd >= 0 && ::dup2(passFd, 3) < 0)
        failed(errno);
    int in = ::open("/dev/null", O_RDONLY);
    int o = ::open(out, O_WRONLY | O_CREAT | O_APPEND, 0600);
    int e = err ? ::open(err, O_WRONLY | O_CREAT | O_APPEND, 0600) : o;
    if (in < 0 || o < 0 || e < 0 || ::dup2(in, 0) < 0 || ::dup2(o, 1) < 0 || ::dup2(e, 2) < 0)
        failed(errno);
    // Everything else this process had open (log files, sockets, the lock) stays here.
    // The report pipe stays open until exec, which closes it (close-on-exec).
    const int first = passFd >= 0 ? 4 : 3;
#ifdef SYS_close_range
    const bool ranged = (reportFd <= first || ::syscall(SYS_close_range, first, reportFd - 1, 0) == 0) &&
                        ::syscall(SYS_close_range, std::max(first, reportFd + 1), ~0U, 0) == 0;
#else
    const bool ranged = false;
#endif
    if (!ranged) {
        for (int fd = first; fd < 65536; ++fd)
            if (fd != reportFd)
                ::close(fd);
    }
    ::execve(program, args, environ);
    failed(errno);
    ::_exit(127); // not reached: failed() exits, but the lambda cannot say [[noreturn]]
}

} // namespace

Result<ReportPipe> ReportPipe::create()
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return Error{std::string("cannot create a pipe: ") + std::strerror(errno)};
    // The write end becomes the child's fd 3; keep it clear of 0–3 so that the dup2 is a real one.
    const int writeEnd = ::fcntl(fds[1], F_DUPFD_CLOEXEC, 10);
    const int why = errno;
    ::close(fds[1]);
    if (writeEnd < 0) {
        ::close(fds[0]);
        return Error{std::string("cannot create a pipe: ") + std::strerror(why)};
    }
    return ReportPipe(fds[0], writeEnd);
}

void ReportPipe::closeReadEnd()
{
    if (m_read >= 0)
        ::close(static_cast<int>(std::exchange(m_read, -1)));
}

std::string ReportPipe::childName() const
{
    return "3";
}

void ReportPipe::closeChildEnd()
{
    if (m_write >= 0)
        ::close(static_cast<int>(std::exchange(m_write, -1)));
}

ReportPipe::Report ReportPipe::readLine(std::chrono::steady_clock::time_point deadline,
                                        const std::function<bool()>& stop)
{
    Report report;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || (stop && stop()))
            return report; // TimedOut, with what came so far
        pollfd p{static_cast<int>(m_read), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 200))) <= 0)
            continue;
        char ch = 0;
        const auto n = ::read(static_cast<int>(m_read), &ch, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n != 1) {
            report.outcome = Report::Outcome::Ended;
            return report;
        }
        if (ch == '\n') {
            report.outcome = Report::Outcome::Line;
            return report;
        }
        report.line += ch;
    }
}

void reportToParent(const std::string& name, const std::string& line)
{
    if (name.empty())
        return;
    const auto text = line + "\n";
    (void)!::write(std::atoi(name.c_str()), text.data(), text.size());
}

void closeReport(const std::string& name)
{
    if (!name.empty())
        ::close(std::atoi(name.c_str()));
}

static_assert(kKillSignal == SIGKILL);

Result<int> runAttached(const std::vector<std::string>& argv)
{
    if (argv.empty())
        return Error{"no program to run"};
    const auto program = resolveProgram(argv[0]);
    if (program.empty())
        return Error{"cannot run " + argv[0] + ": not found in PATH"};
    auto args = execArguments(argv);
    // Ctrl-C and Ctrl-\ reach the whole foreground group: the program decides, this process waits
    // (as system() does).
    struct sigaction ignore
    {
    };
    ignore.sa_handler = SIG_IGN;
    struct sigaction oldInt
    {
    }, oldQuit{};
    ::sigaction(SIGINT, &ignore, &oldInt);
    ::sigaction(SIGQUIT, &ignore, &oldQuit);
    const auto restore = [&] {
        ::sigaction(SIGINT, &oldInt, nullptr);
        ::sigaction(SIGQUIT, &oldQuit, nullptr);
    };
    const auto child = forkAndExec([&](int reportFd) {
        ::sigaction(SIGINT, &oldInt, nullptr);
        ::sigaction(SIGQUIT, &oldQuit, nullptr);
        ::execv(program.c_str(), args.data());
        reportAndExit(reportFd, errno);
    });
    if (child.error != 0) {
        restore();
        return Error{"cannot run " + program + ": " + std::strerror(child.error)};
    }
    int status = 0;
    pid_t waited = -1;
    do
        waited = ::waitpid(child.pid, &status, 0);
    while (waited < 0 && errno == EINTR);
    restore();
    if (waited != child.pid)
        return Error{"lost " + argv[0] + ": " + std::strerror(errno)};
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

std::filesystem::path findProgram(const std::string& program)
{
    const auto found = resolveProgram(program);
    return !found.empty() && ::access(found.c_str(), X_OK) == 0 ? found : std::string();
}

std::vector<std::filesystem::path> programsInPath(const std::string& program)
{
    const auto found = runnableInPath(program, false, false);
    return {found.begin(), found.end()};
}

bool isTerminal(int fd)
{
    return ::isatty(fd) == 1;
}

std::optional<std::uint64_t> openFileLimit()
{
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_max == RLIM_INFINITY)
        return std::nullopt;
    return static_cast<std::uint64_t>(files.rlim_max);
}

bool runsAsAdministrator()
{
    return ::geteuid() == 0;
}

void becomeBackgroundProcess()
{
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGHUP, SIG_IGN);
    ::umask(077);
}

bool processExists(int pid)
{
    return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

void signalProcess(int pid, int sig)
{
    if (pid > 0)
        ::kill(pid, sig);
}

int currentProcessId()
{
    return static_cast<int>(::getpid());
}

Result<Process> Process::spawn(const std::vector<std::string>& argv, const Options& options)
{
    if (argv.empty())
        return Error{"no program to start"};
    const auto program = resolveProgram(argv[0]);
    if (program.empty())
        return Error{"cannot start " + argv[0] + ": not found in PATH"};
    const auto out = options.stdoutFile.empty() ? std::string("/dev/null") : options.stdoutFile.string();
    const auto err = options.stderrFile.string();
    auto args = execArguments(argv);
    const pid_t parent = ::getpid();
    const auto child = forkAndExec([&](int reportFd) {
        execChild(program.c_str(), args.data(), out.c_str(), err.empty() ? nullptr : err.c_str(), options,
                  parent, reportFd);
    });
    if (child.error != 0)
        return Error{"cannot start " + argv[0] + ": " + std::strerror(child.error)};
    if (options.detached) {
        ::waitpid(child.pid, nullptr, 0); // the intermediate child, which exited at once
        return Process(-1);
    }
    return Process(child.pid);
}

Process::~Process() = default;

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

std::intptr_t Process::openExitHandle() const
{
#ifdef SYS_pidfd_open
    if (m_pid > 0)
        return static_cast<std::intptr_t>(::syscall(SYS_pidfd_open, m_pid, 0));
#endif
    return -1;
}

void Process::signal(int sig) const
{
    if (m_pid > 0 && !m_status)
        ::kill(m_pid, sig);
}

std::string firstOutputLine(const std::string& command)
{
    std::unique_ptr<FILE, decltype(&pclose)> pipe(popen((command + " 2>/dev/null").c_str(), "r"), &pclose);
    if (!pipe)
        return {};
    std::array<char, 512> line{};
    if (!std::fgets(line.data(), static_cast<int>(line.size()), pipe.get()))
        return {};
    std::string text(line.data());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    return text;
}

} // namespace berth::vm
