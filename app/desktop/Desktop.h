#pragma once

#include "berth/vm/Instance.h"

#include <filesystem>

#include <QObject>
#include <QString>

class QTimer;

namespace berth::app {

class AgentService;
class ContainerModel;
class EngineService;
class ImageModel;
class MainWindow;
class NetworkModel;
class TrayIcon;
class VolumeModel;

// berth-desktop's parts and their wiring: the agent and engine facades, the models they feed,
// the main window and the tray icon. main() makes one; the GUI tests make one too.
class Desktop final : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        // The `berth` program whose `berth agent` runs the VM (beside berth-desktop when empty).
        std::filesystem::path agentProgram;
        bool startEngine = true; // start an agent when none is running
        bool useTray = true;     // show the tray icon when the desktop has a tray
        bool showWindow = true;  // false: start in the tray (the window shows anyway without one)
    };

    Desktop(vm::Instance instance, Options options, QObject* parent = nullptr);
    ~Desktop() override;

    // Starts following the agent and the engine, and shows the window (see Options::showWindow).
    void start();

    AgentService* agent() const { return m_agent; }
    EngineService* engine() const { return m_engine; }
    MainWindow* window() const { return m_window; }
    TrayIcon* tray() const { return m_tray; }
    ContainerModel* containers() const { return m_containers; }
    ImageModel* images() const { return m_images; }
    VolumeModel* volumes() const { return m_volumes; }
    NetworkModel* networks() const { return m_networks; }
    bool trayShown() const { return m_trayShown; }

public slots:
    void showDashboard();
    // Quits Berth: stops the engine (asking first when containers are running), then the app.
    void quit();

signals:
    // Quit was chosen and the engine has stopped.
    void quitting();

private:
    void updateState();
    void updateUsage();
    int runningContainers() const;
    void stopAndQuit();

    Options m_options;
    AgentService* m_agent;
    EngineService* m_engine;
    ContainerModel* m_containers;
    ImageModel* m_images;
    VolumeModel* m_volumes;
    NetworkModel* m_networks;
    MainWindow* m_window;
    TrayIcon* m_tray;
    QTimer* m_usageTimer;
    bool m_trayShown = false;
    bool m_quitting = false;
};

} // namespace berth::app
