#include "berth/vm/InstanceControl.h"

#include "berth/engine/ApiVersion.h"
#include "berth/vm/Agent.h"
#include "berth/vm/ControlClient.h"
#include "berth/vm/DockerContext.h"
#include "berth/vm/EngineProbe.h"
#include "berth/vm/ImageManifest.h"
#include "berth/vm/InstanceLock.h"
#include "berth/vm/Process.h"
#include "berth/vm/QemuCommand.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <thread>

namespace berth::vm {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kSlice = std::chrono::milliseconds(200); // how often a wait looks at cancel()

std::string seconds(double s)
{
    std::ostringstream out;
    out << std::fixed << std::setprecision(1) << s << " s";
    return out.str();
}

void tell(const InstanceControl::Say& say, const std::string& line)
{
    if (say)
        say(line);
}

// An agent in this state exits soon and will not serve a start.
bool finishing(const AgentStatus& status)
{
    return status.state == EngineState::Stopping || status.state == EngineState::Stopped ||
           status.state == EngineState::Error;
}

// `message` with the console lines the agent recorded.
ControlError withConsole(std::string message, const AgentStatus& status)
{
    ControlError error{std::move(message)};
    if (!status.consoleTail.empty()) {
        error.consoleTitle = "Last console lines:";
        error.console.assign(status.consoleTail.begin(), status.consoleTail.end());
    }
    return error;
}

ControlError cancelledError()
{
    return ControlError{"cancelled"};
}

} // namespace

std::vector<std::string> lastLines(const fs::path& file, std::size_t count)
{
    std::ifstream in(file, std::ios::binary);
    std::deque<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
        if (lines.size() > count)
            lines.pop_front();
    }
    return {lines.begin(), lines.end()};
}

std::string ControlError::text() const
{
    std::string out = message;
    if (!console.empty()) {
        out += "\n" + consoleTitle;
        for (const auto& line : console)
            out += "\n  | " + line;
    }
    return out;
}

const char* toString(StopOutcome::How how)
{
    switch (how) {
    case StopOutcome::How::NotRunning:
        return "not running";
    case StopOutcome::How::Orphans:
        return "orphans";
    case StopOutcome::How::Clean:
        return "clean";
    case StopOutcome::How::Forced:
        return "forced";
    }
    return "?";
}

InstanceControl::InstanceControl(Instance instance, fs::path agentProgram, fs::path imageDir)
    : m_instance(std::move(instance)), m_agentProgram(std::move(agentProgram)), m_imageDir(std::move(imageDir))
{
}

// --- status ---

std::optional<AgentStatus> InstanceControl::liveStatus() const
{
    auto client = ControlClient::connect(m_instance.controlSocket());
    if (!client)
        return std::nullopt;
    auto status = client->status(std::chrono::seconds(5));
    if (!status)
        return std::nullopt;
    return std::move(status).value();
}

StatusReport InstanceControl::statusReport() const
{
    StatusReport report;
    auto& status = report.status;
    // One connection for the status and, while the engine runs, the disk's use.
    auto client = ControlClient::connect(m_instance.controlSocket());
    auto live = client ? client->status(std::chrono::seconds(5)) : Result<AgentStatus>(Error{});
    status = live ? std::move(live).value() : lastRecordedStatus(m_instance);
    if (status.cpus == 0) {
        if (auto settings = m_instance.loadSettings()) {
            status.cpus = settings->cpus;
            status.memoryMiB = settings->memoryMiB;
            status.diskGiB = settings->diskGiB;
        }
    }
    report.json = status.toJson();
    if (live && status.state == EngineState::Running) {
        // The agent measures it in the guest over the SSH session it holds.
        if (auto usage = client->disk(std::chrono::seconds(10))) {
            report.disk = usage.value();
            report.json["disk_used_bytes"] = usage->usedBytes;
            report.json["disk_size_bytes"] = usage->sizeBytes;
        }
    }
    if (report.disk) {
        const double used = static_cast<double>(report.disk->usedBytes);
        const double size = static_cast<double>(report.disk->sizeBytes);
        report.diskFull = size - used < std::min(1.0 * (1 << 30), 0.02 * size);
    }
    report.json["disk_full"] = report.diskFull;
    return report;
}

