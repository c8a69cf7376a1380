#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace berth::app {

// A table of engine objects keyed by a string (an image ID, a volume name, a network ID),
// replaced list by list but changed row by row: rows that left are removed, rows that came are
// appended, rows still there are updated in place, so a view keeps its selection and scroll
// position. Subclasses say what a row shows; `usage` holds the container names that use each
// key, which the engine's list answers do not carry.
template <typename T> class ListTableModel : public QAbstractTableModel
{
public:
    // `headers`: the columns' titles, which also give their number.
    ListTableModel(QStringList headers, QObject* parent)
        : QAbstractTableModel(parent), m_headers(std::move(headers))
    {}

    void setItems(const QList<T>& items)
    {
        QHash<QString, int> incoming;
        for (int i = 0; i < items.size(); ++i)
            incoming.insert(keyOf(items[i]), i);
        for (int row = static_cast<int>(m_rows.size()) - 1; row >= 0; --row)
            if (!incoming.contains(keyOf(m_rows[row]))) {
                beginRemoveRows({}, row, row);
                m_rows.removeAt(row);
                endRemoveRows();
            }
        QHash<QString, int> present;
        for (int row = 0; row < m_rows.size(); ++row)
            present.insert(keyOf(m_rows[row]), row);
        QList<T> added;
        for (const auto& item : items) {
            const auto it = present.constFind(keyOf(item));
            if (it == present.constEnd()) {
                added.push_back(item);
                continue;
            }
            m_rows[*it] = item;
        }
        if (!m_rows.isEmpty())
            emit this->dataChanged(this->index(0, 0),
                                   this->index(static_cast<int>(m_rows.size()) - 1, this->columnCount() - 1));
        if (!added.isEmpty()) {
            const int first = static_cast<int>(m_rows.size());
            beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
            m_rows.append(added);
            endInsertRows();
        }
    }

    void clear()
    {
        if (m_rows.isEmpty())
            return;
        beginResetModel();
        m_rows.clear();
        endResetModel();
    }

    // Container names by key, for the "used by" column.
    void setUsage(const QHash<QString, QStringList>& usage)
    {
        if (usage == m_usage)
            return;
        m_usage = usage;
        if (!m_rows.isEmpty())
            emit this->dataChanged(this->index(0, 0),
                                   this->index(static_cast<int>(m_rows.size()) - 1, this->columnCount() - 1));
    }

    const T* item(int row) const { return row >= 0 && row < m_rows.size() ? &m_rows[row] : nullptr; }
    int rowOf(const QString& key) const
    {
        for (int row = 0; row < m_rows.size(); ++row)
            if (keyOf(m_rows[row]) == key)
                return row;
        return -1;
    }
    QStringList usedBy(const QString& key) const { return m_usage.value(key); }

    int rowCount(const QModelIndex& parent = {}) const override
    {
        return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
    }

    int columnCount(const QModelIndex& parent = {}) const override
    {
        return parent.isValid() ? 0 : static_cast<int>(m_headers.size());
    }

    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override
    {
        if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 ||
            section >= m_headers.size())
            return {};
        return m_headers[section];
    }

    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override
    {
        if (!this->checkIndex(index, QAbstractItemModel::CheckIndexOption::IndexIsValid))
            return {};
        return cell(m_rows[index.row()], index.column(), role);
    }

protected:
    virtual QString keyOf(const T& item) const = 0;
    virtual QVariant cell(const T& item, int column, int role) const = 0;

private:
    QStringList m_headers;
    QList<T> m_rows;
    QHash<QString, QStringList> m_usage;
};

} // namespace berth::app
