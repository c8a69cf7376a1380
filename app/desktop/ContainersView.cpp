#include "ContainersView.h"

#include "ContainerModel.h"
#include "Dialogs.h"
#include "EngineService.h"
#include "Format.h"
#include "PortLinkDelegate.h"
#include "RunCommand.h"
#include "Theme.h"

#include <algorithm>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QPainter>
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
    // An icon in a frame, a button that reads as one, with its word in the tooltip (and in the
    // row's context menu): ten words beside their icons would keep the window over 1,200 px wide.
    b->setToolButtonStyle(Qt::ToolButtonIconOnly);
    b->setAutoRaise(false);
    b->setToolTip(
        action->shortcut().isEmpty()
            ? action->text()
            : QString("%1 (%2)").arg(action->text(), action->shortcut().toString(QKeySequence::NativeText)));
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

// The State column as a pill: the state's colour behind the words ("Exited (137) · 2 min ago"),
// so that a running, a stopped and a failing container tell apart at a glance.
class StatePillDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        const auto colour = index.data(Qt::DecorationRole).value<QColor>();
        if (!colour.isValid() || index.data(ContainerModel::IdRole).toString().isEmpty()) {
            QStyledItemDelegate::paint(painter, option, index);
            return;
        }
        QStyleOptionViewItem plain = option;
        initStyleOption(&plain, index);
        plain.text.clear();
        plain.icon = {};
        plain.features &= ~QStyleOptionViewItem::HasDecoration;
        option.widget->style()->drawControl(QStyle::CE_ItemViewItem, &plain, painter, option.widget);

        const auto text = index.data().toString();
        const auto metrics = option.fontMetrics;
        const int height = metrics.height() + 4;
        const int width = std::min(option.rect.width() - 8, metrics.horizontalAdvance(text) + 26);
        const QRect pill(option.rect.left() + 4, option.rect.center().y() - height / 2, width, height);
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        auto fill = colour;
        fill.setAlpha(48);
        painter->setPen(Qt::NoPen);
        painter->setBrush(fill);
        painter->drawRoundedRect(pill, height / 2.0, height / 2.0);
        painter->setBrush(colour);
        painter->drawEllipse(QPointF(pill.left() + 10, pill.center().y() + 0.5), 3.5, 3.5);
        painter->setPen(option.palette.color(option.state & QStyle::State_Selected ? QPalette::HighlightedText
                                                                                   : QPalette::Text));
        painter->drawText(pill.adjusted(18, 0, -6, 0), Qt::AlignLeft | Qt::AlignVCenter,
                          metrics.elidedText(text, Qt::ElideRight, pill.width() - 24));
        painter->restore();
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
    updateIcons();

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
    // Columns: the short ones as wide as their longest usual text, so that nothing is clipped;
    // Name, Image and Ports share the rest equally and give way first when the window narrows,
    // so State, CPU, Memory and Created stay in sight at 900 px.
    auto* header = m_tree->header();
    header->setStretchLastSection(false);
    header->setMinimumSectionSize(48);
    for (int column : {int(ContainerModel::Name), int(ContainerModel::Image), int(ContainerModel::Ports)})
        header->setSectionResizeMode(column, QHeaderView::Stretch);
    const auto fits = [this](const QString& sample) {
        return m_tree->fontMetrics().horizontalAdvance(sample) + 28;
    };
    m_tree->setColumnWidth(ContainerModel::State,
                           fits(QString::fromUtf8("Exited (137) \u00b7 59 min ago")) + 16);
    m_tree->setColumnWidth(ContainerModel::Cpu, fits("100.0 %"));
    m_tree->setColumnWidth(ContainerModel::Memory, fits("1023.9 MiB"));
    m_tree->setColumnWidth(ContainerModel::Created, fits("11 months ago"));
    m_tree->setItemDelegateForColumn(ContainerModel::State, new StatePillDelegate(m_tree));
    auto* links = new PortLinkDelegate(m_tree);
    m_tree->setItemDelegateForColumn(ContainerModel::Ports, links);
    connect(links, &PortLinkDelegate::linkActivated, this, [this](const QUrl& url) {
        if (QDesktopServices::openUrl(url))
            return;
        // No browser could be started (no xdg-open, say): the address goes to the clipboard.
        QGuiApplication::clipboard()->setText(url.toString());
        openMessage(this, QMessageBox::Information, "portLinkNotOpened", tr("Open in browser"),
                    tr("No web browser could be started to open %1. The address is copied: paste it into "
                       "a browser.")
                        .arg(url.toString()));
    });

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_filter, 1);
    for (auto* action : {m_start, m_stop, m_restart, m_pause, m_unpause, m_logs, m_terminal, m_stats, m_inspect,
                         m_delete})
        bar->addWidget(button(action, this));
    findChild<QToolButton*>("containersDeleteButton")->setProperty("destructive", true);
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
    // A double click on a container opens it in the detail view (not on a port link, which opens
    // the port).
    auto openRow = [this](const QModelIndex& index) {
        const auto id = index.data(ContainerModel::IdRole).toString();
        if (!id.isEmpty())
            emit openRequested(id, m_model->indexOf(id, ContainerModel::Name).data().toString());
    };
    connect(m_tree, &QTreeView::doubleClicked, this, [openRow](const QModelIndex& index) {
        if (index.column() != ContainerModel::Ports)
            openRow(index);
    });
    // Enter on a container opens it, as a double click does; on a group it folds or unfolds.
    for (const auto key : {Qt::Key_Return, Qt::Key_Enter}) {
        auto* enter = new QShortcut(QKeySequence(key), m_tree, nullptr, nullptr, Qt::WidgetShortcut);
        connect(enter, &QShortcut::activated, this, [this, openRow] {
            const auto current = m_tree->currentIndex();
            if (!current.isValid())
                return;
            if (current.data(ContainerModel::IdRole).toString().isEmpty())
                m_tree->setExpanded(current.siblingAtColumn(0),
                                    !m_tree->isExpanded(current.siblingAtColumn(0)));
            else
                openRow(current);
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
    // Logs: a window per container, or one per Compose project selected as a whole.
    connect(m_logs, &QAction::triggered, this, [this] {
        QStringList inProjects;
        for (const auto& row : selectedProjectRows()) {
            const auto ids = m_model->containerIds(m_proxy->mapToSource(row));
            QStringList names;
            for (const auto& id : ids)
                names << m_model->indexOf(id, ContainerModel::Name).data().toString();
            inProjects << ids;
            emit projectLogsRequested(row.data(ContainerModel::ProjectRole).toString(), ids, names);
        }
        for (const auto& id : selectedIds())
            if (!inProjects.contains(id))
                emit logsRequested(id, m_model->indexOf(id, ContainerModel::Name).data().toString());
    });
    connect(m_terminal, &QAction::triggered, this, open(&ContainersView::terminalRequested));
    connect(m_stats, &QAction::triggered, this, open(&ContainersView::statsRequested));
    connect(m_inspect, &QAction::triggered, this, open(&ContainersView::inspectRequested));
    connect(m_copyId, &QAction::triggered, this,
            [this] { QGuiApplication::clipboard()->setText(selectedIds().join('\n')); });
    connect(m_copyRun, &QAction::triggered, this, &ContainersView::copyRunCommand);
    updateActions();
}

void ContainersView::updateIcons()
{
    const std::pair<QAction*, const char*> icons[] = {
        {m_start, "start"},   {m_stop, "stop"},      {m_restart, "restart"}, {m_pause, "pause"},
        {m_unpause, "start"}, {m_delete, "delete"},  {m_logs, "logs"},       {m_terminal, "terminal"},
        {m_stats, "stats"},   {m_inspect, "inspect"}};
    for (const auto& [action, name] : icons)
        action->setIcon(themedIcon(name));
}

void ContainersView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange)
        updateIcons();
    QWidget::changeEvent(event);
}

