#include "Desktop.h"

#include "AgentService.h"
#include "ContainerModel.h"
#include "Dialogs.h"
#include "EngineService.h"
#include "Format.h"
#include "MainWindow.h"
#include "ResourceModels.h"
#include "TrayIcon.h"
#include "berth/vm/InstallPaths.h"

#include <QApplication>
#include <QTimer>

namespace berth::app {

Desktop::Desktop(vm::Instance instance, Options options, QObject* parent)
    : QObject(parent), m_options(std::move(options))
{
    const auto socket = instance.engineSocket();
    const auto agentProgram =
        m_options.agentProgram.empty() ? vm::executableDir() / "berth" : m_options.agentProgram;
    m_agent = new AgentService(vm::InstanceControl(std::move(instance), agentProgram, vm::imageDir()), this);
    m_engine = new EngineService(engine::Endpoint::unixSocket(socket), this);
    m_containers = new ContainerModel(this);
    m_images = new ImageModel(this);
    m_volumes = new VolumeModel(this);
    m_networks = new NetworkModel(this);
    m_window = new MainWindow(m_engine, m_agent, {m_containers, m_images, m_volumes, m_networks});
    m_tray = new TrayIcon(this);

    connect(m_engine, &EngineService::containersReset, m_containers, &ContainerModel::reset);
    connect(m_engine, &EngineService::containerChanged, m_containers, &ContainerModel::upsert);
    connect(m_engine, &EngineService::containerRemoved, m_containers, &ContainerModel::remove);
    connect(m_engine, &EngineService::containerStateChanged, m_containers, &ContainerModel::setState);
    connect(m_engine, &EngineService::containerStats, m_containers, &ContainerModel::setStats);
    connect(m_engine, &EngineService::containerActionStarted, m_containers, &ContainerModel::setPending);
    connect(m_engine, &EngineService::containerActionFinished, m_containers, &ContainerModel::clearPending);
    connect(m_engine, &EngineService::imagesReset, m_images, &ImageModel::setImages);
    connect(m_engine, &EngineService::volumesReset, m_volumes, &VolumeModel::setItems);
    connect(m_engine, &EngineService::networksReset, m_networks, &NetworkModel::setItems);
    connect(m_engine, &EngineService::engineReachable, this, [this](bool reachable) {
        if (!reachable) {
            // Nothing the tables showed is current any more; they fill again on reconnection.
            m_containers->clear();
            m_images->clear();
            m_volumes->clear();
            m_networks->clear();
        }
        updateState();
    });

    // "In use" and "used by" come from the container list; recomputed once per burst of changes.
    m_usageTimer = new QTimer(this);
    m_usageTimer->setSingleShot(true);
    m_usageTimer->setInterval(100);
    connect(m_usageTimer, &QTimer::timeout, this, &Desktop::updateUsage);
    // A throttle, not a debounce: stats samples change rows many times a second.
    auto soon = [this] {
        if (!m_usageTimer->isActive())
            m_usageTimer->start();
    };
    connect(m_containers, &QAbstractItemModel::rowsInserted, this, soon);
    connect(m_containers, &QAbstractItemModel::rowsRemoved, this, soon);
    connect(m_containers, &QAbstractItemModel::modelReset, this, soon);
    connect(m_containers, &QAbstractItemModel::dataChanged, this,
            [soon](const QModelIndex& topLeft, const QModelIndex& bottomRight) {
                if (topLeft.column() <= ContainerModel::State ||
                    bottomRight.column() > ContainerModel::Memory)
                    soon();
            });

    connect(m_agent, &AgentService::statusChanged, this, [this](const vm::AgentStatus& status) {
        if (status.state == vm::EngineState::Running)
            m_engine->reconnectNow();
        updateState();
    });
    connect(m_agent, &AgentService::busyChanged, this, &Desktop::updateState);
    connect(m_agent, &AgentService::commandFinished, this, [this](const QString& verb, bool ok) {
        if (verb != "stop" || !m_quitting)
            return;
        m_quitting = false;
        if (ok)
            emit quitting();
        else
            showDashboard(); // the failure is shown there; Berth stays
    });
    connect(m_agent, &AgentService::agentFound, this, [this](bool found) {
        if (!found && m_options.startEngine)
            m_agent->startEngine();
    });
    connect(m_agent, &AgentService::commandFailed, this, [this](const QString& what, const QString& message) {
        openMessage(m_window, QMessageBox::Warning, "engineCommandFailed", tr("%1 failed").arg(what),
                    message);
    });

    connect(m_window, &MainWindow::startRequested, m_agent, &AgentService::startEngine);
    connect(m_window, &MainWindow::stopRequested, m_agent, &AgentService::stopEngine);
    connect(m_window, &MainWindow::restartRequested, m_agent, &AgentService::restartEngine);
    connect(m_tray, &TrayIcon::startRequested, m_agent, &AgentService::startEngine);
    connect(m_tray, &TrayIcon::stopRequested, m_agent, &AgentService::stopEngine);
    connect(m_tray, &TrayIcon::restartRequested, m_agent, &AgentService::restartEngine);
    connect(m_tray, &TrayIcon::dashboardRequested, this, &Desktop::showDashboard);
    connect(m_tray, &TrayIcon::quitRequested, this, &Desktop::quit);
    connect(this, &Desktop::quitting, qApp, &QApplication::quit, Qt::QueuedConnection);
}

Desktop::~Desktop()
{
    delete m_window;
}

void Desktop::start()
{
    if (m_options.useTray)
        m_trayShown = m_tray->show();
    m_window->setKeepInTray(m_trayShown);
    QApplication::setQuitOnLastWindowClosed(!m_trayShown);
    m_agent->start();
    m_engine->start();
    if (m_options.showWindow || !m_trayShown)
        m_window->show();
}

void Desktop::showDashboard()
{
    m_window->show();
    m_window->setWindowState(m_window->windowState() & ~Qt::WindowMinimized);
    m_window->raise();
    m_window->activateWindow();
}

void Desktop::updateState()
{
    const auto& status = m_agent->status();
    m_window->setEngineStatus(status, m_engine->reachable(), m_agent->busy());
    m_tray->setStatus(status, m_agent->busy());
}

void Desktop::updateUsage()
{
    QHash<QString, QStringList> byImage, byVolume, byNetwork;
    for (const auto& c : m_containers->containers()) {
        const auto name = QString::fromStdString(c.name);
        byImage[QString::fromStdString(c.imageId)] << name;
        for (const auto& m : c.mounts)
            if (m.type == "volume")
                byVolume[QString::fromStdString(m.name)] << name;
        for (const auto& n : c.networks)
            byNetwork[QString::fromStdString(n)] << name;
    }
    for (auto* map : {&byImage, &byVolume, &byNetwork})
        for (auto& names : *map)
            names.sort();
    m_images->setUsage(byImage);
    m_volumes->setUsage(byVolume);
    m_networks->setUsage(byNetwork);
}

int Desktop::runningContainers() const
{
    int running = 0;
    for (const auto& c : m_containers->containers())
        running += c.running() ? 1 : 0;
    return running;
}

void Desktop::quit()
{
    const auto state = m_agent->status().state;
    if ((state == vm::EngineState::Stopped || state == vm::EngineState::Error) && !m_agent->busy()) {
        emit quitting();
        return;
    }
    const int running = runningContainers();
    if (running == 0) {
        stopAndQuit();
        return;
    }
    // No parent: Quit may come from the tray while the window is hidden.
    openConfirmation(nullptr, QMessageBox::Question, "confirmQuit", tr("Quit Berth"),
                     tr("%1 running. Quitting stops the engine and them.")
                         .arg(countText(running, tr("container is"), tr("containers are"))),
                     tr("Stop and quit"), [this](QMessageBox*) { stopAndQuit(); });
}

void Desktop::stopAndQuit()
{
    m_quitting = true;
    m_window->hide();
    m_agent->stopEngine(); // commandFinished("stop", true) → quitting()
}

} // namespace berth::app
