// vm/'s platform layer on Windows (run under Wine by scripts/test, label `windows`): processes
// (started with their arguments intact, output to a file, exit codes, ended by signal(), a
// missing program named, a one-line report through a ReportPipe, from a child that writes it,
// one that ends without it and one that never reports), file locks (exclusive within one process and
// across processes, released with the object), app paths, host facts, the named-pipe
// LocalListener and its endpoint names, private files and SHA-256. The children are this program itself,
// started with a mode as its first argument.
//
// No Qt: a failed check prints where and why and makes the exit code non-zero.
#include "Check.h"
#include "berth/engine/detail/Win32Text.h"
#include "berth/vm/AppPaths.h"
#include "berth/vm/FileLock.h"
#include "berth/vm/HostInfo.h"
#include "berth/vm/LocalListener.h"
#include "berth/vm/PrivateFiles.h"
#include "berth/vm/Process.h"
#include "berth/vm/Sha256.h"

#include <array>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include <windows.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

using namespace berth::vm;
namespace engine = berth::engine;
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
    if (mode == "report") { // the agent's way: a report, then its end closed while it runs on
        reportToParent(argv[2], "error the instance 'x' is broken");
        closeReport(argv[2]);
        Sleep(2000);
        return 0;
    }
    if (mode == "lock") { // 0: the lock is held by someone else; 1: taken here; 2: error
        auto lock = FileLock::tryAcquire(argv[2]);
        return !lock ? 2 : lock->has_value() ? 1 : 0;
    }
    return 3;
}

