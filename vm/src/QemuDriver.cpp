#include "berth/vm/QemuDriver.h"

#include "berth/vm/HostInfo.h"
#include "berth/vm/Instance.h"
#include "berth/vm/LineSocket.h"
#include "berth/vm/LocalEndpoint.h"
#include "berth/vm/PrivateFiles.h"
#include "berth/vm/Process.h"
#include "berth/vm/QemuCommand.h"
#include "berth/vm/QmpChannel.h"
#include "platform/ExitWatch.h"

#include <algorithm>
#include <cctype>
#include <csignal>
#include <sstream>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>

namespace berth::vm {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// The file's contents, or nothing when it cannot be read (a log or record not written yet).
std::string contentsOf(const fs::path& file)
{
    return readFile(file).valueOr({});
}

std::string lastNonEmptyLine(const std::string& text)
{
    std::istringstream lines(text);
    std::string line, last;
    while (std::getline(lines, line)) {
        if (line.find_first_not_of(" \t\r") != std::string::npos)
            last = line;
    }
    return last;
}

std::string describeExit(int status)
{
    if (status >= 0)
        return "QEMU exited with status " + std::to_string(status);
    const int sig = -status;
    const char* name = sig == kKillSignal ? "SIGKILL"
                       : sig == SIGTERM   ? "SIGTERM"
                       : sig == SIGSEGV   ? "SIGSEGV"
                       : sig == SIGABRT   ? "SIGABRT"
                                          : "";
    std::string text = "QEMU was killed by signal " + std::to_string(sig);
    if (*name)
        text += std::string(" (") + name + ")";
    return text;
}

// What identifies "this host" for a remembered hypervisor failure: the kernel's (or system's)
// release and the QEMU binary, as records written by earlier versions have it.
std::string hostFingerprint(const std::string& binary)
{
    return hostInfo().release + " " + binary;
}

// A virtiofsd this process may use, and whether it is the Rust one (1.x, which runs
// unprivileged) or QEMU's own C one (up to QEMU 7.2, which needs root for its sandbox).
struct Virtiofsd
{
    fs::path binary;
    bool rust = false;
    bool readOnly = false; // it can refuse writes itself (--readonly)
};

std::optional<Virtiofsd> usableVirtiofsd()
{
    std::vector<fs::path> candidates;
    if (const char* forced = std::getenv("BERTH_VIRTIOFSD"); forced && *forced)
        candidates.emplace_back(forced);
    for (auto& inPath : programsInPath("virtiofsd"))
        candidates.push_back(std::move(inPath)); // each in turn: a usable one may follow one that is not
    candidates.emplace_back("/usr/libexec/virtiofsd");
    candidates.emplace_back("/usr/lib/qemu/virtiofsd");
    for (const auto& candidate : candidates) {
        if (candidate.empty() || findProgram(candidate.string()).empty())
            continue; // missing, or not executable
        // The C virtiofsd prints "virtiofsd version 7.2…"; the Rust one "virtiofsd 1.13.0".
        const auto probe =
            fs::temp_directory_path() / ("berth-virtiofsd-" + std::to_string(currentProcessId()));
        auto run = Process::spawn({candidate.string(), "--version"}, {.stdoutFile = probe, .stderrFile = {}});
        if (!run)
            continue;
        run->wait(std::chrono::seconds(5));
        const auto version = contentsOf(probe);
        std::error_code ec;
        fs::remove(probe, ec);
        const bool rust = version.rfind("virtiofsd 1.", 0) == 0 || version.find("virtiofsd v1.") != std::string::npos;
        if (!rust && !runsAsAdministrator())
            continue;
        // QEMU's C virtiofsd has no read-only mode: a read-only share over it would rest on the
        // guest's mount alone, which a privileged container can undo.
        bool readOnly = false;
        if (rust) {
            auto help = Process::spawn({candidate.string(), "--help"}, {.stdoutFile = probe, .stderrFile = {}});
            if (help) {
                help->wait(std::chrono::seconds(5));
                readOnly = contentsOf(probe).find("--readonly") != std::string::npos;
            }
            fs::remove(probe, ec);
        }
        return Virtiofsd{candidate, rust, readOnly};
    }
    return std::nullopt;
}

// The open-file limit below which "auto" does not choose virtiofs.
constexpr std::uint64_t kVirtiofsMinFiles = 262144;

// Waits (briefly, blocking) until `socket` exists: virtiofsd creates it once it listens.
bool waitForSocket(const fs::path& socket, Process& server)
{
    for (int i = 0; i < 250; ++i) {
        std::error_code ec;
        if (fs::exists(socket, ec))
            return true;
        if (server.poll())
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

// Ends virtiofsd servers: SIGTERM, then SIGKILL after 2 s. Blocks: on the helper thread.
void stopServers(std::vector<Process>& servers)
{
    for (auto& server : servers) {
        server.signal(SIGTERM);
        if (!server.wait(std::chrono::seconds(2))) {
            server.signal(kKillSignal);
            server.wait(std::chrono::seconds(2));
        }
    }
    servers.clear();
}

// What a launch needs from the host before QEMU can start, made on the helper thread.
struct Prepared
{
    std::vector<std::string> notices;  // for onNotice
    std::vector<fs::path> shareSockets; // per share: its virtiofs socket, or empty for 9p
    std::vector<Process> virtiofsds;
};

fs::path virtiofsSocket(const MachineSpec& spec, std::size_t i)
{
    return spec.runDir / ("virtiofs" + std::to_string(i) + ".sock");
}

// One virtiofsd per share, when the spec asks for virtiofs (or "auto" and one is usable): fills
// `prepared`'s shareSockets (an empty path: that share goes over 9p) and virtiofsds. A read-only
// share goes over 9p, where QEMU itself refuses writes, unless the virtiofsd can refuse them.
// Blocks (probes and waits for sockets): on the helper thread, which must live as long as the
// servers (they end with the thread that started them).
void startVirtiofsds(const MachineSpec& spec, Prepared& prepared)
{
    std::vector<fs::path> sockets(spec.shares.size());
    prepared.shareSockets = sockets; // all over 9p, unless virtiofsd starts for each below
    auto& virtiofsds = prepared.virtiofsds;
    if (spec.shareTransport == "9p")
        return;
    // A virtiofsd keeps a descriptor open for every file the guest has looked up (QEMU's C
    // one always; the Rust one unless it can use file handles): with a low limit a large
    // tree fails with "Too many open files" part-way through. Choose it only where it may
    // hold many.
    const auto files = openFileLimit();
    if (spec.shareTransport == "auto" && files && *files < kVirtiofsMinFiles) {
        spdlog::info(
            "shares: using 9p: a virtiofsd could keep at most {} files open here (RLIMIT_NOFILE), "
            "fewer than a large source tree needs; set \"share_transport\": \"virtiofs\" to use it anyway",
            *files);
        return;
    }
    const auto daemon = usableVirtiofsd();
    if (!daemon) {
        spdlog::info("shares: no usable virtiofsd{}; using 9p",
                     runsAsAdministrator() ? "" : " (QEMU's own needs root; install virtiofsd 1.x)");
        return;
    }
    for (std::size_t i = 0; i < spec.shares.size(); ++i) {
        if (spec.shares[i].readOnly && !daemon->readOnly) {
            spdlog::info("shares: {} is read-only: over 9p, where QEMU refuses writes ({} cannot)",
                         spec.shares[i].path.string(), daemon->binary.string());
            continue;
        }
        const auto socket = virtiofsSocket(spec, i);
        std::error_code ec;
        fs::remove(socket, ec);
        std::vector<std::string> argv{daemon->binary.string()};
        if (daemon->rust) {
            // The namespace sandbox confines virtiofsd to the shared folder; virtiofsd 1.x sets it
            // up without privileges where user namespaces are allowed (else it fails to start,
            // and the share goes over 9p rather than unconfined).
            argv.insert(argv.end(), {"--socket-path", socket.string(), "--shared-dir", spec.shares[i].path.string(),
                                     "--cache", "auto", "--sandbox", "namespace"});
            if (spec.shares[i].readOnly)
                argv.push_back("--readonly");
        }
        else
            argv.insert(argv.end(), {"--socket-path=" + socket.string(), "-o", "source=" + spec.shares[i].path.string(),
                                     "-o", "cache=auto"});
        auto server = Process::spawn(argv, {.stdoutFile = spec.logDir / ("virtiofsd" + std::to_string(i) + ".log"),
                                             .stderrFile = {},
                                             .dieWithParent = true});
        if (!server || !waitForSocket(socket, server.value())) {
            spdlog::warn("shares: {} did not start for {} (see {}); using 9p", daemon->binary.string(),
                         spec.shares[i].path.string(),
                         (spec.logDir / ("virtiofsd" + std::to_string(i) + ".log")).string());
            if (server)
                virtiofsds.push_back(std::move(server).value());
            stopServers(virtiofsds);
            return;
        }
        virtiofsds.push_back(std::move(server).value());
        sockets[i] = socket;
    }
    spdlog::info("shares: {} of {} folder(s) over virtiofs ({})", virtiofsds.size(), spec.shares.size(),
                 daemon->binary.string());
    prepared.shareSockets = sockets;
}

} // namespace

struct QemuDriver::Impl : std::enable_shared_from_this<QemuDriver::Impl>
{
    Impl(asio::io_context& ctx, std::string bin)
        : io(ctx), host(thisQemuHost()), binary(bin.empty() ? host.binary : std::move(bin)), trialTimer(ctx),
          exitWatch(ctx)
    {}

    asio::io_context& io;
    const QemuHost host;
    std::string binary;
    State state = State::Stopped;
    MachineSpec spec;
    Callbacks callbacks;
    std::string accel, accelReason;
    bool onTrial = false; // the hypervisor chosen automatically and not proven yet
    bool forced = false;
    bool progress = false;  // a boot-channel line arrived in this launch
    bool requested = false; // requestShutdown() or kill() was called
    std::optional<Process> qemu;
    std::vector<Process> virtiofsds;
    std::string shareTransport; // in use: 9p or virtiofs
    std::unique_ptr<LineSocket> bootSocket, consoleSocket;
    std::unique_ptr<QmpChannel> monitor; // the driver's own QMP connection, for this launch
    std::shared_ptr<spdlog::logger> console;
    asio::steady_timer trialTimer;
    detail::ExitWatch exitWatch;
    std::uint64_t launchId = 0;
    // Host-side work that blocks (probing and starting virtiofsd, ending leftover QEMUs, reaping
    // a killed one) runs here, never on the io thread. One thread that lives as long as the
    // driver: the virtiofsd servers it starts end with it (Process::Options::dieWithParent).
    asio::thread_pool helper{1};

    fs::path probeFile() const { return spec.stateDir / "accelerator.json"; }
    fs::path pidFile() const { return spec.runDir / "qemu.pid"; }
    // QEMU's own QMP socket, for people and tests: none on Windows (QemuConfig::qmpSocket).
    fs::path qmpSocket() const { return host.os == HostOs::Windows ? fs::path() : spec.runDir / "qmp.sock"; }
    fs::path qemuLog() const { return spec.logDir / "qemu.log"; }

    // The host's hypervisor as QEMU names it ("kvm") and as people do ("KVM").
    std::string hypervisor() const { return toString(host.hardware); }
    std::string hypervisorTitle() const
    {
        auto title = hypervisor();
        std::transform(title.begin(), title.end(), title.begin(), [](unsigned char c) { return std::toupper(c); });
        return title;
    }

    Result<std::string> chooseAccelerator()
    {
        const auto hw = hypervisor();
        const auto HW = hypervisorTitle();
        forced = !spec.accelerator.empty();
        onTrial = false;
        if (forced) {
            if (spec.accelerator == "tcg") {
                accelReason = "forced with --accel tcg";
                return std::string("tcg");
            }
            const auto named = acceleratorNamed(spec.accelerator);
            if (!named)
                return Error{"unknown accelerator '" + spec.accelerator + "'; use kvm, hvf, whpx or tcg"};
            if (*named != host.hardware)
                return Error{spec.accelerator + " is not available on " + toString(host.os) + "; use --accel " + hw +
                             " or --accel tcg"};
            if (auto why = hardwareProblem(host))
                return Error{"--accel " + hw + ": " + *why + (host.tcgOnly.empty() ? "" : "; use --accel tcg")};
            accelReason = "forced with --accel " + hw;
            return hw;
        }
        if (auto why = hardwareProblem(host)) {
            accelReason = *why + "; using TCG (emulation, slower)";
            return std::string("tcg");
        }
        std::error_code ec;
        if (fs::exists(probeFile(), ec)) {
            const auto remembered = json::parse(contentsOf(probeFile()), nullptr, false);
            if (remembered.is_object() && remembered.value("host", "") == hostFingerprint(binary) &&
                remembered.value(hw, "") == "failed") {
                accelReason = HW + " failed on this host before (" + remembered.value("reason", std::string("?")) +
                              "); using TCG. `berth start --accel " + hw + "` tries " + HW + " again";
                return std::string("tcg");
            }
        }
        onTrial = true;
        accelReason = HW + " on trial: it must show boot progress within " +
                      std::to_string(kAcceleratorTrial.count()) + " s";
        return hw;
    }

    // Whether the hypervisor worked, for the next start on this host.
    void remember(bool works, const std::string& reason)
    {
        std::error_code ec;
        if (works) {
            fs::remove(probeFile(), ec);
            return;
        }
        const json record{{hypervisor(), "failed"}, {"reason", reason}, {"host", hostFingerprint(binary)}};
        (void)writeFileAtomically(probeFile(), record.dump() + "\n");
    }

    // Begins launch number `launchId + 1` with `accelName`: the host-side preparation on the
    // helper thread (reaping `previous`, a QEMU just killed; ending the QEMUs an agent that died
    // left on the data disk; starting virtiofsd), then launchPrepared() on the io thread.
    void beginLaunch(const std::string& accelName, std::optional<Process> previous, bool endLeftovers)
    {
        const auto id = ++launchId;
        accel = accelName;
        progress = false;
        std::weak_ptr<Impl> weak = shared_from_this();
        asio::post(helper, [weak, id, &io = io, spec = spec, previous = std::move(previous), endLeftovers,
                            virtiofs = host.virtiofs]() mutable {
            if (previous)
                previous->wait(std::chrono::seconds(10)); // killed: it ends within moments
            Prepared prepared;
            if (endLeftovers) {
                // A QEMU left behind by an agent that died still holds the data disk: end it
                // first. It is found by its command line, so a lost qemu.pid does not hide it.
                for (const int pid : stopQemuProcessesUsing(spec.dataDisk)) {
                    spdlog::warn("stopped QEMU (pid {}) left running by an earlier agent", pid);
                    prepared.notices.push_back("Stopped a VM (QEMU pid " + std::to_string(pid) +
                                               ") that an earlier Berth agent had left running.");
                }
            }
            if (!spec.shares.empty() && virtiofs)
                startVirtiofsds(spec, prepared);
            else
                prepared.shareSockets.assign(spec.shares.size(), fs::path()); // 9p
            asio::post(io, [weak, id, prepared = std::move(prepared)]() mutable {
                if (auto self = weak.lock())
                    self->launchPrepared(id, std::move(prepared));
            });
        });
    }

    void launchPrepared(std::uint64_t id, Prepared prepared)
    {
        if (id != launchId) {
            retire(std::move(prepared.virtiofsds));
            return;
        }
        for (const auto& text : prepared.notices) {
            if (callbacks.onNotice)
                callbacks.onNotice(text);
        }
        virtiofsds = std::move(prepared.virtiofsds);
        if (requested) { // kill() or requestShutdown() came first
            finish(VmExit{true, 0, "stopped before QEMU started", false});
            return;
        }
        if (auto launched = launch(prepared.shareSockets); !launched)
            finish(VmExit{false, -1, "cannot start QEMU: " + launched.error().message, false});
    }

    // Ends virtiofsd servers on the helper thread.
    void retire(std::vector<Process> servers)
    {
        if (servers.empty())
            return;
        asio::post(helper, [servers = std::move(servers)]() mutable { stopServers(servers); });
    }

    void openConsoleLog()
    {
        if (console)
            return;
        auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
            (spec.logDir / "console.log").string(), 1024 * 1024, 3);
        console = std::make_shared<spdlog::logger>("console", std::move(sink));
        console->set_pattern("%v");
        console->flush_on(spdlog::level::info);
    }

    // Launches QEMU for launch `launchId` with `accel`, its shares over `shareSockets`
    // (virtiofs where a socket is given, else 9p).
    Status launch(const std::vector<fs::path>& shareSockets)
    {
        QemuConfig c;
        c.host = host;
        c.binary = binary;
        c.accel = accel == "tcg" ? Accelerator::Tcg : host.hardware;
        c.cpus = spec.cpus;
        c.memoryMiB = spec.memoryMiB;
        c.kernel = spec.kernel;
        c.initrd = spec.initrd;
        c.rootImage = spec.rootImage;
        c.dataDisk = spec.dataDisk;
        // runDir/NAME.sock, or a pipe named after runDir on Windows (LocalEndpoint.h).
        c.bootSocket = localEndpoint(spec.runDir, "boot");
        c.consoleSocket = localEndpoint(spec.runDir, "console");
        c.qmpSocket = qmpSocket();
        c.monitorSocket = localEndpoint(spec.runDir, "monitor");
        c.sshPort = spec.sshPort;
        for (const auto& f : spec.guestFiles)
            c.fwCfg.push_back({f.name, f.file});
        if (!spec.shares.empty()) {
            const auto& sockets = shareSockets;
            shareTransport = std::any_of(sockets.begin(), sockets.end(), [](const fs::path& p) { return !p.empty(); })
                                 ? "virtiofs"
                                 : "9p";
            // The guest's list of what to mount where (vm-image/README.md): KIND TAG MODE PATH.
            std::string list;
            for (std::size_t i = 0; i < spec.shares.size(); ++i) {
                c.shares.push_back({spec.shares[i].path, spec.shares[i].readOnly, sockets[i]});
                list += std::string(sockets[i].empty() ? "9p" : "virtiofs") + "\t" + shareTag(i) + "\t" +
                        (spec.shares[i].readOnly ? "ro" : "rw") +
                        "\t" + spec.shares[i].path.string() + "\n";
            }
            const auto file = spec.runDir / "shares";
            if (auto written = writeFileAtomically(file, list); !written)
                return written;
            c.fwCfg.push_back({"shares", file});
        }

        auto boot = LineSocket::listen(io, c.bootSocket);
        if (!boot)
            return boot.error();
        auto consoleIn = LineSocket::listen(io, c.consoleSocket);
        if (!consoleIn)
            return consoleIn.error();
        auto qmp = QmpChannel::listen(io, c.monitorSocket);
        if (!qmp)
            return qmp.error();
        bootSocket = std::move(boot).value();
        consoleSocket = std::move(consoleIn).value();
        monitor = std::move(qmp).value();
        monitor->start({});
        std::weak_ptr<Impl> weak = shared_from_this();
        const auto id = launchId;
        bootSocket->start(
            [weak, id](std::string_view line) {
                auto self = weak.lock();
                if (!self || self->launchId != id)
                    return;
                if (auto event = BootEvent::parse(line, std::chrono::steady_clock::now()))
                    self->bootEvent(*event);
            },
            {});
        consoleSocket->start(
            [weak, id](std::string_view line) {
                auto self = weak.lock();
                if (!self || self->launchId != id)
                    return;
                self->console->info("{}", line);
                if (self->callbacks.onConsoleLine)
                    self->callbacks.onConsoleLine(line);
            },
            {});

        std::error_code ec;
        if (fs::exists(qemuLog(), ec))
            fs::rename(qemuLog(), spec.logDir / "qemu.log.1", ec);
        std::vector<std::string> argv{binary};
        const auto args = qemuArguments(c);
        argv.insert(argv.end(), args.begin(), args.end());
        spdlog::info("starting QEMU ({}): {}", accel, [&] {
            std::string all;
            for (const auto& a : argv)
                all += (all.empty() ? "" : " ") + a;
            return all;
        }());
        // QEMU ends with the agent, even one killed with -9: nothing else could stop it cleanly.
        auto process = Process::spawn(argv, {.stdoutFile = qemuLog(), .stderrFile = {}, .dieWithParent = true});
        if (!process) {
            bootSocket.reset();
            consoleSocket.reset();
            monitor.reset();
            return process.error();
        }
        qemu = std::move(process).value();
        (void)writeFileAtomically(pidFile(), std::to_string(qemu->pid()) + "\n");
        watchExit(id);
        if (onTrial) {
            trialTimer.expires_after(kAcceleratorTrial);
            trialTimer.async_wait([weak, id](boost::system::error_code ec2) {
                auto self = weak.lock();
                if (ec2 || !self || self->launchId != id || self->progress || !self->qemu || self->requested)
                    return; // a stop or kill during the trial says nothing about the hypervisor
                self->trialFailed("no boot progress within " + std::to_string(kAcceleratorTrial.count()) +
                                  " s");
            });
        }
        return Ok{};
    }

    // Calls exited() once QEMU has exited: through a pidfd where the system has one (opened
    // once per launch), else on a timer.
    void watchExit(std::uint64_t id)
    {
        std::weak_ptr<Impl> weak = shared_from_this();
        if (!exitWatch.isOpen())
            exitWatch.open(*qemu);
        if (exitWatch.isOpen()) {
            exitWatch.asyncWait([weak, id](boost::system::error_code ec) {
                auto self = weak.lock();
                if (!ec && self && self->launchId == id)
                    self->exited();
            });
            return;
        }
        auto timer = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(200));
        timer->async_wait([weak, id, timer](boost::system::error_code ec) {
            auto self = weak.lock();
            if (ec || !self || self->launchId != id || !self->qemu)
                return;
            if (self->qemu->poll())
                self->exited();
            else
                self->watchExit(id);
        });
    }

