#pragma once

#include "berth/vm/AgentStatus.h"

#include <QFrame>

class QLabel;
class QPushButton;

namespace berth::app {

// The strip along the bottom of the main window: the engine's state (with the boot phase or
// the error), the accelerator (and a note when Berth fell back to TCG), the VM's CPUs and
// memory, what a person should know while it runs (a port another program holds, a bind mount
// of a folder the VM does not share), and Start / Stop / Restart.
class StatusPanel final : public QFrame
{
    Q_OBJECT

public:
    explicit StatusPanel(QWidget* parent = nullptr);

    void setStatus(const vm::AgentStatus& status, bool reachable, bool busy);
    QString stateText() const;

signals:
    void startRequested();
    void stopRequested();
    void restartRequested();

private:
    QLabel* m_dot;
    QLabel* m_state;
    QLabel* m_accelerator;
    QLabel* m_resources;
    QLabel* m_warnings;
    QPushButton* m_start;
    QPushButton* m_stop;
    QPushButton* m_restart;
};

// "stopped", "starting", "running", "stopping", "error": the tray icon and the panel's dot.
QString stateName(const vm::AgentStatus& status);
// "Engine starting — data-disk", "Engine error — QEMU was killed…": the panel and the tray.
// `reachable`: whether the engine answers yet (a running VM may still be connecting).
QString engineStateText(const vm::AgentStatus& status, bool reachable);

// The accelerator's tooltip under TCG: what it means and why, in plain words, with the
// accelerator trial's own text (often a QEMU assertion) shortened, as a detail at the end.
QString emulationExplained(const QString& reason);

// Which of Start, Stop and Restart make sense now (the panel's buttons, the tray's menu).
struct EngineActions
{
    bool start = false;
    bool stop = false;
    bool restart = false;
};
EngineActions engineActions(const vm::AgentStatus& status, bool busy);

} // namespace berth::app
