#pragma once

#include "berth/vm/AgentStatus.h"
#include "berth/vm/Instance.h"
#include "berth/vm/InstanceControl.h"

#include <functional>
#include <memory>
#include <optional>

#include <QObject>
#include <QString>
#include <QThread>

namespace berth::app {

class AgentWatcher;

// The desktop app's door to the agent that owns the VM: it follows the agent's state over the
// control socket (watch) on a thread of its own, and starts, stops, restarts and resets the engine
// through vm::InstanceControl, the same library the `berth` CLI uses. Those operations wait on the
// agent, so each runs on a worker thread of its own and reports back on the GUI thread; the GUI
// thread never waits. With no agent running, the state is the one the last agent recorded; an
// agent started later (by the app or from a terminal) is noticed when its control socket appears.
class AgentService final : public QObject
{
    Q_OBJECT

public:
    explicit AgentService(vm::InstanceControl control, QObject* parent = nullptr);
    // Cancels what is still waiting (the agent goes on with what it was asked) and gives the
    // workers a moment to end.
    ~AgentService() override;
    AgentService(const AgentService&) = delete;
    AgentService& operator=(const AgentService&) = delete;

    // Begins following the agent. Idempotent.
    void start();
    const vm::AgentStatus& status() const { return m_status; }
    const vm::Instance& instance() const { return m_control.instance(); }
    // A start, stop, restart or reset is running.
    bool busy() const { return m_running > 0; }

    void startEngine();
    void stopEngine();
    void restartEngine();
    // Stops the engine, deletes its data disk (every container, image and volume) and returns
    // the instance's settings to their defaults (as `berth reset --yes --factory`).
    void factoryReset();

    // Each runs on a worker; `done` runs on this object's thread, unless `context` is gone by then.
    // The versions of Berth, QEMU, the guest image and the engine, as `berth version` prints them.
    void versions(QObject* context, std::function<void(const QString& text)> done);
    // Writes the diagnostics bundle to the default file in the home folder; `done` gets its path,
    // or the error.
    void diagnose(QObject* context, std::function<void(bool ok, const QString& archiveOrError)> done);

signals:
    void statusChanged(const berth::vm::AgentStatus& status);
    void busyChanged(bool busy);
    // Once, soon after start(): whether an agent was already running.
    void agentFound(bool found);
    // A command failed; `message` says why (with the guest console's last lines after a failed boot).
    void commandFailed(const QString& what, const QString& message);
    // `verb` (start, stop, restart, reset) ended; after commandFailed when it failed.
    void commandFinished(const QString& verb, bool ok);

private:
    struct Workers;
    // Runs `work` on a worker thread, then what it returns on this object's thread (unless this
    // object is gone by then).
    void onWorker(std::function<std::function<void()>(const vm::InstanceControl&)> work);
    // An operation: nullopt when it worked, else why not.
    using Operation = std::function<std::optional<vm::ControlError>(const vm::InstanceControl&)>;
    void runCommand(const QString& verb, Operation operation);

    vm::InstanceControl m_control;
    std::shared_ptr<Workers> m_workers;
    QThread m_thread;
    AgentWatcher* m_watcher = nullptr; // lives on m_thread
    vm::AgentStatus m_status;
    int m_running = 0; // commands still running
};

} // namespace berth::app

Q_DECLARE_METATYPE(berth::vm::AgentStatus)
