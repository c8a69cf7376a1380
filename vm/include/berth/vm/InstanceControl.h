#pragma once

#include "berth/vm/AgentStatus.h"
#include "berth/vm/ControlProtocol.h"
#include "berth/vm/Diagnostics.h"
#include "berth/vm/Instance.h"
#include "berth/vm/Result.h"
#include "berth/vm/Settings.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::vm {

// What start and restart may change before they start.
struct StartOptions
{
    std::optional<int> cpus, memoryMiB, diskGiB; // set: change the saved settings (the disk only grows)
    std::string accel;                           // kvm, hvf, whpx or tcg; empty: the best that works here
    std::chrono::seconds timeout{300};           // how long start waits for the engine
};

// Why an operation failed, in words a person can act on, with the guest console's last lines
// when they tell more (a boot that failed).
struct ControlError
{
    ControlError(std::string why, std::string title = {}, std::vector<std::string> lines = {})
        : message(std::move(why)), consoleTitle(std::move(title)), console(std::move(lines))
    {}

    std::string message;
    std::string consoleTitle;         // "Last console lines:"; empty when there are none
    std::vector<std::string> console; // those lines
    // The message, then the titled console lines, one per line.
    std::string text() const;
};

template <typename T> using ControlResult = Expected<T, ControlError>;

struct StopOutcome
{
    enum class How
    {
        NotRunning, // there was nothing to stop
        Orphans,    // no agent, but QEMU processes it had left were ended (orphanPids)
        Clean,      // the guest powered off
        Forced,     // the guest did not power off in time, so QEMU was killed
    };
    How how = How::NotRunning;
    double seconds = 0;
    std::vector<int> orphanPids;
};

struct ResetOutcome
{
    bool diskDeleted = false;                   // false: there was none
    std::vector<std::filesystem::path> removed; // settings files a factory reset removed
};

// What `berth status` reports.
struct StatusReport
{
    AgentStatus status; // the live agent's, else the last recorded one with the saved resources
    std::optional<control::DiskUsage> disk; // while the engine runs and the agent could measure it
    bool diskFull = false;                  // under 1 GiB (or 2 %) free
    nlohmann::json json;                    // `berth status --json`
};

// Starts, stops, restarts and resets one instance, and reports its state: the one path that the
// `berth` CLI and berth-desktop both take. The VM itself belongs to an agent process
// (`berth agent`) that start launches in a session of its own, so it outlives whoever started it;
// everything else goes over the agent's control socket (ControlProtocol.h).
//
// The operations block until done and tell their progress through `say`, one line at a time, on
// the calling thread: call them from a thread that may wait (the CLI's main thread, a worker
// of the desktop app), never from a GUI thread. Several may run at once on different threads (a
// stop while a start is following the boot); cancel() ends the waiting ones early.
class InstanceControl final
{
public:
    using Say = std::function<void(const std::string& line)>;

    // `agentProgram` is the `berth` executable that runs `berth agent`; `imageDir` the guest image
    // (for versions()).
    InstanceControl(Instance instance, std::filesystem::path agentProgram, std::filesystem::path imageDir);

    const Instance& instance() const { return m_instance; }

    // Saves the options' cpus, memory and disk into the settings, checked (the disk only grows;
    // nothing is written when a value is refused). `changed` says whether anything changed.
    ControlResult<Settings> applySettings(const StartOptions& options, bool* changed = nullptr) const;
    // Applies the options' settings, then launches an agent unless one is starting or running,
    // and follows it until the engine answers: the running status. An agent that is already
    // starting is followed; one on its way out is waited for first.
    ControlResult<AgentStatus> start(const StartOptions& options, const Say& say = {}) const;
    // Asks the agent to stop and waits until its process is gone. With no agent, ends the QEMU
    // processes one left behind on this instance's disk.
    ControlResult<StopOutcome> stop(const Say& say = {}) const;
    // stop(), then start(). The options are applied only once the stop worked.
    ControlResult<AgentStatus> restart(const StartOptions& options, const Say& say = {}) const;
    // Stops the engine, then, holding the instance lock so that no agent starts meanwhile,
    // deletes the data disk (every image, container and volume); `factory` also removes the
    // settings, the engine's daemon.json and the desktop app's preferences.
    ControlResult<ResetOutcome> reset(bool factory, const Say& say = {}) const;

    // The agent's status, or nullopt when none answers.
    std::optional<AgentStatus> liveStatus() const;
    StatusReport statusReport() const;
    // Berth's, the Docker API's, QEMU's, the guest image's and (when it runs) the engine's
    // versions, one per line, as `berth version` prints them. `complete` is false when a part
    // could not be found (no guest image, an engine that does not answer).
    std::string versions(bool* complete = nullptr) const;
    // The diagnostics bundle of this instance (Diagnostics.h), with the status and versions
    // above in it.
    Result<DiagnosticsReport> diagnose(DiagnosticsOptions options) const;

    // Makes every operation of this object (and its copies) that is waiting end soon with the
    // error "cancelled"; what the agent does goes on. For a front end that is quitting.
    void cancel() const { m_cancelled->store(true); }
    bool cancelled() const { return m_cancelled->load(); }

private:
    ControlResult<AgentStatus> followStart(std::chrono::steady_clock::time_point deadline, const Say& say) const;
    ControlResult<StopOutcome> stopOrphans(const Say& say) const;
    // "ok", "locked", or why the agent did not start.
    std::string launchAgent(const std::string& accel) const;
    // Waits (up to `limit`, or until cancel()) for the agent's process to release the instance.
    void waitForAgentExit(std::chrono::milliseconds limit = std::chrono::seconds(15)) const;

    Instance m_instance;
    std::filesystem::path m_agentProgram;
    std::filesystem::path m_imageDir;
    std::shared_ptr<std::atomic<bool>> m_cancelled = std::make_shared<std::atomic<bool>>(false);
};

const char* toString(StopOutcome::How how);

// The last `count` lines of a log file; none when it cannot be read.
std::vector<std::string> lastLines(const std::filesystem::path& file, std::size_t count);

} // namespace berth::vm