    void bootEvent(const BootEvent& event)
    {
        if (!progress) {
            progress = true;
            trialTimer.cancel();
            if (onTrial) {
                onTrial = false;
                accelReason = hypervisorTitle() + " works here (the guest made boot progress)";
                remember(true, {});
                if (callbacks.onAccelerator)
                    callbacks.onAccelerator(accel, accelReason);
            }
            if (state == State::Starting)
                state = State::Running;
        }
        if (callbacks.onBootEvent)
            callbacks.onBootEvent(event);
    }

    // The hypervisor's trial failed: say why, remember it, and boot again with TCG.
    void trialFailed(const std::string& symptom)
    {
        const auto log = contentsOf(qemuLog());
        const auto HW = hypervisorTitle();
        std::string reason;
        if (log.find(HW + " internal error") != std::string::npos)
            reason = HW + " internal error (" + symptom + ")";
        else if (!qemu->poll())
            reason = HW + " " + symptom;
        else
            reason = "QEMU stopped under " + HW + ": " + lastNonEmptyLine(log);
        spdlog::warn("{} trial failed: {}; falling back to TCG", HW, reason);
        // Killed here, reaped on the helper thread, which then prepares the TCG launch.
        qemu->signal(kKillSignal);
        auto previous = std::move(qemu);
        qemu.reset();
        cleanup();
        remember(false, reason);
        onTrial = false;
        accelReason = reason + "; fell back to TCG (emulation, slower)";
        beginLaunch("tcg", std::move(previous), false);
        if (callbacks.onAccelerator)
            callbacks.onAccelerator(accel, accelReason);
    }

