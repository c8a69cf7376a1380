#include "ContainerModel.h"

#include "Format.h"

#include <QColor>
#include <QDateTime>
#include <QStringList>

namespace berth::app {

namespace {

QString text(const std::string& s)
{
    return QString::fromStdString(s);
}

QString portsText(const engine::Container& c)
{
    QStringList ports;
    for (const auto& p : c.ports)
        if (p.publicPort != 0) {
            const auto host = p.ip.empty() || p.ip == "0.0.0.0" ? QString("localhost") : text(p.ip);
            const auto entry =
                QString("%1:%2→%3/%4").arg(host).arg(p.publicPort).arg(p.privatePort).arg(text(p.type));
            if (!ports.contains(entry) && p.ip != "::")
                ports << entry;
        }
    return ports.join(", ");
}

QStringList portLinks(const engine::Container& c)
{
    QStringList links;
    for (const auto& p : c.ports)
        if (p.publicPort != 0 && p.type == "tcp") {
            const auto link = QString("http://localhost:%1").arg(p.publicPort);
            if (!links.contains(link))
                links << link;
        }
    return links;
}

// Amber: starting, paused, restarting, or an action on its way.
const QColor kBusyColour(0xd9, 0x96, 0x1a);

QColor stateColor(const std::string& state, const std::string& health)
{
    if (health == "unhealthy" || state == "dead")
        return QColor(0xd0, 0x46, 0x3b);
    if (state == "running")
        return QColor(0x2e, 0xa0, 0x43);
    if (state == "paused" || state == "restarting" || health == "starting")
        return kBusyColour;
    return QColor(0x8a, 0x8f, 0x98);
}

QString stateWord(const std::string& state)
{
    auto word = text(state);
    if (!word.isEmpty())
        word[0] = word[0].toUpper();
    return word;
}

} // namespace

ContainerModel::ContainerModel(QObject* parent) : QAbstractItemModel(parent)
{
    // "2 min ago" in State and Created moves on with the clock, not only with the engine.
    m_clock.setInterval(30'000);
    connect(&m_clock, &QTimer::timeout, this, &ContainerModel::clockTicked);
    m_clock.start();
}

void ContainerModel::clockTicked()
{
    if (m_top.isEmpty())
        return;
    emit dataChanged(index(0, State), index(static_cast<int>(m_top.size()) - 1, Created));
    for (int row = 0; row < m_top.size(); ++row)
        if (!m_top[row].children.isEmpty()) {
            const auto group = index(row, 0);
            emit dataChanged(index(0, State, group),
                             index(static_cast<int>(m_top[row].children.size()) - 1, Created, group));
        }
}

void ContainerModel::noteExit(const engine::Container& c)
{
    const auto id = text(c.id);
    if (c.state != "exited")
        m_exitedAt.remove(id);
    else if (c.exitedSecondsAgo >= 0)
        m_exitedAt.insert(id, QDateTime::currentSecsSinceEpoch() - c.exitedSecondsAgo);
}

int ContainerModel::topRowOfProject(const QString& project) const
{
    for (int i = 0; i < m_top.size(); ++i)
        if (m_top[i].project == project)
            return i;
    return -1;
}

int ContainerModel::topRowOfContainer(const QString& id) const
{
    for (int i = 0; i < m_top.size(); ++i)
        if (m_top[i].project.isEmpty() && m_top[i].id == id)
            return i;
    return -1;
}

int ContainerModel::topRowOfKey(quintptr key) const
{
    for (int i = 0; i < m_top.size(); ++i)
        if (m_top[i].key == key)
            return i;
    return -1;
}

void ContainerModel::reset(const QList<engine::Container>& containers)
{
    beginResetModel();
    m_top.clear();
    m_containers.clear();
    m_figures.clear();
    m_exitedAt.clear();
    m_pending.clear();
    for (const auto& c : containers) {
        const auto id = text(c.id);
        const auto project = text(c.composeProject());
        m_containers.insert(id, c);
        noteExit(c);
        if (project.isEmpty()) {
            m_top.push_back({{}, id, m_nextKey++, {}});
            continue;
        }
        auto row = topRowOfProject(project);
        if (row < 0) {
            m_top.push_back({project, {}, m_nextKey++, {}});
            row = static_cast<int>(m_top.size()) - 1;
        }
        m_top[row].children.push_back(id);
    }
    endResetModel();
}

void ContainerModel::clear()
{
    reset({});
}

void ContainerModel::upsert(const engine::Container& container)
{
    const auto id = text(container.id);
    const auto project = text(container.composeProject());
    const auto existing = m_containers.find(id);
    if (!container.running())
        m_figures.remove(id);
    if (existing != m_containers.end() && text(existing->composeProject()) == project) {
        *existing = container;
        noteExit(container);
        const auto first = indexOf(id, 0);
        emit dataChanged(first, first.siblingAtColumn(ColumnCount - 1));
        if (!project.isEmpty()) {
            const auto group = index(topRowOfProject(project), 0);
            emit dataChanged(group, group.siblingAtColumn(ColumnCount - 1));
        }
        return;
    }
    if (existing != m_containers.end())
        remove(id);
    m_containers.insert(id, container);
    noteExit(container);
    if (project.isEmpty()) {
        const int row = static_cast<int>(m_top.size());
        beginInsertRows({}, row, row);
        m_top.push_back({{}, id, m_nextKey++, {}});
        endInsertRows();
        return;
    }
    auto groupRow = topRowOfProject(project);
    if (groupRow < 0) {
        groupRow = static_cast<int>(m_top.size());
        beginInsertRows({}, groupRow, groupRow);
        m_top.push_back({project, {}, m_nextKey++, {}});
        endInsertRows();
    }
    const auto parentIndex = index(groupRow, 0);
    const int row = static_cast<int>(m_top[groupRow].children.size());
    beginInsertRows(parentIndex, row, row);
    m_top[groupRow].children.push_back(id);
    endInsertRows();
    emit dataChanged(parentIndex, parentIndex.siblingAtColumn(ColumnCount - 1));
}

void ContainerModel::remove(const QString& id)
{
    const auto it = m_containers.find(id);
    if (it == m_containers.end())
        return;
    const auto project = text(it->composeProject());
    m_exitedAt.remove(id);
    m_pending.remove(id);
    if (project.isEmpty()) {
        const int row = topRowOfContainer(id);
        beginRemoveRows({}, row, row);
        m_top.removeAt(row);
        m_containers.erase(it);
        m_figures.remove(id);
        endRemoveRows();
        return;
    }
    m_figures.remove(id);
    const int groupRow = topRowOfProject(project);
    auto& children = m_top[groupRow].children;
    if (children.size() == 1) {
        beginRemoveRows({}, groupRow, groupRow); // the last container of its project: the group goes
        m_top.removeAt(groupRow);
        m_containers.erase(it);
        endRemoveRows();
        return;
    }
    const int row = static_cast<int>(children.indexOf(id));
    const auto parentIndex = index(groupRow, 0);
    beginRemoveRows(parentIndex, row, row);
    children.removeAt(row);
    m_containers.erase(it);
    endRemoveRows();
    emit dataChanged(parentIndex, parentIndex.siblingAtColumn(ColumnCount - 1));
}

void ContainerModel::rowChanged(const QString& id, int firstColumn, int lastColumn)
{
    const auto first = indexOf(id, firstColumn);
    if (!first.isValid())
        return;
    emit dataChanged(first, first.siblingAtColumn(lastColumn));
    if (first.parent().isValid()) {
        const auto group = first.parent();
        emit dataChanged(group, group.siblingAtColumn(ColumnCount - 1));
    }
}

void ContainerModel::setState(const QString& id, const QString& state)
{
    const auto it = m_containers.find(id);
    if (it == m_containers.end() || text(it->state) == state)
        return;
    if (state == "exited") {
        // Just now; the code comes with the container's next list entry.
        it->exitCode = -1;
        m_exitedAt.insert(id, QDateTime::currentSecsSinceEpoch());
    }
    it->state = state.toStdString();
    if (!it->running())
        m_figures.remove(id);
    rowChanged(id, State, Memory);
}

void ContainerModel::setPending(const QString& id, const QString& text)
{
    if (!m_containers.contains(id) || m_pending.value(id) == text)
        return;
    m_pending.insert(id, text);
    rowChanged(id, State, State);
}

void ContainerModel::clearPending(const QString& id)
{
    if (m_pending.remove(id) > 0)
        rowChanged(id, State, State);
}

void ContainerModel::setStats(const QString& id, double cpuPercent, quint64 memoryUsage, quint64 memoryLimit)
{
    const auto it = m_containers.find(id);
    if (it == m_containers.end() || !it->running())
        return;
    m_figures.insert(id, {cpuPercent, memoryUsage, memoryLimit});
    rowChanged(id, Cpu, Memory);
}

QStringList ContainerModel::containerIds(const QModelIndex& index) const
{
    if (!index.isValid())
        return {};
    if (index.internalId() == 0 && !m_top[index.row()].project.isEmpty())
        return QStringList(m_top[index.row()].children.begin(), m_top[index.row()].children.end());
    const auto* c = container(index);
    return c ? QStringList{text(c->id)} : QStringList{};
}

const engine::Container* ContainerModel::container(const QModelIndex& index) const
{
    if (!index.isValid())
        return nullptr;
    QString id;
    if (index.internalId() == 0) {
        const auto& top = m_top[index.row()];
        if (!top.project.isEmpty())
            return nullptr;
        id = top.id;
    } else {
        const int groupRow = topRowOfKey(index.internalId());
        id = m_top[groupRow].children[index.row()];
    }
    const auto it = m_containers.find(id);
    return it == m_containers.end() ? nullptr : &*it;
}

QModelIndex ContainerModel::indexOf(const QString& id, int column) const
{
    const auto it = m_containers.find(id);
    if (it == m_containers.end())
        return {};
    const auto project = text(it->composeProject());
    if (project.isEmpty())
        return index(topRowOfContainer(id), column);
    const int groupRow = topRowOfProject(project);
    return index(static_cast<int>(m_top[groupRow].children.indexOf(id)), column, index(groupRow, 0));
}

QModelIndex ContainerModel::index(int row, int column, const QModelIndex& parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0)
        return {};
    if (!parent.isValid())
        return row < m_top.size() ? createIndex(row, column, quintptr(0)) : QModelIndex();
    if (parent.internalId() != 0 || parent.column() != 0)
        return {};
    const auto& group = m_top[parent.row()];
    if (group.project.isEmpty() || row >= group.children.size())
        return {};
    return createIndex(row, column, group.key);
}

QModelIndex ContainerModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    const int groupRow = topRowOfKey(child.internalId());
    return groupRow < 0 ? QModelIndex() : createIndex(groupRow, 0, quintptr(0));
}

int ContainerModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return static_cast<int>(m_top.size());
    if (parent.internalId() != 0 || parent.column() != 0)
        return 0;
    return static_cast<int>(m_top[parent.row()].children.size());
}

int ContainerModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

QVariant ContainerModel::groupData(const TopRow& group, int column, int role) const
{
    if (role == ProjectRole)
        return group.project;
    if (role == IdRole)
        return QString();
    if (role == StateRole)
        return QString();
    // Aligned as its containers' figures are, so the sums line up under them.
    if (role == Qt::TextAlignmentRole && (column == Cpu || column == Memory))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    int running = 0;
    double cpu = 0;
    quint64 memory = 0;
    for (const auto& id : group.children) {
        const auto it = m_containers.constFind(id);
        if (it != m_containers.constEnd() && it->running())
            ++running;
        const auto f = m_figures.constFind(id);
        if (f != m_figures.constEnd()) {
            cpu += f->cpuPercent;
            memory += f->memoryUsage;
        }
    }
    switch (column) {
    case Name:
        return group.project;
    case State:
        return tr("%1 of %2 running").arg(running).arg(group.children.size());
    case Cpu:
        return running ? QString::number(cpu, 'f', 1) + " %" : QString();
    case Memory:
        return memory ? bytesText(memory) : QString();
    default:
        return {};
    }
}

