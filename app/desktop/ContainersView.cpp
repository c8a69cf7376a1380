#include "ContainersView.h"

#include "ContainerModel.h"
#include "Dialogs.h"
#include "EngineService.h"
#include "PortLinkDelegate.h"
#include "RunCommand.h"

#include <algorithm>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QStyledItemDelegate>
#include <QToolButton>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

namespace berth::app {

namespace {

QToolButton* button(QAction* action, QWidget* parent)
{
    auto* b = new QToolButton(parent);
    b->setDefaultAction(action);
    b->setObjectName(action->objectName() + "Button");
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    b->setAutoRaise(true);
    return b;
}

// Every row as tall as a row with a state dot: with uniform row heights the tree takes the
// first row's height for all, and a first row without one (a Compose group) squeezed the rest.
class RowDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        auto size = QStyledItemDelegate::sizeHint(option, index);
        const auto* view = qobject_cast<const QAbstractItemView*>(parent());
        const int icon = view ? view->style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, view) : 16;
        size.setHeight(std::max({size.height(), option.fontMetrics.height() + 8, icon + 6}));
        return size;
    }
};

} // namespace

ContainersView::ContainersView(EngineService* engine, ContainerModel* model, QWidget* parent)
    : QWidget(parent), m_engine(engine), m_model(model)
{
    auto make = [this](const QString& name, const QString& text, const QKeySequence& key = {}) {
        auto* action = new QAction(text, this);
        action->setObjectName(name);
        if (!key.isEmpty()) {
            action->setShortcut(key);
            action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        }
        addAction(action);
        return action;
    };
    m_start = make("containersStart", tr("Start"));
    m_stop = make("containersStop", tr("Stop"));
    m_restart = make("containersRestart", tr("Restart"));
    m_pause = make("containersPause", tr("Pause"));
    m_unpause = make("containersUnpause", tr("Unpause"));
    m_delete = make("containersDelete", tr("Delete…"), QKeySequence::Delete);
    m_logs = make("containersLogs", tr("Logs"));
    m_terminal = make("containersTerminal", tr("Terminal"));
    m_stats = make("containersStats", tr("Stats"));
    m_inspect = make("containersInspect", tr("Inspect"));
    m_copyId = make("containersCopyId", tr("Copy ID"));
    m_copyRun = make("containersCopyRun", tr("Copy docker run command"));

    m_filter = new QLineEdit(this);
    m_filter->setObjectName("containersFilter");
    m_filter->setPlaceholderText(tr("Filter by name, image, state or port"));
    m_filter->setClearButtonEnabled(true);

    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setRecursiveFilteringEnabled(true);
    m_proxy->setAutoAcceptChildRows(true); // a project's name shows all its containers
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);

    m_tree = new QTreeView(this);
    m_tree->setObjectName("containersTree");
    m_tree->setModel(m_proxy);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->setSortingEnabled(true);
    m_tree->sortByColumn(ContainerModel::Name, Qt::AscendingOrder);
    m_tree->setUniformRowHeights(true);
    m_tree->setItemDelegate(new RowDelegate(m_tree));
    m_tree->setAlternatingRowColors(true);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->setMouseTracking(true);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(ContainerModel::Name, QHeaderView::Stretch);
    m_tree->setColumnWidth(ContainerModel::Image, 160);
    m_tree->setColumnWidth(ContainerModel::State, 130);
    m_tree->setColumnWidth(ContainerModel::Ports, 170);
    auto* links = new PortLinkDelegate(m_tree);
    m_tree->setItemDelegateForColumn(ContainerModel::Ports, links);
    connect(links, &PortLinkDelegate::linkActivated, this,
            [](const QUrl& url) { QDesktopServices::openUrl(url); });

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_filter, 1);
    for (auto* action : {m_start, m_stop, m_restart, m_pause, m_unpause, m_logs, m_terminal, m_stats, m_inspect,
                         m_delete})
        bar->addWidget(button(action, this));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_tree, 1);

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_proxy->setFilterFixedString(text);
        if (!text.isEmpty())
            m_tree->expandAll();
    });
    // Groups start expanded; a person's collapse is kept because rows are changed in place.
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex& under, int first, int last) {
                if (!under.isValid())
                    for (int row = first; row <= last; ++row)
                        m_tree->expand(m_proxy->index(row, 0));
            });
    connect(m_proxy, &QAbstractItemModel::modelReset, m_tree, &QTreeView::expandAll);
    connect(m_tree->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ContainersView::updateActions);
    connect(m_proxy, &QAbstractItemModel::dataChanged, this, &ContainersView::updateActions);
    connect(m_tree, &QTreeView::customContextMenuRequested, this, &ContainersView::showMenu);
    connect(m_tree, &QTreeView::doubleClicked, this, [this](const QModelIndex& index) {
        if (index.column() != ContainerModel::Ports &&
            !index.data(ContainerModel::IdRole).toString().isEmpty())
            m_logs->trigger();
    });
    // Enter on a container opens it, as a double click does; on a group it folds or unfolds.
    for (const auto key : {Qt::Key_Return, Qt::Key_Enter}) {
        auto* open = new QShortcut(QKeySequence(key), m_tree, nullptr, nullptr, Qt::WidgetShortcut);
        connect(open, &QShortcut::activated, this, [this] {
            const auto current = m_tree->currentIndex();
            if (!current.isValid())
                return;
            if (current.data(ContainerModel::IdRole).toString().isEmpty())
                m_tree->setExpanded(current.siblingAtColumn(0),
                                    !m_tree->isExpanded(current.siblingAtColumn(0)));
            else if (m_logs->isEnabled())
                m_logs->trigger();
        });
    }
    // Ctrl+F goes to the filter; Escape there clears it and goes back to the list.
    auto* find = new QShortcut(QKeySequence::Find, this, nullptr, nullptr, Qt::WidgetWithChildrenShortcut);
    connect(find, &QShortcut::activated, this, [this] {
        m_filter->setFocus(Qt::ShortcutFocusReason);
        m_filter->selectAll();
    });
    auto* leave = new QShortcut(QKeySequence(Qt::Key_Escape), m_filter, nullptr, nullptr, Qt::WidgetShortcut);
    connect(leave, &QShortcut::activated, this, [this] {
        m_filter->clear();
        m_tree->setFocus(Qt::ShortcutFocusReason);
    });

    auto each = [this](void (EngineService::*call)(const QString&)) {
        return [this, call] {
            for (const auto& id : selectedIds())
                (m_engine->*call)(id);
        };
    };
    connect(m_start, &QAction::triggered, this, each(&EngineService::startContainer));
    connect(m_stop, &QAction::triggered, this, each(&EngineService::stopContainer));
    connect(m_restart, &QAction::triggered, this, each(&EngineService::restartContainer));
    connect(m_pause, &QAction::triggered, this, each(&EngineService::pauseContainer));
    connect(m_unpause, &QAction::triggered, this, each(&EngineService::unpauseContainer));
    connect(m_delete, &QAction::triggered, this, &ContainersView::confirmDelete);
    // A window per selected container.
    auto open = [this](void (ContainersView::*signal)(const QString&, const QString&)) {
        return [this, signal] {
            for (const auto& id : selectedIds())
                emit(this->*signal)(id, m_model->indexOf(id, ContainerModel::Name).data().toString());
        };
    };
    connect(m_logs, &QAction::triggered, this, open(&ContainersView::logsRequested));
    connect(m_terminal, &QAction::triggered, this, open(&ContainersView::terminalRequested));
    connect(m_stats, &QAction::triggered, this, open(&ContainersView::statsRequested));
    connect(m_inspect, &QAction::triggered, this, open(&ContainersView::inspectRequested));
    connect(m_copyId, &QAction::triggered, this,
            [this] { QGuiApplication::clipboard()->setText(selectedIds().join('\n')); });
    connect(m_copyRun, &QAction::triggered, this, &ContainersView::copyRunCommand);
    updateActions();
}