    void endProcess()
    {
        if (!qemu)
            return;
        qemu->signal(kKillSignal);
        qemu->wait(std::chrono::seconds(10));
        cleanup();
    }

    void cleanup()
    {
        exitWatch.close();
        trialTimer.cancel();
        bootSocket.reset();
        consoleSocket.reset();
        monitor.reset(); // what it still owes is answered with an error
        std::error_code ec;
        if (!qmpSocket().empty())
            fs::remove(qmpSocket(), ec);
        fs::remove(pidFile(), ec);
        retire(std::move(virtiofsds));
        virtiofsds.clear();
    }

    void exited()
    {
        const auto status = qemu->poll();
        if (!status) {
            watchExit(launchId); // spurious wake-up
            return;
        }
        if (onTrial && !progress && !requested) {
            trialFailed("QEMU exited during the trial");
            return;
        }
        VmExit exit;
        exit.status = *status;
        exit.requested = requested;
        exit.reason = describeExit(*status);
        if (!requested) {
            const auto last = lastNonEmptyLine(contentsOf(qemuLog()));
            if (!last.empty())
                exit.reason += ": " + last;
            if (forced && accel != "tcg" && !progress)
                exit.reason += " (" + hypervisorTitle() +
                               " does not work here; start without --accel, or with --accel tcg)";
        }
        finish(exit);
    }

