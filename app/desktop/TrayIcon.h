#pragma once

#include "berth/vm/AgentStatus.h"

#include <QObject>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace berth::app {

// The system-tray icon: one icon per engine state (resources/icons/tray-*.svg), the state in
// its tooltip, and a menu with Dashboard, Start, Stop, Restart and Quit.
class TrayIcon final : public QObject
{
    Q_OBJECT

public:
    explicit TrayIcon(QObject* parent = nullptr);
    ~TrayIcon() override;

    // Shows the icon when the desktop has a tray; false when it has none.
    bool show();
    void setStatus(const vm::AgentStatus& status, bool busy);
    // The state the icon shows: stopped, starting, running, stopping or error.
    QString iconState() const { return m_iconState; }
    QMenu* menu() const { return m_menu; }
    QSystemTrayIcon* icon() const { return m_tray; }

signals:
    void dashboardRequested();
    void startRequested();
    void stopRequested();
    void restartRequested();
    void quitRequested();

private:
    QSystemTrayIcon* m_tray;
    QMenu* m_menu;
    QAction* m_dashboard;
    QAction* m_state;
    QAction* m_start;
    QAction* m_stop;
    QAction* m_restart;
    QAction* m_quit;
    QString m_iconState;
};

// The icon for a state: stopped, starting (also stopping), running, error.
QIcon trayIconFor(const QString& state);

} // namespace berth::app
