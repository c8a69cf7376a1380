// vm/'s portable core on Windows (run under Wine by scripts/test, label `windows`): settings are
// checked against this computer's limits (from HostInfo), QEMU's arguments are the Windows
// host's (qemu-system-x86_64.exe, WHPX, no seccomp), the agent's control messages round-trip, and
// the control client talks to a stand-in agent over a named pipe; an instance's folders, pipe
// names and settings; the engine probe over a pipe.
//
// No Qt: a failed check prints where and why and makes the exit code non-zero.
#include "Check.h"
#include "berth/vm/Agent.h"
#include "berth/vm/AgentStatus.h"
#include "berth/vm/AppPaths.h"
#include "berth/vm/ControlClient.h"
#include "berth/vm/ControlProtocol.h"
#include "berth/vm/Diagnostics.h"
#include "berth/vm/DockerContext.h"
#include "berth/vm/EngineProbe.h"
#include "berth/vm/HostInfo.h"
#include "berth/vm/ImageManifest.h"
#include "berth/vm/Instance.h"
#include "berth/vm/InstanceControl.h"
#include "berth/vm/InstanceLock.h"
#include "berth/vm/LocalListener.h"
#include "berth/vm/PrivateFiles.h"
#include "berth/vm/Process.h"
#include "berth/vm/QemuCommand.h"
#include "berth/vm/QemuDriver.h"
#include "berth/vm/Settings.h"
#include "berth/vm/SocketLinks.h"
#include "berth/vm/SshKeys.h"
#include "berth/vm/TarGz.h"
#include "berth/vm/detail/LocalConnection.h"
#include "berth/vm/detail/SocketState.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <windows.h>
#include <zlib.h>

#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

using namespace berth::vm;
using namespace berth::vm::control;

