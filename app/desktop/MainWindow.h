#pragma once

#include "berth/vm/AgentStatus.h"

#include <functional>

#include <QHash>
#include <QMainWindow>
#include <QPointer>

class QListWidget;
class QStackedWidget;

namespace berth::app {

class AboutDialog;
class AgentService;
class ContainerModel;
class InspectView;
class SettingsPage;
class StatsOverview;
class TerminalView;
class TroubleshootPage;
class ContainersView;
class ContainerDetailView;
class ComposeView;
class FilesView;
class EngineGate;
class EngineService;
class ImageModel;
class ImagesView;
class LogsView;
class NetworkModel;
class NetworksView;
class StatusPanel;
class VolumeModel;
class VolumesView;

// The dashboard: a sidebar (Containers, Images, Volumes, Networks), the chosen view, and the
// engine's status strip. Each view is behind an EngineGate, so it says "engine stopped" rather
// than showing an empty table. Container logs open in windows of their own.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    enum Page
    {
        Containers,
        Compose, // Compose projects: up, down, restart, merged logs
        Images,
        Volumes,
        Networks,
        Activity,       // every running container's CPU and memory
        GatedPageCount, // the pages above show the engine's objects and need it running
        Settings = GatedPageCount,
        Troubleshoot,
        PageCount,
        // Not in the sidebar: one container's tabs, opened from the Containers page.
        ContainerDetail = PageCount,
    };

    struct Models
    {
        ContainerModel* containers;
        ImageModel* images;
        VolumeModel* volumes;
        NetworkModel* networks;
    };

    MainWindow(EngineService* engine, AgentService* agent, Models models, QWidget* parent = nullptr);
    ~MainWindow() override;

    void setEngineStatus(const vm::AgentStatus& status, bool reachable, bool busy);
    // With a tray, closing the window hides it and Berth stays in the tray.
    void setKeepInTray(bool keep) { m_keepInTray = keep; }

    void showPage(Page page);
    Page currentPage() const;
    ContainersView* containersView() const { return m_containers; }
    ImagesView* imagesView() const { return m_images; }
    VolumesView* volumesView() const { return m_volumes; }
    NetworksView* networksView() const { return m_networks; }
    ContainerDetailView* detailView() const { return m_detail; }
    ComposeView* composeView() const { return m_compose; }
    StatusPanel* statusPanel() const { return m_status; }
    StatsOverview* statsOverview() const { return m_activity; }
    SettingsPage* settingsPage() const { return m_settings; }
    TroubleshootPage* troubleshootPage() const { return m_troubleshoot; }
    EngineGate* gate(Page page) const { return page < GatedPageCount ? m_gates[page] : nullptr; }
    // The logs window of a container, or of a Compose project ("project:NAME"), if open.
    LogsView* logsView(const QString& id) const;
    // The open terminal, stats or inspect window of an object, if any.
    TerminalView* terminalView(const QString& containerId) const;
    QWidget* statsView(const QString& containerId) const;
    FilesView* filesView(const QString& containerId) const;
    InspectView* inspectView(const QString& id) const;

public slots:
    void openLogs(const QString& id, const QString& name);
    // One window for a Compose project's containers, their lines merged as `docker compose
    // logs` shows them: "web-1 | …", a colour per container.
    void openProjectLogs(const QString& project, const QStringList& ids, const QStringList& names);
    void openTerminal(const QString& id, const QString& name);
    void openStats(const QString& id, const QString& name);
    void openInspect(int kind, const QString& id, const QString& name); // kind: InspectView::Kind
    void openFiles(const QString& id, const QString& name);
    // The container's detail view in this window, on `tab` (ContainerDetailView::Tab).
    void openContainer(const QString& id, const QString& name, int tab = 0);
    void openAbout();

signals:
    void startRequested();
    void stopRequested();
    void restartRequested();

protected:
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    // The sidebar's icons, in the theme's colours.
    void updateIcons();
    // Into desktop.json, for the next start.
    void saveWindowGeometry();
    // A logs window: what it shows (a container, or a project's containers, each with the
    // prefix its lines get) and the stream of each, by token.
    struct LogsTarget
    {
        QString key;   // a container ID, or "project:NAME"
        QString title; // the container's or the project's name
        QStringList ids;
        QStringList sources; // the prefix of each container's lines; empty for one container
        bool inWindow = true; // false: the Logs tab of the detail view
    };
    struct OpenLogs
    {
        QPointer<LogsView> view;
        // The same view as a QObject, to be compared while it is being destroyed: QPointer's
        // cast to LogsView is undefined once ~LogsView has run (UBSan's vptr check).
        const QObject* object = nullptr;
        QString source;
    };
    LogsView* openLogsWindow(const LogsTarget& target);
    // Registers a logs view (a window's or the detail view's) and starts its streams.
    void attachLogs(LogsView* view, const LogsTarget& target);
    // (Re)starts the streams of a logs window under new tokens, so that batches still queued
    // from its previous streams are told apart and dropped.
    void follow(LogsView* view);
    // Raises the window open under `key`, or makes one with `make`, shows it and keeps it there.
    QWidget* openWindow(const QString& key, const std::function<QWidget*()>& make);

    EngineService* m_engine;
    QListWidget* m_sidebar;
    QStackedWidget* m_pages;
    EngineGate* m_gates[GatedPageCount] = {};
    ContainersView* m_containers;
    ContainerDetailView* m_detail;
    ComposeView* m_compose;
    EngineGate* m_detailGate;
    ImagesView* m_images;
    VolumesView* m_volumes;
    NetworksView* m_networks;
    StatusPanel* m_status;
    StatsOverview* m_activity;
    SettingsPage* m_settings;
    TroubleshootPage* m_troubleshoot;
    AgentService* m_agent;
    QPointer<AboutDialog> m_about;
    QHash<QString, QPointer<QWidget>> m_windows; // "terminal:ID", "stats:ID", "inspect:ID", "files:ID"
    bool m_keepInTray = false;
    int m_nextLogToken = 1;
    QHash<int, OpenLogs> m_logs;                // by stream token
    QHash<LogsView*, LogsTarget> m_logsTargets; // by window
};

} // namespace berth::app
