#include "TrayIcon.h"

#include "StatusPanel.h"

#include <QAction>
#include <QIcon>
#include <QMenu>
#include <QSystemTrayIcon>

namespace berth::app {

QIcon trayIconFor(const QString& state)
{
    const auto file = state == "stopping" ? QString("starting") : state;
    return QIcon(QString(":/icons/tray-%1.svg").arg(file));
}

TrayIcon::TrayIcon(QObject* parent) : QObject(parent)
{
    m_menu = new QMenu;
    m_menu->setObjectName("trayMenu");
    m_state = m_menu->addAction(QString());
    m_state->setEnabled(false);
    m_menu->addSeparator();
    m_dashboard = m_menu->addAction(tr("Dashboard"));
    m_dashboard->setObjectName("trayDashboard");
    m_menu->addSeparator();
    m_start = m_menu->addAction(tr("Start"));
    m_start->setObjectName("trayStart");
    m_stop = m_menu->addAction(tr("Stop"));
    m_stop->setObjectName("trayStop");
    m_restart = m_menu->addAction(tr("Restart"));
    m_restart->setObjectName("trayRestart");
    m_menu->addSeparator();
    m_quit = m_menu->addAction(tr("Quit Berth"));
    m_quit->setObjectName("trayQuit");
    m_tray = new QSystemTrayIcon(this);
    m_tray->setContextMenu(m_menu);
    connect(m_dashboard, &QAction::triggered, this, &TrayIcon::dashboardRequested);
    connect(m_start, &QAction::triggered, this, &TrayIcon::startRequested);
    connect(m_stop, &QAction::triggered, this, &TrayIcon::stopRequested);
    connect(m_restart, &QAction::triggered, this, &TrayIcon::restartRequested);
    connect(m_quit, &QAction::triggered, this, &TrayIcon::quitRequested);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            emit dashboardRequested();
    });
    setStatus({}, false);
}

TrayIcon::~TrayIcon()
{
    delete m_menu;
}

bool TrayIcon::show()
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return false;
    m_tray->show();
    return true;
}

void TrayIcon::setStatus(const vm::AgentStatus& status, bool busy)
{
    m_iconState = stateName(status);
    m_tray->setIcon(trayIconFor(m_iconState));
    const auto text = engineStateText(status, true);
    m_state->setText(text);
    m_tray->setToolTip(tr("Berth — %1").arg(text));
    const auto actions = engineActions(status, busy);
    m_start->setEnabled(actions.start);
    m_stop->setEnabled(actions.stop);
    m_restart->setEnabled(actions.restart);
}

} // namespace berth::app