namespace {

// The user's temporary folder.
std::filesystem::path temporaryFolder()
{
    wchar_t temp[MAX_PATH];
    const DWORD n = GetTempPathW(MAX_PATH, temp);
    return std::filesystem::path(std::wstring(temp, n));
}

// PREFIX-PID in the user's temporary folder (not made): an instance home of this run's own.
std::filesystem::path tempFolder(const std::string& prefix)
{
    return temporaryFolder() / (prefix + "-" + std::to_string(GetCurrentProcessId()));
}

// This program's own file: the stand-in for `berth` when InstanceControl launches an agent.
std::filesystem::path self()
{
    wchar_t path[MAX_PATH];
    const DWORD n = GetModuleFileNameW(nullptr, path, MAX_PATH);
    return std::filesystem::path(std::wstring(path, n));
}

// `tst_vmcore agent --instance NAME --ready-fd END`: a stand-in agent that cannot start, as one
// without a guest image cannot, and reports why through the pipe it inherited.
int standInAgent(int argc, char** argv)
{
    std::string end;
    for (int i = 2; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--ready-fd")
            end = argv[i + 1];
    reportToParent(end, "error stand-in agent: no guest image in C:\\Berth");
    return 1;
}

// Writes all of `text` to the pipe `pipe`.
bool writePipe(HANDLE pipe, const std::string& text)
{
    DWORD n = 0;
    return WriteFile(pipe, text.data(), static_cast<DWORD>(text.size()), &n, nullptr) && n == text.size();
}

// `tst_vmcore -machine …` (QemuDriver starting this program as its QEMU): a stand-in QEMU that
// does with its chardevs what QEMU's pipe backend does on Windows, makes each pipe \\.\pipe\NAME
// with one instance and waits for its client before going on, in the order of the command
// line. Then it reports a boot phase and a console line, and serves QMP: capabilities, human
// monitor commands (answered with no output, as a hostfwd_add that worked is) and
// system_powerdown, after which it powers off (exits 0).
int standInQemu(int argc, char** argv)
{
    std::map<std::string, HANDLE> pipes; // by chardev id
    for (int i = 1; i + 1 < argc; ++i) {
        const std::string option = argv[i], value = argv[i + 1];
        if (option != "-chardev" || value.rfind("pipe,", 0) != 0)
            continue;
        const auto id = value.substr(value.find("id=") + 3, value.find(",path=") - value.find("id=") - 3);
        const auto name = "\\\\.\\pipe\\" + value.substr(value.find(",path=") + 6);
        const HANDLE pipe =
            CreateNamedPipeA(name.c_str(), PIPE_ACCESS_DUPLEX,
                             PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT, 1, 4096, 4096, 5000, nullptr);
        if (pipe == INVALID_HANDLE_VALUE)
            return 2;
        if (!ConnectNamedPipe(pipe, nullptr) && GetLastError() != ERROR_PIPE_CONNECTED)
            return 3;
        pipes[id] = pipe;
    }
    if (!pipes.count("boot") || !pipes.count("console") || !pipes.count("monitor"))
        return 4;
    writePipe(pipes["console"], "stand-in QEMU: Linux version 0\r\n");
    writePipe(pipes["boot"], "phase kernel 0.25\n");
    const HANDLE monitor = pipes["monitor"];
    writePipe(monitor, R"({"QMP": {"version": {}, "capabilities": []}})"
                       "\n");
    std::string buffer;
    char chunk[512];
    DWORD n = 0;
    while (ReadFile(monitor, chunk, sizeof chunk, &n, nullptr) && n > 0) {
        buffer.append(chunk, n);
        for (auto end = buffer.find('\n'); end != std::string::npos; end = buffer.find('\n')) {
            const auto request = nlohmann::json::parse(buffer.substr(0, end), nullptr, false);
            buffer.erase(0, end + 1);
            if (!request.is_object())
                return 5;
            const auto command = request.value("execute", std::string());
            const nlohmann::json result =
                command == "human-monitor-command" ? nlohmann::json("") : nlohmann::json::object();
            writePipe(monitor, nlohmann::json{{"return", result}, {"id", request["id"]}}.dump() + "\n");
            if (command == "system_powerdown") {
                writePipe(monitor, R"({"event": "POWERDOWN", "timestamp": {}})"
                                   "\n");
                return 0;
            }
        }
    }
    return 6; // the agent went away
}

// A VM that is never started: for an agent whose control pipe alone is under test.
class IdleVm final : public VmDriver
{
public:
    std::string name() const override { return "idle"; }
    Status create(const MachineSpec&) override { return Ok{}; }
    Status start(const MachineSpec&, Callbacks) override { return Error{"the idle VM does not start"}; }
    void requestShutdown(Done done) override { done(Ok{}); }
    void kill() override {}
    State state() const override { return State::Stopped; }
    std::string accelerator() const override { return {}; }
    std::string acceleratorReason() const override { return {}; }
    void addPortForward(const PortForward&, Done done) override { done(Ok{}); }
    void removePortForward(const PortForward&, Done done) override { done(Ok{}); }
    std::optional<int> pid() const override { return std::nullopt; }
    std::filesystem::path consoleLog() const override { return {}; }
};

// A guest image the agent accepts, of files that are no guest.
void writeStandInImage(const std::filesystem::path& dir)
{
    std::filesystem::create_directories(dir);
    const std::string digest(64, 'a');
    nlohmann::json manifest = {{"format", 1},
                               {"suite", "trixie"},
                               {"kernel_version", "0"},
                               {"inputs_sha256", digest},
                               {"files", nlohmann::json::object()},
                               {"packages", nlohmann::json::array()}};
    for (const auto& file : ImageManifest::requiredFiles()) {
        std::ofstream(dir / file) << "not a guest";
        manifest["files"][file] = {{"sha256", digest}, {"size", 11}};
    }
    for (const auto& package : ImageManifest::requiredPackages())
        manifest["packages"].push_back({{"name", package}, {"version", "0"}});
    std::ofstream(dir / "manifest.json") << manifest.dump();
}

// One line from `connection`, without its "\n"; empty when none came within 10 s.
std::string readLine(detail::LocalConnection& connection, std::string& pending)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (pending.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        char chunk[4096];
        const auto n = connection.readSome(chunk, sizeof chunk, deadline);
        if (!n || *n == 0)
            break;
        pending.append(chunk, *n);
    }
    const auto end = pending.find('\n');
    if (end == std::string::npos)
        return {};
    auto line = pending.substr(0, end);
    pending.erase(0, end + 1);
    return line;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc >= 2 && std::string(argv[1]) == "agent")
        return standInAgent(argc, argv);
    if (argc >= 2 && std::string(argv[1]) == "-machine")
        return standInQemu(argc, argv);
    if (argc == 2 && std::string(argv[1]) == "--version") { // as the stand-in QEMU, for `berth version`
        std::puts("QEMU emulator version 7.2.0 (tst_vmcore, a stand-in)");
        return 0;
    }
    if (argc == 3 && std::string(argv[1]) == "keys") { // for sshkeys-interop: FOLDER/key, key.pub
        const auto pair = generateInstanceKey("berth-interop");
        if (!pair.ok())
            return 1;
        std::ofstream(std::filesystem::path(argv[2]) / "key", std::ios::binary) << pair->privateKey;
        std::ofstream(std::filesystem::path(argv[2]) / "key.pub", std::ios::binary)
            << pair->publicKey << "\n";
        return 0;
    }
    if (argc > 1) { // never the tests: as a stand-in, whatever called it would wait on them
        std::fprintf(stderr, "tst_vmcore: unknown arguments\n");
        return 64;
    }
    // Settings: the limits are this computer's, and a value beyond them is refused by name.
    {
        const auto host = hostInfo();
        const auto limits = Settings::limits();
        CHECK(limits.maxCpus == host.cpus, std::to_string(limits.maxCpus));
        CHECK(limits.maxMemoryMiB > 0 &&
                  static_cast<std::uint64_t>(limits.maxMemoryMiB) < host.memoryBytes >> 20,
              std::to_string(limits.maxMemoryMiB));
        const auto ok = Settings::parse(R"({"cpus": 1, "memory_mib": 1024})", "settings.json");
        CHECK(ok.ok(), ok.ok() ? "" : ok.error().message);
        if (ok.ok())
            CHECK(ok->cpus == 1 && ok->memoryMiB == 1024);
        const auto tooMany =
            Settings::parse("{\"cpus\": " + std::to_string(host.cpus + 1) + "}", "settings.json");
        CHECK(!tooMany.ok() && tooMany.error().message.find("'cpus'") != std::string::npos &&
                  tooMany.error().message.find("on this computer") != std::string::npos,
              tooMany.ok() ? "accepted" : tooMany.error().message);
        // No shares by default, and a share asked for is refused with the reason.
        CHECK(Settings::defaultShares().empty());
        const auto shared = Settings::parse(R"({"shares": [{"path": "C:\\Users"}]})", "settings.json");
        CHECK(!shared.ok() && shared.error().message.find("not available on Windows") != std::string::npos,
              shared.ok() ? "accepted" : shared.error().message);
        const auto broken = Settings::parse("{\"cpus\": ", "settings.json");
        CHECK(!broken.ok() && broken.error().message.find("settings.json") != std::string::npos,
              broken.ok() ? "accepted" : broken.error().message);
    }
    // QEMU as this host runs it.
    {
        QemuConfig c;
        c.host = thisQemuHost();
        c.binary = c.host.binary;
        c.accel = c.host.hardware;
        c.kernel = "C:\\Berth\\image\\vmlinuz";
        c.rootImage = "C:\\Berth\\image\\root,1.sqfs";
        const auto a = qemuArguments(c);
        const auto after = [&a](const std::string& option) {
            const auto it = std::find(a.begin(), a.end(), option);
            return it == a.end() || it + 1 == a.end() ? std::string() : *(it + 1);
        };
        CHECK(c.binary == "qemu-system-x86_64.exe", c.binary);
        CHECK(after("-accel") == "whpx,kernel-irqchip=off", after("-accel"));
        CHECK(after("-cpu") == "max", after("-cpu"));
        CHECK(std::find(a.begin(), a.end(), "-sandbox") == a.end());
        CHECK(after("-kernel") == "C:\\Berth\\image\\vmlinuz", after("-kernel"));
        CHECK(std::any_of(a.begin(), a.end(), [](const std::string& v) {
            return v.find("file=C:\\Berth\\image\\root,,1.sqfs") != std::string::npos;
        }));
    }
    // An instance on Windows: its folders made, its engine and control endpoints named pipes,
    // its settings written and read back.
    {
        const auto home = tempFolder("berth-vmcore");
        const auto instance = Instance::open(home, "default");
        CHECK(instance.ok(), instance.ok() ? "" : instance.error().message);
        if (instance.ok()) {
            CHECK(std::filesystem::is_directory(instance->socketDir()));
            CHECK(instance->engineSocket().string().rfind("\\\\.\\pipe\\berth-", 0) == 0,
                  instance->engineSocket().string());
            CHECK(instance->controlSocket() != instance->engineSocket());
            auto settings = instance->loadSettings();
            CHECK(settings.ok(), settings.ok() ? "" : settings.error().message);
            if (settings.ok()) {
                settings->cpus = 1;
                const auto saved = instance->saveSettings(*settings);
                CHECK(saved.ok(), saved.ok() ? "" : saved.error().message);
                const auto again = instance->loadSettings();
                CHECK(again.ok() && again->cpus == 1);
            }
        }
        // Its SSH keys are ECDSA (nistp256) here, made with CNG (whether OpenSSH reads them is
        // checked by sshkeys-interop), kept once made; ed25519 is refused, saying why.
        if (instance.ok()) {
            const auto keys = instance->ensureKeys();
            CHECK(keys.ok(), keys.ok() ? "" : keys.error().message);
            const auto publicKey = [](const std::filesystem::path& key) {
                std::ifstream in(key.string() + ".pub");
                std::string line;
                std::getline(in, line);
                return line;
            };
            const auto client = publicKey(instance->clientKey());
            const auto host = publicKey(instance->hostKey());
            CHECK(client.rfind("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABB",
                               0) == 0 &&
                      client.size() > 150 && client.substr(client.size() - 13) == " berth-client",
                  client);
            CHECK(host.rfind("ecdsa-sha2-nistp256 ", 0) == 0 && host != client, host);
            CHECK(instance->ensureKeys().ok() && publicKey(instance->clientKey()) == client);
            const auto pinned = instance->hostPublicKey();
            CHECK(pinned.ok() && host.rfind(*pinned + " ", 0) == 0,
                  pinned.ok() ? *pinned : pinned.error().message);
            const auto ed25519 = generateEd25519("x");
            CHECK(!ed25519.ok() && ed25519.error().message.find("ECDSA") != std::string::npos);
        }
        const auto bad = Instance::open(home, "No Such");
        CHECK(!bad.ok() && bad.error().message.find("not a valid instance name") != std::string::npos);
        std::error_code ec;
        std::filesystem::remove_all(home, ec);
    }
    // What `berth diagnose` writes and the docker context `berth start` sets up, on Windows: the
    // diagnostics archive read back through zlib, with the instance's log in it (its URL password
    // removed) and the missing engine explained, never over an existing file; the context's
    // endpoint the engine's pipe, made current when the default pipe (docker_engine) has no engine
    // behind it; a served pipe answers, an unserved one does not.
    {
        const auto home = tempFolder("berth-vmfiles");
        const auto instance = Instance::open(home, "default");
        CHECK(instance.ok(), instance.ok() ? "" : instance.error().message);
        if (instance.ok()) {
            std::filesystem::create_directories(instance->logDir());
            {
                std::ofstream log(instance->agentLog(), std::ios::binary);
                log << "pulling https://someone:hunter2@registry.example/v2/\r\nagent ready\r\n";
            }
            DiagnosticsOptions options;
            options.output = home / "bundle.tar.gz";
            options.engineTimeout = std::chrono::milliseconds(500);
            options.versionText = [] {
                return std::string("Berth test\n");
            };
            const auto top = diagnosticsName(options.at);
            const auto report = writeDiagnostics(*instance, options);
            CHECK(report.ok(), report.ok() ? "" : report.error().message);
            if (report.ok()) {
                const auto has = [&](const std::string& name) {
                    return std::find(report->files.begin(), report->files.end(), name) != report->files.end();
                };
                CHECK(has("MANIFEST.txt") && has("host.txt") && has("version.txt") && has("agent.log") &&
                      has("engine-info.txt"));
                std::string bytes;
                if (gzFile in = gzopen(report->archive.string().c_str(), "rb")) {
                    char buffer[16384];
                    for (int n; (n = gzread(in, buffer, sizeof buffer)) > 0;)
                        bytes.append(buffer, static_cast<std::size_t>(n));
                    gzclose(in);
                }
                CHECK(bytes.size() % 512 == 0 && bytes.size() >= 2048, std::to_string(bytes.size()));
                CHECK(bytes.rfind(top + "/", 0) == 0, bytes.substr(0, 100)); // the first entry's name
                CHECK(bytes.find(top + "/agent.log") != std::string::npos);
                CHECK(bytes.find("agent ready") != std::string::npos);
                CHECK(bytes.find("hunter2") == std::string::npos);
                CHECK(bytes.find("registry.example") != std::string::npos);
                CHECK(bytes.find("ustar") != std::string::npos);
            }
            const auto again = writeDiagnostics(*instance, options); // replaces its own file whole
            CHECK(again.ok(), again.ok() ? "" : again.error().message);
            const auto existing = TarGzWriter::create(home / "bundle.tar.gz");
            CHECK(!existing.ok() && existing.error().message.find("bundle.tar.gz") != std::string::npos,
                  existing.ok() ? "overwrote" : existing.error().message);
            DiagnosticsOptions nowhereOptions;
            nowhereOptions.output = home / "missing" / "b.tar.gz";
            const auto nowhere = writeDiagnostics(*instance, nowhereOptions);
            CHECK(!nowhere.ok() && nowhere.error().message.find("does not exist") != std::string::npos,
                  nowhere.ok() ? "written" : nowhere.error().message);
            const auto defaultFile = defaultDiagnosticsFile(options.at);
            CHECK(defaultFile.ok() && defaultFile->parent_path() == homeFolder().valueOr({}) &&
                      defaultFile->filename().string() == top + ".tar.gz",
                  defaultFile.ok() ? defaultFile->string() : defaultFile.error().message);

            const auto config = home / "docker-config";
            const auto update = ensureDockerContext(config, "berth", instance->engineSocket(), false);
            CHECK(update.ok(), update.ok() ? "" : update.error().message);
            // Made current only where no engine answers on the default pipe (a Windows that
            // runs Docker Desktop has one there).
            const bool defaultServed = localEndpointAnswers("\\\\.\\pipe\\docker_engine");
            if (update.ok())
                CHECK(update->madeCurrent == !defaultServed && update->previous == "default", update->note);
            const auto endpoint = dockerContextEndpoint(config, "berth");
            const auto pipe = instance->engineSocket().filename().string();
            CHECK(endpoint.ok() && *endpoint == engineEndpoint(instance->engineSocket()).toString() &&
                      endpoint->rfind("npipe:////./pipe/berth-", 0) == 0,
                  endpoint.ok() ? *endpoint : endpoint.error().message);
            CHECK(dockerContextEndpoint(config, "default").valueOr({}) == "npipe:////./pipe/docker_engine");
            CHECK(conventionalSocketPaths().empty());

            boost::asio::io_context io;
            LocalListener listener(io);
            const auto listening = listener.listen(instance->engineSocket(), 4);
            CHECK(listening.ok(), listening.ok() ? "" : listening.error().message);
            CHECK(localEndpointAnswers(instance->engineSocket()));
            CHECK(localEndpointAnswers(
                berth::engine::Endpoint::namedPipe(instance->engineSocket().string().substr(9)).path()));
            listener.close();
            CHECK(!localEndpointAnswers("\\\\.\\pipe\\berth-nobody-serves-this"));
        }
        std::error_code ec;
        std::filesystem::remove_all(home, ec);
    }
    // InstanceControl, the one path of the CLI and the desktop, on Windows: start launches the
    // agent program (this one, standing in) and reports the reason it gives through the
    // ReportPipe; with no agent, stop has nothing to stop, there is no live status, and reset
    // deletes the data disk; versions names what it cannot find.
    {
        const auto home = tempFolder("berth-control");
        auto instance = Instance::open(home, "default");
        CHECK(instance.ok(), instance.ok() ? "" : instance.error().message);
        if (instance.ok()) {
            const InstanceControl control(*instance, self(), home / "no-image");
            std::vector<std::string> said;
            const auto started =
                control.start({}, [&said](const std::string& line) { said.push_back(line); });
            CHECK(!started.ok() && started.error().message == "stand-in agent: no guest image in C:\\Berth",
                  started.ok() ? "started" : started.error().message);
            CHECK(!said.empty() && said.front().find("Starting Berth (instance default") == 0,
                  said.empty() ? "nothing said" : said.front());
            CHECK(!control.liveStatus());
            const auto stopped = control.stop();
            CHECK(stopped.ok() && stopped->how == StopOutcome::How::NotRunning);
            std::filesystem::create_directories(instance->dataDisk().parent_path());
            std::ofstream(instance->dataDisk(), std::ios::binary) << "guest data";
            const auto reset = control.reset(false);
            CHECK(reset.ok() && reset->diskDeleted && !std::filesystem::exists(instance->dataDisk()),
                  reset.ok() ? "" : reset.error().text());
            bool complete = true;
            const auto versions = control.versions(&complete);
            CHECK(!complete && versions.find("QEMU:") != std::string::npos &&
                      versions.find("Guest image:") != std::string::npos,
                  versions);
            const InstanceControl missing(*instance, home / "no-berth.exe", home / "no-image");
            const auto notStarted = missing.start({});
            CHECK(!notStarted.ok() && notStarted.error().message.find("no-berth.exe") != std::string::npos,
                  notStarted.ok() ? "started" : notStarted.error().message);
        }
        std::error_code ec;
        std::filesystem::remove_all(home, ec);
    }
    // The control protocol, both ways.
    {
        const auto request = parseRequest(encode(Request::Disk));
        CHECK(request.ok() && *request == Request::Disk);
        const auto unknown = parseRequest(nlohmann::json{{"request", "reboot"}});
        CHECK(!unknown.ok() && unknown.error().message.find("reboot") != std::string::npos,
              unknown.ok() ? "accepted" : unknown.error().message);
        const auto disk = parseMessage(diskMessage({123, 456}));
        CHECK(disk.ok() && disk->type == Message::Type::Disk && disk->disk.usedBytes == 123 &&
              disk->disk.sizeBytes == 456);
        AgentStatus status;
        status.instance = "default";
        status.cpus = 2;
        const auto back = parseMessage(statusMessage(status, true));
        CHECK(back.ok() && back->type == Message::Type::Event && back->status.instance == "default" &&
              back->status.cpus == 2);
    }
    // The `berth` CLI's control client against a stand-in agent on a named pipe: a status
    // answered, a request left unanswered times out at its deadline, and the agent going away
    // is seen as such; a pipe no one serves is named in the error.
    {
        const std::string name = "\\\\.\\pipe\\berth-vmcore-" + std::to_string(GetCurrentProcessId());
        boost::asio::io_context io;
        LocalListener listener(io);
        const auto listening = listener.listen(name, 4);
        CHECK(listening.ok(), listening.ok() ? "" : listening.error().message);
        LocalListener::Stream stream(io);
        boost::asio::streambuf input;
        boost::asio::steady_timer leave(io);
        std::string reply;
        std::function<void()> serve = [&] {
            boost::asio::async_read_until(
                stream, input, '\n', [&](boost::system::error_code ec, std::size_t n) {
                    if (ec)
                        return;
                    const std::string line(boost::asio::buffers_begin(input.data()),
                                           boost::asio::buffers_begin(input.data()) +
                                               static_cast<std::ptrdiff_t>(n));
                    input.consume(n);
                    const auto request = parseRequest(nlohmann::json::parse(line, nullptr, false));
                    if (request && *request == Request::Status) {
                        AgentStatus status;
                        status.instance = "default";
                        status.memoryMiB = 2048;
                        reply = statusMessage(status, false).dump() + "\n";
                        boost::asio::async_write(stream, boost::asio::buffer(reply),
                                                 [&](boost::system::error_code, std::size_t) { serve(); });
                        return;
                    }
                    // Anything else: no answer, and the agent leaves a second later.
                    leave.expires_after(std::chrono::seconds(1));
                    leave.async_wait([&](boost::system::error_code) {
                        stream.close();
                        listener.close();
                    });
                });
        };
        listener.asyncAccept(stream, [&](boost::system::error_code ec) {
            CHECK(!ec, ec.message());
            if (!ec)
                serve();
        });
        std::thread agent([&io] { io.run_for(std::chrono::seconds(30)); });

        auto client = ControlClient::connect(name);
        CHECK(client.ok(), client.ok() ? "" : client.error().message);
        if (client.ok()) {
            const auto status = client->status(std::chrono::seconds(10));
            CHECK(status.ok() && status->instance == "default" && status->memoryMiB == 2048,
                  status.ok() ? status->instance : status.error().message);
            const auto began = std::chrono::steady_clock::now();
            const auto disk = client->disk(std::chrono::milliseconds(300));
            const auto waited = std::chrono::steady_clock::now() - began;
            CHECK(!disk.ok() && disk.error().message.find("timed out") != std::string::npos,
                  disk.ok() ? "answered" : disk.error().message);
            CHECK(waited >= std::chrono::milliseconds(290) && waited < std::chrono::seconds(3));
            const auto gone = client->next(std::chrono::steady_clock::now() + std::chrono::seconds(10));
            CHECK(!gone.ok() && client->agentGone(), gone.ok() ? "a message" : gone.error().message);
        }
        agent.join();
        const auto missing = ControlClient::connect(name + "-nobody");
        CHECK(!missing.ok() && missing.error().message.find("not answering") != std::string::npos,
              missing.ok() ? "connected" : missing.error().message);
    }
    // The engine probe (what the agent asks /_ping and /version with) over a named pipe, against
    // a stand-in engine that answers one request; and on a pipe no one serves.
    {
        const auto temp = temporaryFolder();
        const auto where = localEndpoint(temp / "probe", "docker");
        CHECK(engineEndpoint(where).toString().rfind("npipe:////./pipe/berth-", 0) == 0,
              engineEndpoint(where).toString());
        boost::asio::io_context io;
        LocalListener listener(io);
        CHECK(listener.listen(where, 4).ok());
        LocalListener::Stream stream(io);
        boost::asio::streambuf request;
        const std::string answer =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nOK";
        listener.asyncAccept(stream, [&](boost::system::error_code ec) {
            if (ec)
                return;
            boost::asio::async_read_until(
                stream, request, "\r\n\r\n", [&](boost::system::error_code, std::size_t) {
                    boost::asio::async_write(stream, boost::asio::buffer(answer),
                                             [&](boost::system::error_code, std::size_t) {});
                });
        });
        std::thread engine([&io] { io.run_for(std::chrono::seconds(20)); });
        const auto reply = engineGet(where, "/_ping", std::chrono::seconds(10));
        CHECK(reply.ok() && reply->status == 200 && reply->body == "OK",
              reply.ok() ? reply->body : reply.error().message);
        const std::string seen(boost::asio::buffers_begin(request.data()),
                               boost::asio::buffers_end(request.data()));
        CHECK(seen.rfind("GET /_ping HTTP/1.1\r\n", 0) == 0, seen);
        io.stop();
        engine.join();
        const auto none =
            engineGet(localEndpoint(temp / "none", "docker"), "/_ping", std::chrono::seconds(5));
        CHECK(!none.ok() && none.error().message.find("does not exist") != std::string::npos,
              none.ok() ? "answered" : none.error().message);
    }
    // Whether a TCP connect has completed, as the port relay asks it without waiting: not for a
    // socket whose connect is still on its way or refused, yes once it is connected.
    {
        boost::asio::io_context io;
        boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::address_v4::loopback(), 0});
        boost::asio::ip::tcp::socket client(io), served(io);
        client.open(boost::asio::ip::tcp::v4());
        CHECK(!detail::connectedNow(client));
        bool connected = false;
        client.async_connect(acceptor.local_endpoint(),
                             [&](boost::system::error_code ec) { connected = !ec; });
        acceptor.async_accept(served, [](boost::system::error_code) {});
        io.run_for(std::chrono::seconds(10));
        CHECK(connected && detail::connectedNow(client));
        // Refused: nothing listens on the port any more.
        const auto port = acceptor.local_endpoint().port();
        acceptor.close();
        boost::asio::ip::tcp::socket refused(io);
        refused.open(boost::asio::ip::tcp::v4());
        std::optional<boost::system::error_code> result;
        refused.async_connect({boost::asio::ip::address_v4::loopback(), port},
                              [&](boost::system::error_code ec) { result = ec; });
        io.restart();
        io.run_for(std::chrono::seconds(10));
        CHECK(result && *result && !detail::connectedNow(refused), result ? result->message() : "no answer");
    }
    // The QEMU driver on Windows, with this program as its QEMU (standInQemu): the data disk made
    // sparse and grown, never shrunk; QEMU's chardev pipes opened as QEMU makes them, one after
    // the other; the boot phase and the console line delivered; a port forward and the power
    // button over the agent's QMP pipe; the exit seen through the process handle. Then a second
    // launch ended by kill().
    {
        const auto home = tempFolder("berth-driver");
        std::error_code leftover;
        std::filesystem::remove_all(home, leftover); // Wine reuses process ids: an earlier run's
        MachineSpec spec;
        spec.kernel = home / "vmlinuz";
        spec.initrd = home / "initrd.img";
        spec.rootImage = home / "root.sqfs";
        spec.dataDisk = home / "state" / "data.img";
        spec.dataDiskBytes = std::uint64_t{1} << 30;
        spec.stateDir = home / "state";
        spec.runDir = home / "run";
        spec.logDir = home / "logs";
        spec.accelerator = "tcg";
        for (const auto& dir : {spec.stateDir, spec.runDir, spec.logDir})
            CHECK(makePrivateFolder(dir).ok(), dir.string());
        boost::asio::io_context io;
        QemuDriver driver(io, self().string());
        const auto made = driver.create(spec);
        CHECK(made.ok() && std::filesystem::file_size(spec.dataDisk) == spec.dataDiskBytes,
              made.ok() ? std::to_string(std::filesystem::file_size(spec.dataDisk)) : made.error().message);
        std::ofstream(spec.dataDisk, std::ios::binary | std::ios::in) << "guest data";
        auto bigger = spec;
        bigger.dataDiskBytes = spec.dataDiskBytes * 2;
        CHECK(driver.create(bigger).ok() &&
              std::filesystem::file_size(spec.dataDisk) == bigger.dataDiskBytes);
        CHECK(driver.create(spec).ok() && std::filesystem::file_size(spec.dataDisk) == bigger.dataDiskBytes,
              "a smaller size must not shrink the disk");
        std::string firstBytes(10, '\0');
        std::ifstream(spec.dataDisk, std::ios::binary).read(firstBytes.data(), 10);
        CHECK(firstBytes == "guest data", firstBytes);

        std::vector<std::string> phases, consoleLines;
        std::optional<VmExit> ended;
        VmDriver::Callbacks callbacks;
        callbacks.onBootEvent = [&](const BootEvent& event) {
            phases.push_back(event.name);
        };
        callbacks.onConsoleLine = [&](std::string_view line) {
            consoleLines.emplace_back(line);
        };
        callbacks.onExit = [&](const VmExit& exit) {
            ended = exit;
        };
        const auto runUntil = [&io](const std::function<bool()>& done) {
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
            io.restart();
            while (!done() && std::chrono::steady_clock::now() < deadline)
                io.run_for(std::chrono::milliseconds(20));
            return done();
        };
        const auto started = driver.start(spec, callbacks);
        CHECK(started.ok(), started.ok() ? "" : started.error().message);
        CHECK(runUntil([&] { return !phases.empty() && !consoleLines.empty(); }),
              "no boot phase or console line from the stand-in QEMU");
        CHECK(phases == std::vector<std::string>{"kernel"} && driver.state() == VmDriver::State::Running);
        CHECK(consoleLines == std::vector<std::string>{"stand-in QEMU: Linux version 0"},
              consoleLines.empty() ? "none" : consoleLines.front());
        CHECK(driver.pid().has_value() && processExists(*driver.pid()));
        std::optional<Status> forwarded, powered;
        driver.addPortForward({"tcp", "127.0.0.1", 18080, "10.0.2.15", 80},
                              [&](Status result) { forwarded = std::move(result); });
        CHECK(runUntil([&] { return forwarded.has_value(); }) && forwarded->ok(),
              forwarded && !forwarded->ok() ? forwarded->error().message : "no answer");
        driver.requestShutdown([&](Status result) { powered = std::move(result); });
        CHECK(runUntil([&] { return powered.has_value() && ended.has_value(); }), "no power-off");
        CHECK(powered && powered->ok(), powered && !powered->ok() ? powered->error().message : "");
        CHECK(ended && ended->requested && ended->status == 0 && driver.state() == VmDriver::State::Stopped,
              ended ? ended->reason : "no exit");
        CHECK(readFile(driver.consoleLog()).valueOr({}).find("stand-in QEMU: Linux version 0") !=
              std::string::npos);

        ended.reset();
        phases.clear();
        CHECK(driver.start(spec, callbacks).ok());
        CHECK(runUntil([&] { return !phases.empty(); }), "the second launch made no boot progress");
        const auto pid = driver.pid();
        driver.kill();
        CHECK(runUntil([&] { return ended.has_value(); }), "kill() was not followed by an exit");
        CHECK(ended && ended->requested && ended->status == -kKillSignal, ended ? ended->reason : "");
        CHECK(pid && !processExists(*pid));
        std::error_code ec;
        std::filesystem::remove_all(home, ec);
    }
    // The agent's control pipe on Windows: a request longer than one read of a message-mode
    // pipe (10 kB of JSON whitespace) is read whole and answered, and the next request on the same
    // connection is answered too.
    {
        const auto home = tempFolder("berth-agentpipe");
        std::error_code leftover;
        std::filesystem::remove_all(home, leftover);
        writeStandInImage(home / "image");
        auto instance = Instance::open(home, "default");
        CHECK(instance.ok(), instance.ok() ? "" : instance.error().message);
        auto lock = instance.ok() ? InstanceLock::tryAcquire(*instance)
                                  : Result<std::optional<InstanceLock>>(Error{"no instance"});
        CHECK(lock.ok() && lock->has_value(), lock.ok() ? "held by another" : lock.error().message);
        if (lock.ok() && lock->has_value()) {
            boost::asio::io_context io;
            AgentOptions options;
            options.imageDir = home / "image";
            auto agent = Agent::create(io, *instance, std::move(**lock), options, std::make_unique<IdleVm>());
            CHECK(agent.ok(), agent.ok() ? "" : agent.error().message);
            auto work = boost::asio::make_work_guard(io);
            std::thread agentThread([&io] { io.run(); });
            auto client = detail::LocalConnection::connect(instance->controlSocket(), "the agent");
            CHECK(client.ok(), client.ok() ? "" : client.error().message);
            if (client.ok()) {
                std::string pending;
                const std::string longRequest = R"({"request": "status")" + std::string(10000, ' ') + "}\n";
                CHECK(client->sendAll(longRequest).ok());
                const auto firstLine = readLine(*client, pending);
                const auto first = parseMessage(nlohmann::json::parse(firstLine, nullptr, false));
                CHECK(first.ok() && first->type == Message::Type::Status,
                      firstLine.empty() ? "no answer" : firstLine);
                CHECK(client
                          ->sendAll(R"({"request": "status"})"
                                    "\n")
                          .ok());
                const auto secondLine = readLine(*client, pending);
                const auto second = parseMessage(nlohmann::json::parse(secondLine, nullptr, false));
                CHECK(second.ok() && second->type == Message::Type::Status,
                      secondLine.empty() ? "no answer" : secondLine);
            }
            // The end of input on a pipe is a zero-length message: alone, or after half a request,
            // the agent closes that connection without an answer, and goes on serving others.
            for (const std::string& before : {std::string(), std::string(R"({"request": "sta)")}) {
                const HANDLE raw =
                    CreateFileW(instance->controlSocket().wstring().c_str(), GENERIC_READ | GENERIC_WRITE, 0,
                                nullptr, OPEN_EXISTING, 0, nullptr);
                CHECK(raw != INVALID_HANDLE_VALUE, "cannot open the control pipe");
                if (raw == INVALID_HANDLE_VALUE)
                    continue;
                DWORD n = 0;
                if (!before.empty())
                    WriteFile(raw, before.data(), static_cast<DWORD>(before.size()), &n, nullptr);
                CHECK(WriteFile(raw, "", 0, &n, nullptr), "no zero-length message");
                char answer[256];
                const BOOL read = ReadFile(raw, answer, sizeof answer, &n, nullptr);
                CHECK(!read || n == 0, std::string(answer, read ? n : 0));
                CloseHandle(raw);
            }
            auto after = detail::LocalConnection::connect(instance->controlSocket(), "the agent");
            CHECK(after.ok() && after
                                    ->sendAll(R"({"request": "status"})"
                                              "\n")
                                    .ok(),
                  "the agent no longer serves");
            if (after.ok()) {
                std::string pending;
                const auto line = readLine(*after, pending);
                const auto third = parseMessage(nlohmann::json::parse(line, nullptr, false));
                CHECK(third.ok() && third->type == Message::Type::Status, line.empty() ? "no answer" : line);
            }
            boost::asio::post(io, [&agent] { // destroyed on its own thread
                if (agent.ok())
                    agent.value().reset();
            });
            work.reset();
            agentThread.join();
        }
        std::error_code ec;
        std::filesystem::remove_all(home, ec);
    }
    return berth::test::finish();
}
