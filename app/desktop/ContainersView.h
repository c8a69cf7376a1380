#pragma once

#include <QModelIndex>
#include <QWidget>

class QAction;
class QLineEdit;
class QMessageBox;
class QSortFilterProxyModel;
class QToolButton;
class QTreeView;

namespace berth::app {

class ContainerModel;
class EngineService;

// All containers, grouped under their Compose project, with a filter box and actions on the
// selection (a group's action applies to every container in it). The model changes from the
// engine's events; this view never asks for the list.
class ContainersView final : public QWidget
{
    Q_OBJECT

public:
    ContainersView(EngineService* engine, ContainerModel* model, QWidget* parent = nullptr);

    QTreeView* tree() const { return m_tree; }
    // Selects and shows a container's row (e.g. one just created from the Run dialog).
    bool reveal(const QString& id);

signals:
    // A container opened (double click, Enter): its detail view.
    void openRequested(const QString& id, const QString& name);
    void logsRequested(const QString& id, const QString& name);
    // Logs on a Compose project's row: one window for all its containers.
    void projectLogsRequested(const QString& project, const QStringList& ids, const QStringList& names);
    void terminalRequested(const QString& id, const QString& name);
    void statsRequested(const QString& id, const QString& name);
    void inspectRequested(const QString& id, const QString& name);

protected:
    void changeEvent(QEvent* event) override;

private:
    void updateIcons();
    QStringList selectedIds() const;
    // The selected rows that are Compose projects as a whole (group rows, in the proxy).
    QModelIndexList selectedProjectRows() const;
    void updateActions();
    void confirmDelete();
    void copyRunCommand();
    void showMenu(const QPoint& position);

    EngineService* m_engine;
    ContainerModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QLineEdit* m_filter;
    QTreeView* m_tree;
    QAction* m_start;
    QAction* m_stop;
    QAction* m_restart;
    QAction* m_pause;
    QAction* m_unpause;
    QAction* m_delete;
    QAction* m_logs;
    QAction* m_terminal;
    QAction* m_stats;
    QAction* m_inspect;
    QAction* m_copyId;
    QAction* m_copyRun;
};

} // namespace berth::app
