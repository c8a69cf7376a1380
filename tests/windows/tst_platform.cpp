// vm/'s platform layer on Windows (run under Wine by scripts/test, label `windows`): processes
// (started with their arguments intact, output to a file, exit codes, ended by signal(), a
// missing program and a refused passFd named), file locks (exclusive within one process and
// across processes, released with the object), app paths and host facts. The children are this
// program itself, started with a mode as its first argument.
//
// No Qt: a failed check prints where and why and makes the exit code non-zero.
#include "Check.h"
#include "berth/vm/AppPaths.h"
#include "berth/vm/FileLock.h"
#include "berth/vm/HostInfo.h"
#include "berth/vm/Process.h"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <windows.h>

using namespace berth::vm;
namespace fs = std::filesystem;

namespace {

std::string contents(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

std::string self()
{
    wchar_t path[MAX_PATH];
    const DWORD n = GetModuleFileNameW(nullptr, path, MAX_PATH);
    return fs::path(std::wstring(path, n)).string();
}

// The child's side. Returns its exit code.
int child(int argc, char** argv)
{
    const std::string mode = argv[1];
    if (mode == "args") { // each argument on a line, between brackets
        for (int i = 2; i < argc; ++i)
            std::printf("[%s]\n", argv[i]);
        std::fprintf(stderr, "to stderr\n");
        return 7;
    }
    if (mode == "sleep") {
        Sleep(60000);
        return 0;
    }
    if (mode == "lock") { // 0: the lock is held by someone else; 1: taken here; 2: error
        auto lock = FileLock::tryAcquire(argv[2]);
        return !lock ? 2 : lock->has_value() ? 1 : 0;
    }
    return 3;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc >= 2 && std::string(argv[1]) != "--test")
        return child(argc, argv);

    wchar_t temp[MAX_PATH];
    GetTempPathW(MAX_PATH, temp);
    const fs::path dir = fs::path(temp) / ("berth-platform-" + std::to_string(GetCurrentProcessId()));
    fs::create_directories(dir);

    // Arguments arrive as given (spaces, quotes, backslashes, an empty one), output goes to the
    // files, the exit code comes back.
    {
        const std::vector<std::string> args{"plain", "two words", "a \"quoted\" word", "back\\slash\\", "", "tab\there"};
        std::vector<std::string> argv2{self(), "args"};
        argv2.insert(argv2.end(), args.begin(), args.end());
        auto spawned = Process::spawn(argv2, {.stdoutFile = dir / "out.txt", .stderrFile = dir / "err.txt"});
        CHECK(spawned.ok(), spawned.ok() ? "" : spawned.error().message);
        if (spawned.ok()) {
            CHECK(spawned->pid() > 0);
            const auto code = spawned->wait(std::chrono::seconds(30));
            CHECK(code && *code == 7, code ? std::to_string(*code) : "still running");
            std::string expected;
            for (const auto& a : args)
                expected += "[" + a + "]\r\n";
            const auto out = contents(dir / "out.txt");
            CHECK(out == expected, out); // stdout in text mode: CR LF
            CHECK(contents(dir / "err.txt").find("to stderr") != std::string::npos);
        }
    }
    // signal() ends it; poll() says so.
    {
        auto spawned = Process::spawn({self(), "sleep"}, {});
        CHECK(spawned.ok(), spawned.ok() ? "" : spawned.error().message);
        if (spawned.ok()) {
            CHECK(!spawned->poll());
            CHECK(!spawned->wait(std::chrono::milliseconds(200)));
            spawned->signal(SIGTERM); // Windows has no polite ending: it ends at once
            const auto code = spawned->wait(std::chrono::seconds(10));
            CHECK(code && *code == -SIGTERM, code ? std::to_string(*code) : "still running");
        }
    }
    // Refusals name the program and why.
    {
        auto missing = Process::spawn({"berth-no-such-program"}, {});
        CHECK(!missing.ok() && missing.error().message.find("berth-no-such-program") != std::string::npos &&
                  missing.error().message.find("not found") != std::string::npos,
              missing.ok() ? "started" : missing.error().message);
        auto passFd = Process::spawn({self(), "args"}, {.stdoutFile = {}, .stderrFile = {}, .newSession = false, .passFd = 3});
        CHECK(!passFd.ok() && passFd.error().message.find("not supported on Windows") != std::string::npos);
    }
    // A detached child runs on; nothing is owed for it.
    {
        auto detached = Process::spawn({self(), "args", "x"}, {.stdoutFile = dir / "detached.txt",
                                                                    .stderrFile = {},
                                                                    .newSession = false,
                                                                    .passFd = -1,
                                                                    .dieWithParent = false,
                                                                    .detached = true});
        CHECK(detached.ok() && detached->pid() == -1);
        for (int i = 0; i < 200 && contents(dir / "detached.txt").empty(); ++i)
            Sleep(20);
        CHECK(contents(dir / "detached.txt").find("[x]") != std::string::npos);
    }
    // File locks.
    {
        const auto file = dir / "agent.lock";
        auto first = FileLock::tryAcquire(file);
        CHECK(first.ok() && first->has_value(), first.ok() ? "" : first.error().message);
        auto second = FileLock::tryAcquire(file);
        CHECK(second.ok() && !second->has_value()); // held: even within one process
        const auto otherProcess = [&] {
            auto p = Process::spawn({self(), "lock", file.string()}, {});
            return p ? p->wait(std::chrono::seconds(30)).value_or(-100) : -200;
        };
        CHECK(otherProcess() == 0); // held, as another process sees it
        first->reset();             // released with the object
        CHECK(otherProcess() == 1); // now another process takes it (and releases it on exit)
        auto again = FileLock::tryAcquire(file);
        CHECK(again.ok() && again->has_value());
        auto badFolder = FileLock::tryAcquire(dir / "no-such-folder" / "agent.lock");
        CHECK(!badFolder.ok() && badFolder.error().message.find("cannot open") != std::string::npos);
    }

    // App paths: %LOCALAPPDATA%\Berth, and this program's own file.
    {
        const auto data = userDataFolder();
        const wchar_t* local = _wgetenv(L"LOCALAPPDATA");
        CHECK(local && data.ok() && *data == fs::path(local) / "Berth", data.ok() ? data->string() : data.error().message);
        CHECK(fs::equivalent(runningExecutable(), fs::path(self())));
        _wputenv(L"LOCALAPPDATA=");
        const auto none = userDataFolder();
        CHECK(!none.ok() && none.error().message.find("LOCALAPPDATA") != std::string::npos);
    }

    // Host facts, as Windows reports them; Wine has no Windows Hypervisor Platform, so the
    // hypervisor problem says how to turn it on.
    {
        const auto host = hostInfo();
        CHECK(host.os == HostOs::Windows);
        SYSTEM_INFO system{};
        GetNativeSystemInfo(&system);
        CHECK(host.arch == CpuArch::X86_64, toString(host.arch));
        CHECK(host.cpus == static_cast<int>(system.dwNumberOfProcessors), std::to_string(host.cpus));
        MEMORYSTATUSEX memory{};
        memory.dwLength = sizeof memory;
        CHECK(GlobalMemoryStatusEx(&memory) && host.memoryBytes == memory.ullTotalPhys && host.memoryBytes > 0,
              std::to_string(host.memoryBytes));
        CHECK(host.availableMemoryBytes > 0 && host.availableMemoryBytes <= host.memoryBytes);
        // The version the kernel reports (Wine's prefix says 6.1.7601, Windows 7), never the
        // manifest's default answer of GetVersionEx (6.2, Windows 8).
        CHECK(host.system.rfind("Windows ", 0) == 0 && host.system.find("6.2.") == std::string::npos &&
                  host.system.find(" x86_64") != std::string::npos,
              host.system);
        CHECK(hypervisorName() == "whpx");
        const auto problem = hypervisorProblem();
        CHECK(problem && problem->find("Windows Hypervisor Platform") != std::string::npos,
              problem ? *problem : "none");
        std::printf("host: %s, %d CPUs; hypervisor: %s\n", host.system.c_str(), host.cpus,
                    problem ? problem->c_str() : "usable");
    }

    std::error_code ec;
    fs::remove_all(dir, ec);
    return berth::test::finish();
}