    void finish(const VmExit& exit)
    {
        spdlog::info("VM ended: {}", exit.reason);
        cleanup();
        qemu.reset();
        state = State::Stopped;
        ++launchId;
        if (callbacks.onExit) {
            auto onExit = callbacks.onExit;
            onExit(exit);
        }
    }
};

QemuDriver::QemuDriver(asio::io_context& io, std::string binary)
    : m_impl(std::make_shared<Impl>(io, std::move(binary)))
{}

QemuDriver::~QemuDriver()
{
    m_impl->callbacks = {};
    m_impl->endProcess();
    m_impl->helper.join(); // what it still has to do (ending virtiofsd) is done before the driver goes
}

Status QemuDriver::create(const MachineSpec& spec)
{
    const auto& disk = spec.dataDisk;
    std::error_code ec;
    const auto status = fs::symlink_status(disk, ec);
    if (fs::exists(status) && !fs::is_regular_file(status))
        return Error{disk.string() + " is not a regular file; move it away and start again"};
    // Sparse: growing costs no host space until the guest writes.
    const auto before = growSparseFile(disk, spec.dataDiskBytes);
    if (!before)
        return Error{"the data disk: " + before.error().message};
    if (*before > 0 && *before < spec.dataDiskBytes)
        spdlog::info("data disk grown from {} to {} bytes", *before, spec.dataDiskBytes);
    return Ok{};
}

