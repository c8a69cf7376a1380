#pragma once

#include <QAbstractItemModel>
#include <QString>

#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::app {

// An engine object's inspect JSON as a read-only tree (Key, Value), for the Inspect view:
// objects and arrays are branches (their value column says "{3 keys}" / "[2 items]"), scalars
// are leaves. Each node knows its path in jq's syntax (.Config.Labels["com.example.x"],
// .Mounts[0].Source) for "copy path", and its value as text for "copy value" (strings without
// quotes; a branch as compact JSON). Built once from a document; setDocument() replaces it.
class JsonTreeModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column
    {
        Key,
        Value,
        ColumnCount
    };
    enum Role
    {
        PathRole = Qt::UserRole + 1, // QString: the node's jq path
        CopyValueRole,               // QString: the value as "copy value" gives it
        IsBranchRole,                // bool
    };

    explicit JsonTreeModel(QObject* parent = nullptr);
    ~JsonTreeModel() override;
    JsonTreeModel(const JsonTreeModel&) = delete;
    JsonTreeModel& operator=(const JsonTreeModel&) = delete;

    void setDocument(nlohmann::json document);

    // Every node whose key or scalar value contains `text` (case-insensitive), in document
    // order (depth first). Empty text matches nothing.
    QModelIndexList find(const QString& text) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Node;
    nlohmann::json m_document;
    std::unique_ptr<Node> m_root;
};

} // namespace berth::app