std::string InstanceControl::versions(bool* complete) const
{
    bool whole = true;
    std::ostringstream out;
    out << "Berth " << BERTH_VERSION << "\n";
    out << "Docker API:  " << engine::ApiVersion::newestSupported().toString() << " (oldest supported "
        << engine::ApiVersion::oldestSupported().toString() << ")\n";
    const auto qemu = firstOutputLine(thisQemuHost().binary + " --version");
    out << "QEMU:        " << (qemu.empty() ? "not found (install qemu-system-x86)" : qemu) << "\n";
    if (const auto manifest = ImageManifest::load(m_imageDir); !manifest) {
        out << "Guest image: " << manifest.error().message << "\n";
        whole = false;
    } else {
        out << "Guest image: " << manifest->dir().string() << "\n"
            << "  Debian " << manifest->suite() << ", kernel " << manifest->kernelVersion() << "\n"
            << "  docker.io " << manifest->packageVersion("docker.io").value_or("?") << ", containerd "
            << manifest->packageVersion("containerd").value_or("?") << ", runc "
            << manifest->packageVersion("runc").value_or("?") << "\n";
    }
    const auto status = liveStatus();
    if (!status || status->state != EngineState::Running) {
        out << "Engine:      not running (`berth start`)\n";
    } else {
        const auto reply = engineGet(m_instance.engineSocket(), "/version", std::chrono::seconds(10));
        const auto body = reply ? nlohmann::json::parse(reply->body, nullptr, false) : nlohmann::json();
        if (!reply || !body.is_object()) {
            out << "Engine:      no answer ("
                << (reply ? "HTTP " + std::to_string(reply->status) : reply.error().message) << ")\n";
            whole = false;
        } else {
            out << "Engine:      Docker " << body.value("Version", "?") << ", API " << body.value("ApiVersion", "?")
                << ", " << body.value("Os", "?") << "/" << body.value("Arch", "?") << ", kernel "
                << body.value("KernelVersion", "?") << "\n";
        }
    }
    if (complete)
        *complete = whole;
    return out.str();
}

Result<DiagnosticsReport> InstanceControl::diagnose(DiagnosticsOptions options) const
{
    options.statusJson = [this] { return statusReport().json.dump(2) + "\n"; };
    options.versionText = [this] { return versions(); };
    return writeDiagnostics(m_instance, options);
}

// --- settings ---

ControlResult<Settings> InstanceControl::applySettings(const StartOptions& options, bool* changed) const
{
    auto saved = m_instance.loadSettings();
    if (!saved)
        return ControlError{saved.error().message};
    Settings s = saved.value();
    s.cpus = options.cpus.value_or(s.cpus);
    s.memoryMiB = options.memoryMiB.value_or(s.memoryMiB);
    s.diskGiB = options.diskGiB.value_or(s.diskGiB);
    // Against the disk that exists, not the saved number: a new instance has no disk yet, and
    // settings.json may have been edited by hand.
    if (auto fits = m_instance.checkDiskSize(s.diskGiB); !fits)
        return ControlError{(options.diskGiB ? "--disk " + std::to_string(s.diskGiB) + ": "
                                             : m_instance.settingsFile().string() + ": ") +
                                fits.error().message};
    const bool differs = !(s == saved.value());
    if (differs) {
        if (auto written = m_instance.saveSettings(s); !written)
            return ControlError{written.error().message};
    }
    if (changed)
        *changed = differs;
    return s;
}

// --- start ---

