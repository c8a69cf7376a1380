#pragma once

#include "Compose.h"

#include <QIcon>
#include <QMap>
#include <QTimer>
#include <QWidget>

class QLabel;
class QToolButton;
class QTreeWidget;

namespace berth::app {

class ContainerModel;
class EngineService;

// The Compose page: each project with its services, their state and ports, and Up, Down,
// Restart and merged Logs for a project. A project taken down stays listed (as "down") while
// the app runs, so that Up can bring it back.
class ComposeView final : public QWidget
{
    Q_OBJECT

public:
    enum Column
    {
        Name,
        State,
        Ports,
        Detail, // a project's compose file; a service's container
        ColumnCount
    };

    ComposeView(EngineService* engine, ContainerModel* model, QWidget* parent = nullptr);

    QTreeWidget* tree() const { return m_tree; }
    QString stateText() const;
    // The project of the selected row, if any.
    QString selectedProject() const;
    bool selectProject(const QString& project);
    // The projects shown, by name, including those taken down.
    const QMap<QString, ComposeProject>& projects() const { return m_projects; }
    bool busy(const QString& project) const { return m_busy.contains(project); }

public slots:
    // Runs `action` on `project` (Down asks first).
    void run(const QString& project, ComposeAction action);

signals:
    void projectLogsRequested(const QString& project, const QStringList& ids, const QStringList& names);
    void actionFinished(const QString& project, int action, const QString& error);
    void projectsChanged(int count);

protected:
    void changeEvent(QEvent* event) override;

private:
    void rebuild();
    void updateActions();
    void updateIcons();
    void start(const ComposeProject& project, ComposeAction action, const ComposeCommand& command);
    void setState(const QString& text, bool error = false);

    EngineService* m_engine;
    ContainerModel* m_model;
    QMap<QString, ComposeProject> m_projects;
    QHash<QString, ComposeAction> m_busy;
    QTimer m_rebuild;
    QIcon m_projectIcon;
    QTreeWidget* m_tree;
    QToolButton* m_up;
    QToolButton* m_down;
    QToolButton* m_restart;
    QToolButton* m_logs;
    QLabel* m_state;
};

} // namespace berth::app