QModelIndexList ContainersView::selectedProjectRows() const
{
    QModelIndexList rows;
    for (const auto& row : m_tree->selectionModel()->selectedRows())
        if (row.data(ContainerModel::IdRole).toString().isEmpty()) // a group row has no ID
            rows << row;
    return rows;
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
    // A Compose project selected as a whole: a terminal or a chart belongs to one container.
    const auto projects = selectedProjectRows();
    const bool groupSelected = !projects.isEmpty();
    m_start->setEnabled(anyStopped);
    m_stop->setEnabled(anyRunning || anyPaused);
    m_restart->setEnabled(anyIdle);
    m_pause->setEnabled(anyRunning);
    m_unpause->setEnabled(anyPaused);
    m_delete->setEnabled(anyIdle);
    // At most four windows at once: a project selected as a whole is one.
    int windows = static_cast<int>(projects.size());
    QStringList inGroups;
    for (const auto& row : projects)
        inGroups << m_model->containerIds(m_proxy->mapToSource(row));
    for (const auto& id : ids)
        windows += inGroups.contains(id) ? 0 : 1;
    m_logs->setEnabled(some && windows <= 4);
    m_terminal->setEnabled(anyRunning && ids.size() <= 4 && !groupSelected);
    m_stats->setEnabled(anyRunning && ids.size() <= 4 && !groupSelected);
    m_inspect->setEnabled(some && ids.size() <= 4);
    m_copyId->setEnabled(some);
    m_copyRun->setEnabled(ids.size() == 1);
}

void ContainersView::confirmDelete()
{
    const auto ids = selectedIds();
    if (ids.isEmpty())
        return;
    QStringList names, projects;
    bool anyRunning = false;
    for (const auto& id : ids) {
        const auto index = m_model->indexOf(id, ContainerModel::Name);
        names << index.data().toString();
        const auto state = index.data(ContainerModel::StateRole).toString();
        anyRunning |= state == "running" || state == "paused" || state == "restarting";
    }
    // Whole Compose projects selected: the question names them and their containers.
    for (const auto& row : selectedProjectRows())
        projects << row.data(ContainerModel::ProjectRole).toString();
    QString question;
    if (projects.size() == 1)
        question = tr("Delete the Compose project %1: %2?")
                       .arg(projects.front(), countText(ids.size(), tr("container"), tr("containers")));
    else if (!projects.isEmpty())
        question = tr("Delete the Compose projects %1: %2?")
                       .arg(projects.join(", "), countText(ids.size(), tr("container"), tr("containers")));
    else
        question = ids.size() == 1 ? tr("Delete the container %1?").arg(names.front())
                                   : tr("Delete %1 containers?").arg(ids.size());
    constexpr int kNamed = 8;
    const auto named = names.mid(0, kNamed).join(", ") +
                       (names.size() > kNamed ? tr(" and %1 more").arg(names.size() - kNamed) : QString());
    auto* box = openConfirmation(this, QMessageBox::Warning, "confirmDelete", tr("Delete containers"),
                                 question, tr("Delete"), [this, ids, anyRunning](QMessageBox*) {
                                     for (const auto& id : ids)
                                         m_engine->removeContainer(id, anyRunning);
                                 });
    auto consequence = anyRunning ? tr("Running containers are stopped first. Their data that is not in a "
                                       "volume is lost.")
                                  : tr("Their data that is not in a volume is lost.");
    box->setInformativeText(ids.size() > 1 || !projects.isEmpty() ? named + "\n\n" + consequence
                                                                  : consequence);
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