QStringList ContainersView::selectedIds() const
{
    QStringList ids;
    for (const auto& row : m_tree->selectionModel()->selectedRows()) {
        for (const auto& id : m_model->containerIds(m_proxy->mapToSource(row)))
            if (!ids.contains(id))
                ids << id;
    }
    return ids;
}

bool ContainersView::reveal(const QString& id)
{
    const auto source = m_model->indexOf(id, 0);
    if (!source.isValid())
        return false;
    const auto index = m_proxy->mapFromSource(source);
    if (!index.isValid())
        return false;
    m_tree->scrollTo(index);
    m_tree->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_tree->setCurrentIndex(index);
    return true;
}

void ContainersView::updateActions()
{
    const auto ids = selectedIds();
    bool anyRunning = false, anyStopped = false, anyPaused = false, anyIdle = false;
    for (const auto& id : ids) {
        const auto row = m_model->indexOf(id, 0);
        // A container with an action on its way takes no other until it is answered.
        if (!row.data(ContainerModel::PendingRole).toString().isEmpty())
            continue;
        anyIdle = true;
        const auto state = row.data(ContainerModel::StateRole).toString();
        anyRunning |= state == "running";
        anyPaused |= state == "paused";
        anyStopped |= state == "exited" || state == "created" || state == "dead";
    }
    const bool some = !ids.isEmpty();
    m_start->setEnabled(anyStopped);
    m_stop->setEnabled(anyRunning || anyPaused);
    m_restart->setEnabled(anyIdle);
    m_pause->setEnabled(anyRunning);
    m_unpause->setEnabled(anyPaused);
    m_delete->setEnabled(anyIdle);
    m_logs->setEnabled(some && ids.size() <= 4);
    m_terminal->setEnabled(anyRunning && ids.size() <= 4);
    m_stats->setEnabled(anyRunning && ids.size() <= 4);
    m_inspect->setEnabled(some && ids.size() <= 4);
    m_copyId->setEnabled(some);
    m_copyRun->setEnabled(ids.size() == 1);
}