QVariant ContainerModel::containerData(const engine::Container& c, int column, int role) const
{
    if (role == IdRole)
        return text(c.id);
    if (role == ProjectRole)
        return text(c.composeProject());
    if (role == StateRole)
        return text(c.state);
    if (role == PortLinksRole)
        return portLinks(c);
    if (role == Qt::ToolTipRole && column == State)
        return text(c.status);
    if (role == Qt::ToolTipRole && column == Created)
        return timeText(c.created);
    if (role == ExitCodeRole)
        return c.state == "exited" ? QVariant(c.exitCode) : QVariant();
    const auto pending = m_pending.constFind(text(c.id));
    if (role == PendingRole)
        return pending != m_pending.constEnd() ? *pending : QString();
    if (pending != m_pending.constEnd() && column == State && role == Qt::DecorationRole)
        return kBusyColour;
    if (pending != m_pending.constEnd() && column == State && role == Qt::DisplayRole)
        return *pending;
    if (role == Qt::DecorationRole && column == State)
        return stateColor(c.state, c.health);
    if (role == Qt::TextAlignmentRole && (column == Cpu || column == Memory))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    const auto figures = m_figures.constFind(text(c.id));
    const bool haveFigures = figures != m_figures.constEnd();
    switch (column) {
    case Name:
        return text(c.name);
    case Image:
        return text(c.image);
    case State: {
        // "Running (healthy)", "Exited (137) · 2 min ago", "Paused".
        if (c.state == "exited") {
            auto word = c.exitCode >= 0 ? tr("Exited (%1)").arg(c.exitCode) : tr("Exited");
            if (const auto at = m_exitedAt.constFind(text(c.id)); at != m_exitedAt.constEnd())
                word += QString::fromUtf8(" \u00b7 ") + agoText(*at);
            return word;
        }
        return c.health.empty() ? stateWord(c.state)
                                : QString("%1 (%2)").arg(stateWord(c.state), text(c.health));
    }
    case Ports:
        return portsText(c);
    case Cpu:
        return haveFigures ? QString::number(figures->cpuPercent, 'f', 1) + " %" : QString();
    case Memory:
        return haveFigures ? bytesText(figures->memoryUsage) : QString();
    case Created:
        return agoText(c.created);
    default:
        return {};
    }
}

QVariant ContainerModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == 0 && !m_top[index.row()].project.isEmpty())
        return groupData(m_top[index.row()], index.column(), role);
    const auto* c = container(index);
    return c ? containerData(*c, index.column(), role) : QVariant();
}

QVariant ContainerModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Name");
    case Image:
        return tr("Image");
    case State:
        return tr("State");
    case Ports:
        return tr("Ports");
    case Cpu:
        return tr("CPU");
    case Memory:
        return tr("Memory");
    case Created:
        return tr("Created");
    default:
        return {};
    }
}

} // namespace berth::app