Status QemuDriver::start(const MachineSpec& spec, Callbacks callbacks)
{
    auto& d = *m_impl;
    if (d.state != State::Stopped)
        return Error{"the VM is already running"};
    if (!spec.shares.empty() && !d.host.sharesFolders())
        return Error{"folder shares are not available with QEMU on " + toString(d.host.os) +
                     " yet (it serves neither 9p nor virtiofs there); remove them with `berth shares` or in Settings"};
    if (!spec.shares.empty() && spec.shareTransport == "virtiofs" && !d.host.virtiofs)
        return Error{"share_transport \"virtiofs\" is not available with QEMU on " + toString(d.host.os) +
                     "; set it to \"auto\" or \"9p\" in Settings"};
    d.spec = spec;
    d.callbacks = std::move(callbacks);
    auto accel = d.chooseAccelerator();
    if (!accel)
        return accel.error();
    std::error_code ec;
    fs::remove(d.pidFile(), ec);
    d.openConsoleLog();
    d.console->info("--- Berth: starting the VM ({}) ---", accel.value());
    d.requested = false;
    d.state = State::Starting;
    d.beginLaunch(accel.value(), std::nullopt, true);
    if (d.callbacks.onAccelerator)
        d.callbacks.onAccelerator(d.accel, d.accelReason);
    return Ok{};
}

