#pragma once

#include "berth/vm/AgentStatus.h"
#include "berth/vm/Instance.h"

#include <functional>

#include <QObject>
#include <QString>
#include <QThread>

namespace berth::app {

class AgentWatcher;

// The desktop app's door to the agent that owns the VM: it follows the agent's state over the
// control socket (watch) on a thread of its own, and starts, stops and restarts the engine by
// running the `berth` command beside this executable, so the app and the CLI start an agent the
// same way. With no agent running, the state is the one the last agent recorded; an agent
// started later (by the app or from a terminal) is noticed when its control socket appears.
class AgentService final : public QObject
{
    Q_OBJECT

public:
    AgentService(vm::Instance instance, QString berthExecutable, QObject* parent = nullptr);
    ~AgentService() override;
    AgentService(const AgentService&) = delete;
    AgentService& operator=(const AgentService&) = delete;

    // Begins following the agent. Idempotent.
    void start();
    const vm::AgentStatus& status() const { return m_status; }
    const vm::Instance& instance() const { return m_instance; }
    const QString& berthExecutable() const { return m_berth; }
    // A start, stop or restart command is running.
    bool busy() const { return m_running > 0; }

    void startEngine();
    void stopEngine();
    void restartEngine();
    // Stops the engine, deletes its data disk (every container, image and volume) and returns
    // the instance's settings to their defaults (`berth reset --yes --factory`).
    void factoryReset();

    // Runs `berth ARGUMENTS --instance NAME` without waiting; `done` gets whether it succeeded,
    // its standard output and, on failure, its error message, unless `context` is gone by then.
    void runBerth(const QStringList& arguments, QObject* context,
                  std::function<void(bool ok, const QString& output, const QString& error)> done,
                  bool readOutput = true);

signals:
    void statusChanged(const berth::vm::AgentStatus& status);
    void busyChanged(bool busy);
    // Once, soon after start(): whether an agent was already running.
    void agentFound(bool found);
    // A command failed; `message` is what it printed on stderr.
    void commandFailed(const QString& what, const QString& message);
    // `verb` (start, stop, restart, reset) ended; after commandFailed when it failed.
    void commandFinished(const QString& verb, bool ok);

private:
    void runCommand(const QString& verb, const QStringList& extra = {});

    vm::Instance m_instance;
    QString m_berth;
    QThread m_thread;
    AgentWatcher* m_watcher = nullptr; // lives on m_thread
    vm::AgentStatus m_status;
    int m_running = 0; // commands still running
};

} // namespace berth::app

Q_DECLARE_METATYPE(berth::vm::AgentStatus)