void InstanceControl::waitForAgentExit(std::chrono::milliseconds limit) const
{
    const auto deadline = Clock::now() + limit;
    while (InstanceLock::held(m_instance) && Clock::now() < deadline && !cancelled())
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

std::string InstanceControl::launchAgent(const std::string& accel) const
{
    auto pipe = ReportPipe::create();
    if (!pipe)
        return pipe.error().message;
    std::vector<std::string> argv{m_agentProgram.string(), "agent",      "--instance",
                                  m_instance.name(),       "--ready-fd", pipe->childName()};
    if (!accel.empty()) {
        argv.push_back("--accel");
        argv.push_back(accel);
    }
    // Detached: the agent outlives whoever started it, and a long-running caller (the desktop)
    // never has to reap it.
    auto agent = Process::spawn(argv, {.stdoutFile = m_instance.logDir() / "agent.out",
                                       .stderrFile = {},
                                       .newSession = true,
                                       .passHandle = pipe->childEnd(),
                                       .detached = true});
    pipe->closeChildEnd();
    if (!agent)
        return agent.error().message;
    // The agent reports within moments: once it holds the instance, or why it cannot.
    const auto report =
        pipe->readLine(Clock::now() + std::chrono::seconds(30), [this] { return cancelled(); });
    const auto outFile = (m_instance.logDir() / "agent.out").string();
    if (report.outcome == ReportPipe::Report::Outcome::TimedOut)
        return cancelled() ? "cancelled" : "the agent did not report within 30 s; see " + outFile;
    const auto& line = report.line;
    if (report.outcome == ReportPipe::Report::Outcome::Line && (line == "ok" || line == "locked"))
        return line;
    if (report.outcome == ReportPipe::Report::Outcome::Line && line.rfind("error ", 0) == 0)
        return line.substr(6);
    return "the agent ended before reporting; see " + outFile;
}

ControlResult<AgentStatus> InstanceControl::followStart(Clock::time_point deadline, const Say& say) const
{
    std::optional<ControlClient> client;
    while (!client) {
        if (cancelled())
            return cancelledError();
        if (auto connected = ControlClient::connect(m_instance.controlSocket())) {
            client = std::move(connected).value();
            break;
        }
        if (Clock::now() > deadline || !InstanceLock::held(m_instance)) {
            const auto last = lastRecordedStatus(m_instance);
            if (last.state == EngineState::Error)
                return withConsole(last.lastError, last);
            return ControlError{"the agent is not answering on " + m_instance.controlSocket().string() +
                                    "; see `berth logs`"};
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (auto watching = client->watch(); !watching) {
        // The agent may have finished, and closed, between the connect and the watch (a start
        // that fails at once): then its recorded status says how it ended.
        waitForAgentExit(std::chrono::seconds(2));
        const auto last = lastRecordedStatus(m_instance);
        if (!InstanceLock::held(m_instance) && last.state == EngineState::Error)
            return withConsole(last.lastError, last);
        return ControlError{watching.error().message};
    }
    std::string lastPhase, lastAccel;
    for (;;) {
        if (cancelled())
            return cancelledError();
        const auto slice = std::min(deadline, Clock::now() + kSlice);
        auto message = client->next(slice);
        if (!message) {
            if (client->agentGone()) {
                waitForAgentExit(); // so that the next command finds the instance free
                const auto last = lastRecordedStatus(m_instance);
                return withConsole("the agent ended: " + (last.lastError.empty() ? "see `berth logs`" : last.lastError),
                                   last);
            }
            if (Clock::now() >= deadline) {
                ControlError error{"the engine is not ready yet; it keeps starting in the background "
                                   "(`berth status` shows it, `berth stop` stops it)",
                                   "Last console lines (" + m_instance.consoleLog().string() + "):",
                                   lastLines(m_instance.consoleLog(), 15)};
                return error;
            }
            if (Clock::now() >= slice)
                continue; // this slice passed quietly
            return ControlError{message.error().message + "; see `berth logs`"};
        }
        const auto& s = message->status;
        if (!s.accelerator.empty() && s.accelerator + s.acceleratorReason != lastAccel) {
            lastAccel = s.accelerator + s.acceleratorReason;
            tell(say, "  accelerator: " + s.accelerator + " (" + s.acceleratorReason + ")");
        }
        switch (s.state) {
        case EngineState::Starting:
            if (s.phase != lastPhase) {
                lastPhase = s.phase;
                const double at = s.phases.empty() ? 0 : s.phases.back().hostSeconds;
                std::ostringstream line;
                line << "  " << std::left << std::setw(14) << s.phase << std::right << seconds(at);
                tell(say, line.str());
            }
            break;
        case EngineState::Running: {
            const double at = s.phases.empty() ? 0 : s.phases.back().hostSeconds;
            for (const auto& notice : s.notices)
                tell(say, "Note: " + notice);
            tell(say, "Engine ready in " + seconds(at) + ".");
            tell(say, "DOCKER_HOST=" + s.dockerHost);
            const auto context = m_instance.dockerContextName();
            const auto endpoint = dockerContextEndpoint(dockerConfigDir(), context);
            if (endpoint && *endpoint == s.dockerHost)
                tell(say, "docker context: " + context + " (`berth context use" +
                              (m_instance.name() == "default" ? "" : " --instance " + m_instance.name()) +
                              "` makes it the current one)");
            return s;
        }
        case EngineState::Stopping:
        case EngineState::Stopped:
            return ControlError{"the engine was stopped while starting"};
        case EngineState::Error: {
            auto error = withConsole(s.lastError, s);
            waitForAgentExit();
            return error;
        }
        }
    }
}

ControlResult<AgentStatus> InstanceControl::start(const StartOptions& options, const Say& say) const
{
    bool changed = false;
    auto applied = applySettings(options, &changed);
    if (!applied)
        return std::move(applied).error();
    const auto deadline = Clock::now() + options.timeout;

    auto live = liveStatus();
    if (live && finishing(*live)) {
        // An agent on its way out (stopping, or just failed): let it go, then start anew.
        waitForAgentExit();
        live = liveStatus();
    }
    if (cancelled())
        return cancelledError();
    if (live) {
        if (changed)
            tell(say, "The new settings apply after `berth restart`.");
        if (live->state == EngineState::Running) {
            tell(say, "Berth is already running (agent pid " + std::to_string(live->pid) + ").");
            tell(say, "DOCKER_HOST=" + live->dockerHost);
            return *live;
        }
        tell(say, "Berth is already " + std::string(toString(live->state)) + "; following it.");
        return followStart(deadline, say);
    }
    const auto& settings = applied.value();
    tell(say, "Starting Berth (instance " + m_instance.name() + ": " + std::to_string(settings.cpus) + " CPUs, " +
                  std::to_string(settings.memoryMiB) + " MiB, " + std::to_string(settings.diskGiB) + " GiB disk)");
    auto launched = launchAgent(options.accel);
    for (int attempt = 0; launched == "locked" && attempt < 3 && !cancelled(); ++attempt) {
        // Another agent holds the instance. If it is finishing, wait for it and launch again;
        // if it is starting or running, follow it.
        const auto other = liveStatus();
        if (other && !finishing(*other))
            break;
        waitForAgentExit();
        if (cancelled())
            return cancelledError();
        launched = launchAgent(options.accel);
    }
    if (cancelled())
        return cancelledError();
    if (launched == "locked")
        tell(say, "Berth is already being started by another command; following it.");
    else if (launched != "ok")
        return ControlError{launched};
    return followStart(deadline, say);
}

// --- stop ---

ControlResult<StopOutcome> InstanceControl::stopOrphans(const Say& say) const
{
    StopOutcome outcome;
    if (!InstanceLock::held(m_instance))
        outcome.orphanPids = stopQemuProcessesUsing(m_instance.dataDisk());
    if (outcome.orphanPids.empty()) {
        tell(say, "Berth is not running.");
        return outcome;
    }
    outcome.how = StopOutcome::How::Orphans;
    for (const int pid : outcome.orphanPids)
        tell(say, "Stopped a VM (QEMU pid " + std::to_string(pid) +
                      ") that a Berth agent had left running when it ended.");
    return outcome;
}

ControlResult<StopOutcome> InstanceControl::stop(const Say& say) const
{
    auto client = ControlClient::connect(m_instance.controlSocket());
    if (!client)
        return stopOrphans(say);
    const auto began = Clock::now();
    auto accepted = client->stop(std::chrono::seconds(10));
    if (!accepted) {
        if (client->agentGone())
            return stopOrphans(say);
        return ControlError{accepted.error().message};
    }
    // An agent with little to do may have reported its end and closed before this watch: what
    // it sent is still read below.
    const auto watching = client->watch();
    tell(say, accepted.value());
    std::optional<AgentStatus> final;
    const auto deadline = Clock::now() + std::chrono::seconds(120);
    while (!final && Clock::now() < deadline) {
        if (cancelled())
            return cancelledError();
        auto message = client->next(std::min(deadline, Clock::now() + kSlice));
        if (message &&
            (message->status.state == EngineState::Stopped || message->status.state == EngineState::Error))
            final = message->status;
        if (!message && client->agentGone())
            break;
    }
    if (!final && !watching)
        return ControlError{watching.error().message};
    // The lock goes with the agent's process: wait for it, so a start now starts anew.
    waitForAgentExit();
    if (cancelled())
        return cancelledError();
    StopOutcome outcome;
    outcome.seconds = std::chrono::duration<double>(Clock::now() - began).count();
    if (!final)
        return ControlError{"the agent did not report its end; see `berth logs`"};
    if (final->state == EngineState::Error)
        return ControlError{"stopped with an error: " + final->lastError};
    if (final->stopMethod == "not-started") {
        outcome.how = StopOutcome::How::Clean;
        tell(say, "Stopped in " + seconds(outcome.seconds) + ", before the VM had started.");
    } else if (final->stopMethod == "forced") {
        outcome.how = StopOutcome::How::Forced;
        tell(say, "Stopped in " + seconds(outcome.seconds) +
                      ": the guest did not power off in time, so QEMU was killed.");
    } else {
        outcome.how = StopOutcome::How::Clean;
        tell(say, "Stopped in " + seconds(outcome.seconds) + ": the guest powered off cleanly.");
    }
    return outcome;
}

ControlResult<AgentStatus> InstanceControl::restart(const StartOptions& options, const Say& say) const
{
    if (auto stopped = stop(say); !stopped)
        return std::move(stopped).error();
    if (cancelled())
        return cancelledError();
    return start(options, say);
}

// --- reset ---

ControlResult<ResetOutcome> InstanceControl::reset(bool factory, const Say& say) const
{
    if (auto stopped = stop(say); !stopped)
        return std::move(stopped).error();
    if (cancelled())
        return cancelledError();
    // Held while deleting, so no agent can start on the disk meanwhile.
    auto lock = InstanceLock::tryAcquire(m_instance);
    if (!lock)
        return ControlError{lock.error().message + "; nothing was deleted"};
    if (!lock->has_value())
        return ControlError{"the agent is still running; nothing was deleted"};
    ResetOutcome outcome;
    std::error_code ec;
    outcome.diskDeleted = fs::remove(m_instance.dataDisk(), ec);
    if (ec)
        return ControlError{"cannot delete " + m_instance.dataDisk().string() + ": " + ec.message()};
    tell(say, outcome.diskDeleted ? "Deleted the data disk " + m_instance.dataDisk().string() + "."
                                  : std::string("There was no data disk; nothing to delete."));
    if (!factory)
        return outcome;
    for (const auto& file : {m_instance.settingsFile(), m_instance.daemonConfig(), m_instance.desktopPrefsFile()}) {
        if (fs::remove(file, ec)) {
            outcome.removed.push_back(file);
            tell(say, "Removed " + file.string() + ".");
        }
        if (ec)
            return ControlError{"cannot remove " + file.string() + ": " + ec.message()};
    }
    tell(say, "Settings are the defaults again.");
    return outcome;
}

} // namespace berth::vm