void QemuDriver::requestShutdown(Done done)
{
    auto& d = *m_impl;
    if (!d.qemu || !d.monitor) {
        if (d.state == State::Starting) { // still preparing: QEMU will not be launched
            d.requested = true;
            d.state = State::Stopping;
        }
        asio::post(d.io, [done = std::move(done)] { done(Ok{}); });
        return;
    }
    d.requested = true;
    d.state = State::Stopping;
    std::weak_ptr<Impl> weak = d.shared_from_this();
    d.monitor->execute("system_powerdown", nullptr, [weak, done = std::move(done)](Result<json> r) {
        // A QEMU that powered off before its answer was read (its exit can be seen first) did
        // what was asked.
        const auto self = weak.lock();
        const bool ended = self && self->state == State::Stopped;
        done(r || ended ? Status(Ok{}) : Status(r.error()));
    });
}

namespace {

// Runs a human monitor command on `monitor`; its printed output is its only error report.
void monitorCommand(QmpChannel& monitor, const std::string& command, std::function<void(Status)> done)
{
    monitor.execute("human-monitor-command", {{"command-line", command}}, [done = std::move(done)](Result<json> output) {
        if (!output) {
            done(output.error());
            return;
        }
        auto text = output->is_string() ? output->get<std::string>() : std::string();
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
            text.pop_back();
        if (!text.empty() && text.find("removed") == std::string::npos)
            done(Error{text});
        else
            done(Ok{});
    });
}

// Why the host could not listen where `f` asks, found by trying it: QEMU only says it failed.
std::string whyNotListening(const PortForward& f, const std::string& qemuText)
{
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(f.hostAddress, ec);
    if (!ec) {
        if (f.protocol == "udp") {
            boost::asio::io_context io;
            boost::asio::ip::udp::socket probe(io);
            probe.open(address.is_v4() ? boost::asio::ip::udp::v4() : boost::asio::ip::udp::v6(), ec);
            if (!ec)
                probe.bind({address, f.hostPort}, ec);
        } else {
            boost::asio::io_context io;
            boost::asio::ip::tcp::acceptor probe(io);
            probe.open(address.is_v4() ? boost::asio::ip::tcp::v4() : boost::asio::ip::tcp::v6(), ec);
            if (!ec)
                probe.set_option(boost::asio::socket_base::reuse_address(true), ec);
            if (!ec)
                probe.bind({address, f.hostPort}, ec);
        }
    }
    const auto where = f.hostAddress + ":" + std::to_string(f.hostPort) + "/" + f.protocol;
    if (ec == boost::asio::error::address_in_use)
        return "another program on this computer is using " + where;
    if (ec == boost::asio::error::access_denied)
        return "this computer allows only administrators to listen on " + where + " (ports below 1024)";
    if (ec)
        return "cannot listen on " + where + ": " + ec.message();
    return "cannot listen on " + where + " (QEMU: " + qemuText + ")";
}

} // namespace

