#pragma once

#include "berth/engine/Container.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QVector>

namespace berth::app {

// Containers as a tree: a Compose project is a group row with its containers under it; a
// container outside any project is a top-level row. Keyed by container ID and changed one row
// at a time (insert, update, remove), so that views keep their selection and scroll position.
class ContainerModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column
    {
        Name,
        Image,
        State,
        Ports,
        Cpu,
        Memory,
        Created,
        ColumnCount
    };
    enum Role
    {
        IdRole = Qt::UserRole + 1, // the container's ID; empty on a group row
        ProjectRole,               // the Compose project of a group row or a container in one
        StateRole,                 // the engine's state word ("running", "exited", …)
        PortLinksRole,             // QStringList of http://localhost:PORT for published TCP ports
        ExitCodeRole,              // an exited container's code (-1 while not yet known); else null
        PendingRole,               // an action on its way ("Stopping…"); empty when none
    };

    explicit ContainerModel(QObject* parent = nullptr);

    void reset(const QList<engine::Container>& containers);
    // Inserts the container or updates its row; moves it when its project changed.
    void upsert(const engine::Container& container);
    void remove(const QString& id);
    void clear();
    // The state an event implies, shown before the container's next list entry arrives.
    void setState(const QString& id, const QString& state);
    // An action asked for and not yet answered: State shows `text` ("Stopping…") meanwhile, and
    // the container's actions wait. Cleared by clearPending, or when the container goes.
    void setPending(const QString& id, const QString& text);
    void clearPending(const QString& id);
    // The latest stats sample of a running container.
    void setStats(const QString& id, double cpuPercent, quint64 memoryUsage, quint64 memoryLimit);
    // All container IDs of a row: the container's own, or a group's children.
    QStringList containerIds(const QModelIndex& index) const;

    const engine::Container* container(const QModelIndex& index) const;
    QModelIndex indexOf(const QString& id, int column = 0) const;
    int containerCount() const { return static_cast<int>(m_containers.size()); }
    const QHash<QString, engine::Container>& containers() const { return m_containers; }

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    // A top-level row: a project group (with a stable key for its children's indexes) or a
    // container on its own.
    struct TopRow
    {
        QString project; // non-empty: a group
        QString id;      // a container without a project
        quintptr key = 0;
        QVector<QString> children; // container IDs, for a group
    };

    int topRowOfProject(const QString& project) const;
    int topRowOfContainer(const QString& id) const;
    int topRowOfKey(quintptr key) const;
    QVariant containerData(const engine::Container& c, int column, int role) const;
    QVariant groupData(const TopRow& group, int column, int role) const;
    // Records when an exited container stopped, from its list entry.
    void noteExit(const engine::Container& c);
    void clockTicked();

    struct Figures
    {
        double cpuPercent = 0;
        quint64 memoryUsage = 0;
        quint64 memoryLimit = 0;
    };

    void rowChanged(const QString& id, int firstColumn, int lastColumn);

    QVector<TopRow> m_top;
    QHash<QString, engine::Container> m_containers;
    QHash<QString, Figures> m_figures;
    QHash<QString, qint64> m_exitedAt; // seconds since the epoch, by container ID
    QHash<QString, QString> m_pending; // by container ID
    QTimer m_clock;
    quintptr m_nextKey = 1;
};

} // namespace berth::app