// A client of a pipe, as the docker CLI is one: opens it, sends `message`, then a zero-length
// message (end of input), and returns what it reads until the server's end of input.
std::string pipeClient(const std::wstring& name, const std::string& message)
{
    HANDLE pipe = INVALID_HANDLE_VALUE;
    for (int i = 0; i < 500 && pipe == INVALID_HANDLE_VALUE; ++i) {
        pipe = CreateFileW(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
        if (pipe == INVALID_HANDLE_VALUE)
            Sleep(10);
    }
    if (pipe == INVALID_HANDLE_VALUE)
        return "open failed: " + std::to_string(GetLastError());
    DWORD mode = PIPE_READMODE_MESSAGE;
    SetNamedPipeHandleState(pipe, &mode, nullptr, nullptr);
    DWORD n = 0;
    WriteFile(pipe, message.data(), static_cast<DWORD>(message.size()), &n, nullptr);
    WriteFile(pipe, "", 0, &n, nullptr);
    std::string answer;
    char buffer[256];
    for (;;) {
        const BOOL read = ReadFile(pipe, buffer, sizeof buffer, &n, nullptr);
        if ((!read && GetLastError() != ERROR_MORE_DATA) || n == 0)
            break;
        answer.append(buffer, n);
    }
    CloseHandle(pipe);
    return answer;
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
        const std::vector<std::string> args{"plain",         "two words", "a \"quoted\" word",
                                            "back\\slash\\", "",          "tab\there"};
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
    CHECK(currentProcessId() == static_cast<int>(GetCurrentProcessId()));
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
    }
    // The agent's ready report: the line a child writes through the pipe it inherited; the end of
    // a child that wrote nothing; the deadline for one that neither writes nor ends. The child
    // inherits the write end and nothing else of this process's.
    {
        using Outcome = ReportPipe::Report::Outcome;
        const auto run = [&](const std::string& mode, std::chrono::milliseconds wait) {
            auto pipe = ReportPipe::create();
            CHECK(pipe.ok(), pipe.ok() ? "" : pipe.error().message);
            if (!pipe.ok())
                return ReportPipe::Report{};
            auto child = Process::spawn({self(), mode, pipe->childName()},
                                        {.stdoutFile = {}, .stderrFile = {}, .passHandle = pipe->childEnd()});
            CHECK(child.ok(), child.ok() ? "" : child.error().message);
            pipe->closeChildEnd();
            const auto began = std::chrono::steady_clock::now();
            auto report = pipe->readLine(began + wait, {});
            if (report.outcome == Outcome::TimedOut)
                CHECK(std::chrono::steady_clock::now() - began >= wait - std::chrono::milliseconds(50));
            if (child.ok()) {
                child->signal(SIGTERM);
                child->wait(std::chrono::seconds(5));
            }
            return report;
        };
        const auto reported = run("report", std::chrono::seconds(10));
        CHECK(reported.outcome == Outcome::Line && reported.line == "error the instance 'x' is broken",
              reported.line);
        const auto silent = run("args", std::chrono::seconds(10)); // prints its arguments and ends
        CHECK(silent.outcome == Outcome::Ended && silent.line.empty(), silent.line);
        const auto sleeping = run("sleep", std::chrono::milliseconds(400));
        CHECK(sleeping.outcome == Outcome::TimedOut && sleeping.line.empty(), sleeping.line);
    }
    // A detached child runs on; nothing is owed for it.
    {
        auto detached = Process::spawn({self(), "args", "x"}, {.stdoutFile = dir / "detached.txt",
                                                               .stderrFile = {},
                                                               .newSession = false,
                                                               .passHandle = -1,
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
        CHECK(local && data.ok() && *data == fs::path(local) / "Berth",
              data.ok() ? data->string() : data.error().message);
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
        CHECK(GlobalMemoryStatusEx(&memory) && host.memoryBytes == memory.ullTotalPhys &&
                  host.memoryBytes > 0,
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

    // LocalListener on a named pipe: a client that connects and leaves before it is accepted
    // does not stop the listener; two clients served (the second may connect while the first is
    // served), the end of input both ways, the name held against a second server, a bad name
    // refused, and close() ending a pending accept.
    {
        const std::string name = "\\\\.\\pipe\\berth-test-" + std::to_string(GetCurrentProcessId());
        boost::asio::io_context io;
        LocalListener listener(io);
        const auto listening = listener.listen(name, 16);
        CHECK(listening.ok(), listening.ok() ? "" : listening.error().message);
        LocalListener squatter(io);
        const auto second = squatter.listen(name, 16);
        CHECK(!second.ok() && second.error().message.find("already serves") != std::string::npos,
              second.ok() ? "listened twice" : second.error().message);
        const auto bad = squatter.listen("C:\\berth.sock", 16);
        CHECK(!bad.ok() && bad.error().message.find("not a local pipe name") != std::string::npos);

        // Came and went before any accept: its instance is broken (ERROR_NO_DATA) and replaced.
        const HANDLE gone = CreateFileW(engine::detail::widen(name).c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
                                        OPEN_EXISTING, 0, nullptr);
        CHECK(gone != INVALID_HANDLE_VALUE, std::to_string(GetLastError()));
        CloseHandle(gone);

        std::string answers[2];
        std::thread clients([&] {
            std::thread first([&] { answers[0] = pipeClient(engine::detail::widen(name), "one"); });
            Sleep(50);
            answers[1] = pipeClient(engine::detail::widen(name), "two" + std::string(10000, '.'));
            first.join();
        });
        int served = 0, accepted = 0;
        std::vector<std::unique_ptr<LocalListener::Stream>> streams;
        std::function<void()> serve = [&] {
            auto stream = std::make_unique<LocalListener::Stream>(io);
            auto& s = *stream;
            streams.push_back(std::move(stream));
            listener.asyncAccept(s, [&](boost::system::error_code ec) {
                CHECK(!ec, ec.message());
                if (ec)
                    return;
                // Read to the client's end of input, answer, end ours.
                auto got = std::make_shared<std::string>();
                auto buffer = std::make_shared<std::array<char, 64>>(); // smaller than a message
                auto readAll = std::make_shared<std::function<void()>>();
                *readAll = [&, got, buffer, readAll] {
                    s.async_read_some(
                        boost::asio::buffer(*buffer),
                        [&, got, buffer, readAll](boost::system::error_code readError, std::size_t n) {
                            got->append(buffer->data(), n);
                            // The client's end of input: an empty message. A longer message than
                            // the buffer comes in parts.
                            if ((!readError || LocalListener::partialRead(readError)) && n > 0) {
                                (*readAll)();
                                return;
                            }
                            CHECK(!readError, readError.message());
                            const auto reply = std::make_shared<std::string>("got " + *got);
                            boost::asio::async_write(s, boost::asio::buffer(*reply),
                                                     [&, reply](boost::system::error_code, std::size_t) {
                                                         engine::detail::shutdownSend(s);
                                                         if (++served == 2)
                                                             listener.close();
                                                     });
                            *readAll = nullptr;
                        });
                };
                (*readAll)();
                if (++accepted < 2)
                    serve();
            });
        };
        serve();
        io.run_for(std::chrono::seconds(20));
        clients.join();
        CHECK(served == 2, std::to_string(served));
        CHECK(answers[0] == "got one", answers[0]);
        CHECK(answers[1] == "got two" + std::string(10000, '.'), answers[1].substr(0, 100));

        // close() while an accept waits: it ends with operation_aborted.
        boost::asio::io_context io2;
        LocalListener closing(io2);
        CHECK(closing.listen(name + "-2", 1).ok());
        LocalListener::Stream stream(io2);
        std::optional<boost::system::error_code> result;
        closing.asyncAccept(stream, [&](boost::system::error_code ec) { result = ec; });
        boost::asio::post(io2, [&] { closing.close(); });
        io2.run_for(std::chrono::seconds(5));
        CHECK(result && *result == boost::asio::error::operation_aborted,
              result ? result->message() : "no answer");
        CHECK(!closing.isOpen());
    }

    // Clients right behind one another, as the docker CLI makes them (one attempt; a busy pipe is
    // waited for, "not found" is final), while the io thread is slow to take each connection: a
    // second connect kept pending means none of them finds the pipe missing.
    {
        const std::string name =
            "\\\\.\\pipe\\berth-test-" + std::to_string(GetCurrentProcessId()) + "-burst";
        const auto wide = engine::detail::widen(name);
        boost::asio::io_context io;
        LocalListener listener(io);
        CHECK(listener.listen(name, 16).ok());
        constexpr int kClients = 40;
        std::atomic<int> connected{0}, missing{0};
        std::thread clients([&] {
            for (int i = 0; i < kClients; ++i) {
                HANDLE pipe = INVALID_HANDLE_VALUE;
                for (;;) {
                    pipe = CreateFileW(wide.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                                       0, nullptr);
                    if (pipe != INVALID_HANDLE_VALUE || GetLastError() != ERROR_PIPE_BUSY)
                        break;
                    WaitNamedPipeW(wide.c_str(), 2000);
                }
                if (pipe == INVALID_HANDLE_VALUE) {
                    ++missing;
                    continue;
                }
                ++connected;
                DWORD n = 0;
                WriteFile(pipe, "x", 1, &n, nullptr);
                CloseHandle(pipe);
            }
            boost::asio::post(io, [&] { listener.close(); });
        });
        int accepted = 0;
        std::function<void()> next = [&] {
            auto stream = std::make_shared<LocalListener::Stream>(io);
            listener.asyncAccept(*stream, [&, stream](boost::system::error_code ec) {
                if (ec)
                    return;
                ++accepted;
                Sleep(20); // a busy io thread
                next();
            });
        };
        next();
        io.run_for(std::chrono::seconds(60));
        clients.join();
        CHECK(connected == kClients && missing == 0,
              std::to_string(connected) + " connected, " + std::to_string(missing) + " found no pipe");
        CHECK(accepted >= 1, std::to_string(accepted));
    }

    // Private files: an atomic write replaces the file whole and leaves no temporary file; a
    // write into a missing folder names what was not changed. SHA-256 through BCrypt.
    {
        const auto file = dir / "settings.json";
        CHECK(writeFileAtomically(file, "first").ok());
        const auto replaced = writeFileAtomically(file, std::string(100000, 'x'));
        CHECK(replaced.ok(), replaced.ok() ? "" : replaced.error().message);
        CHECK(contents(file) == std::string(100000, 'x'));
        CHECK(std::none_of(fs::directory_iterator(dir), fs::directory_iterator(),
                           [](const fs::directory_entry& e) {
                               return e.path().filename().string().rfind(".settings.json.tmp", 0) == 0;
                           })); // no temporary file left
        const auto missing = writeFileAtomically(dir / "no-such-folder" / "x.json", "{}");
        CHECK(!missing.ok() && missing.error().message.find("was not changed") != std::string::npos,
              missing.ok() ? "written" : missing.error().message);
        CHECK(makePrivateFolder(dir / "a" / "b").ok() && fs::is_directory(dir / "a" / "b"));
        // (Its access list is not checked: Wine keeps Unix permissions for files and answers
        // GetFileSecurity from them, whatever SetFileSecurity was given.)
        CHECK(sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
              sha256Hex("abc"));
        const auto ofFile = sha256File(file);
        CHECK(ofFile.ok() && *ofFile == sha256Hex(std::string(100000, 'x')));
        CHECK(!sha256File(dir / "nothing").ok());
    }
    // Local endpoints on Windows are pipes named after the folder, as Windows compares names.
    {
        const auto engine = localEndpoint("C:\\Users\\ann\\AppData\\Local\\Berth\\default\\sock", "docker");
        CHECK(engine.string().rfind("\\\\.\\pipe\\berth-", 0) == 0 && engine.string().size() == 38 &&
                  engine.string().substr(engine.string().size() - 7) == "-docker",
              engine.string());
        CHECK(localEndpoint("c:\\users\\ANN\\AppData\\Local\\Berth\\default\\sock", "docker") == engine);
        CHECK(localEndpoint("C:\\Users\\bob\\AppData\\Local\\Berth\\default\\sock", "docker") != engine);
        CHECK(!localEndpointLimit());
        boost::asio::io_context io;
        LocalListener listener(io);
        const auto listening = listener.listen(engine, 4);
        CHECK(listening.ok(), listening.ok() ? "" : listening.error().message);
    }

    std::error_code ec;
    fs::remove_all(dir, ec);
    return berth::test::finish();
}