void QemuDriver::addPortForward(const PortForward& f, Done done)
{
    auto& d = *m_impl;
    if (!d.qemu || !d.monitor) {
        asio::post(d.io, [done = std::move(done)] { done(Error{"the VM is not running"}); });
        return;
    }
    monitorCommand(*d.monitor, hostForwardAddCommand(f.protocol, f.hostAddress, f.hostPort, f.guestAddress, f.guestPort),
                   [f, done = std::move(done)](Status added) {
                       done(added ? added : Status(Error{whyNotListening(f, added.error().message)}));
                   });
}

void QemuDriver::removePortForward(const PortForward& f, Done done)
{
    auto& d = *m_impl;
    if (!d.qemu || !d.monitor) {
        asio::post(d.io, [done = std::move(done)] { done(Ok{}); });
        return;
    }
    monitorCommand(*d.monitor, hostForwardRemoveCommand(f.protocol, f.hostAddress, f.hostPort), std::move(done));
}

void QemuDriver::kill()
{
    auto& d = *m_impl;
    if (!d.qemu) {
        if (d.state == State::Starting) { // still preparing: QEMU will not be launched
            d.requested = true;
            d.state = State::Stopping;
        }
        return;
    }
    d.requested = true;
    d.state = State::Stopping;
    d.qemu->signal(kKillSignal);
}

QemuDriver::State QemuDriver::state() const
{
    return m_impl->state;
}

std::string QemuDriver::accelerator() const
{
    return m_impl->accel;
}

std::string QemuDriver::acceleratorReason() const
{
    return m_impl->accelReason;
}

std::optional<int> QemuDriver::pid() const
{
    if (!m_impl->qemu)
        return std::nullopt;
    return m_impl->qemu->pid();
}

fs::path QemuDriver::consoleLog() const
{
    return m_impl->spec.logDir / "console.log";
}

} // namespace berth::vm