void ContainersView::confirmDelete()
{
    const auto ids = selectedIds();
    if (ids.isEmpty())
        return;
    QStringList names;
    bool anyRunning = false;
    for (const auto& id : ids) {
        const auto index = m_model->indexOf(id, ContainerModel::Name);
        names << index.data().toString();
        const auto state = index.data(ContainerModel::StateRole).toString();
        anyRunning |= state == "running" || state == "paused" || state == "restarting";
    }
    auto* box = openConfirmation(this, QMessageBox::Warning, "confirmDelete", tr("Delete containers"),
                                 ids.size() == 1 ? tr("Delete the container %1?").arg(names.front())
                                                 : tr("Delete %1 containers?").arg(ids.size()),
                                 tr("Delete"), [this, ids, anyRunning](QMessageBox*) {
                                     for (const auto& id : ids)
                                         m_engine->removeContainer(id, anyRunning);
                                 });
    box->setInformativeText(anyRunning
                                ? tr("Running containers are stopped first. Their data that is not in a "
                                     "volume is lost.")
                                : tr("Their data that is not in a volume is lost."));
    box->setDetailedText(names.join('\n'));
}

void ContainersView::copyRunCommand()
{
    const auto ids = selectedIds();
    if (ids.size() != 1)
        return;
    m_engine->request<engine::Container>(
        this,
        [id = ids.front().toStdString()](engine::Client& client, engine::Callback<engine::Container> done) {
            return client.inspectContainer(id, std::move(done));
        },
        [this](engine::Result<engine::Container> inspected) {
            if (!inspected) {
                emit m_engine->operationFailed(tr("Copy docker run command"),
                                               QString::fromStdString(inspected.error().message));
                return;
            }
            QGuiApplication::clipboard()->setText(dockerRunCommand(*inspected));
        });
}

void ContainersView::showMenu(const QPoint& position)
{
    if (!m_tree->indexAt(position).isValid())
        return;
    QMenu menu(this);
    menu.addActions({m_start, m_stop, m_restart, m_pause, m_unpause});
    menu.addSeparator();
    menu.addActions({m_logs, m_terminal, m_stats, m_inspect});
    menu.addSeparator();
    menu.addActions({m_copyId, m_copyRun});
    menu.addSeparator();
    menu.addAction(m_delete);
    menu.exec(m_tree->viewport()->mapToGlobal(position));
}

} // namespace berth::app
