#pragma once

#include <functional>

#include <QPointer>
#include <QWidget>

class QLabel;
class QTabWidget;
class QToolButton;

namespace berth::app {

class ContainerModel;
class EngineService;
class FilesView;
class InspectView;
class LogsView;
class TerminalView;

// One container inside the main window, as Docker Desktop shows it: its name and state above
// tabs for Logs, Inspect, Terminal, Files and Stats. A tab's view is made when it is first
// shown (a terminal's shell, a stats stream and a files read start only then) and lives until
// another container is shown. "Open in new window" shows the current tab's view on its own.
class ContainerDetailView final : public QWidget
{
    Q_OBJECT

public:
    enum Tab
    {
        Logs,
        Inspect,
        Terminal,
        Files,
        Stats,
        TabCount
    };

    // `attachLogs` starts a logs view's streams (MainWindow owns the log streams).
    ContainerDetailView(EngineService* engine, ContainerModel* model,
                        std::function<void(LogsView*, const QString& id, const QString& name)> attachLogs,
                        QWidget* parent = nullptr);

    void showContainer(const QString& id, const QString& name, Tab tab = Logs);
    QString containerId() const { return m_id; }
    QString containerName() const { return m_name; }
    QTabWidget* tabs() const { return m_tabs; }
    QString stateText() const;
    // The views made so far; null for a tab not yet shown.
    LogsView* logsView() const;
    InspectView* inspectView() const;
    TerminalView* terminalView() const;
    FilesView* filesView() const;
    QWidget* statsView() const;

signals:
    void backRequested();
    void openInWindowRequested(int tab, const QString& id, const QString& name);

protected:
    void changeEvent(QEvent* event) override;

private:
    // Makes the view of tab `index` if it is not there yet.
    void ensureView(int index);
    void clearViews();
    void updateHeader();
    void updateIcons();

    EngineService* m_engine;
    ContainerModel* m_model;
    std::function<void(LogsView*, const QString&, const QString&)> m_attachLogs;
    QString m_id;
    QString m_name;
    QToolButton* m_back;
    QLabel* m_title;
    QLabel* m_state;
    QToolButton* m_openWindow;
    QTabWidget* m_tabs;
    QPointer<QWidget> m_views[TabCount];
};

} // namespace berth::app
