#include "MainWindow.h"

#include "AboutDialog.h"
#include "AgentService.h"
#include "ComposeView.h"
#include "ContainerDetailView.h"
#include "ContainerModel.h"
#include "ContainersView.h"
#include "DesktopPrefs.h"
#include "Dialogs.h"
#include "EngineGate.h"
#include "EngineService.h"
#include "FilesView.h"
#include "ImagesView.h"
#include "InspectView.h"
#include "LogsView.h"
#include "NetworksView.h"
#include "ResourceModels.h"
#include "SettingsPage.h"
#include "StatsView.h"
#include "StatusPanel.h"
#include "TerminalView.h"
#include "Theme.h"
#include "TroubleshootPage.h"
#include "VolumesView.h"

#include <QCloseEvent>
#include <QHBoxLayout>
#include <QListWidget>
#include <QMenuBar>
#include <QPainter>
#include <QShortcut>
#include <QStackedWidget>
#include <QStyledItemDelegate>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace berth::app {

namespace {

constexpr int kCountRole = Qt::UserRole + 1;

// A sidebar entry: its icon and title, and the number of objects on that page right-aligned.
class SidebarDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::paint(painter, option, index);
        const auto count = index.data(kCountRole);
        if (!count.isValid())
            return;
        painter->save();
        // On the tinted selection (Theme.cpp) the count reads in the text's colour.
        const bool selected = option.state & QStyle::State_Selected;
        painter->setPen(option.palette.color(selected ? QPalette::Text : QPalette::PlaceholderText));
        painter->drawText(option.rect.adjusted(0, 0, -10, 0), Qt::AlignRight | Qt::AlignVCenter,
                          QString::number(count.toInt()));
        painter->restore();
    }
};

// A secondary window closes as any does: Ctrl+W (Cmd+W), and Escape. A terminal keeps both for
// the program in it (Escape for vi, Ctrl+W to delete a word) and closes with Ctrl+Shift+W.
void closeOnKeys(QWidget* window, bool terminal)
{
    auto add = [window](const QKeySequence& keys) {
        auto* shortcut = new QShortcut(keys, window);
        shortcut->setContext(Qt::WindowShortcut);
        shortcut->setObjectName("closeWindowShortcut");
        QObject::connect(shortcut, &QShortcut::activated, window, &QWidget::close);
    };
    if (terminal) {
        add(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W));
        return;
    }
    add(QKeySequence::Close);
    add(QKeySequence(Qt::Key_Escape));
}

} // namespace

MainWindow::MainWindow(EngineService* engine, AgentService* agent, Models models, QWidget* parent)
    : QMainWindow(parent), m_engine(engine), m_agent(agent)
{
    setObjectName("mainWindow");
    setWindowTitle(tr("Berth"));
    setWindowIcon(QIcon(":/icons/berth.svg"));
    // The size and place it had when it was last closed.
    if (const auto prefs = DesktopPrefs::load(agent->instance()); !restoreGeometry(prefs.windowGeometry))
        resize(1100, 680);

    m_sidebar = new QListWidget(this);
    m_sidebar->setObjectName("sidebar");
    m_sidebar->setFrameShape(QFrame::NoFrame);
    m_sidebar->setFixedWidth(170);
    m_sidebar->setIconSize(QSize(18, 18));
    for (const auto& title : {tr("Containers"), tr("Compose"), tr("Images"), tr("Volumes"), tr("Networks"),
                              tr("Activity"), tr("Settings"), tr("Troubleshoot")})
        m_sidebar->addItem(title);
    m_sidebar->setItemDelegate(new SidebarDelegate(m_sidebar));
    updateIcons();
    // Counts beside Containers, Images, Volumes and Networks, from the models.
    auto count = [this](Page page, QAbstractItemModel* model, std::function<int()> number) {
        auto update = [this, page, number] {
            m_sidebar->item(page)->setData(kCountRole, number());
        };
        connect(model, &QAbstractItemModel::rowsInserted, this, update);
        connect(model, &QAbstractItemModel::rowsRemoved, this, update);
        connect(model, &QAbstractItemModel::modelReset, this, update);
        update();
    };
    count(Containers, models.containers, [c = models.containers] { return c->containerCount(); });
    count(Images, models.images, [m = models.images] { return m->rowCount(); });
    count(Volumes, models.volumes, [m = models.volumes] { return m->rowCount(); });
    count(Networks, models.networks, [m = models.networks] { return m->rowCount(); });
    auto sidebarFont = m_sidebar->font();
    sidebarFont.setPointSizeF(sidebarFont.pointSizeF() * 1.1);
    m_sidebar->setFont(sidebarFont);
    m_sidebar->setSpacing(2);

    m_containers = new ContainersView(engine, models.containers);
    m_compose = new ComposeView(engine, models.containers);
    m_images = new ImagesView(engine, models.images);
    m_volumes = new VolumesView(engine, models.volumes);
    m_networks = new NetworksView(engine, models.networks);
    m_activity = new StatsOverview(models.containers);
    m_settings = new SettingsPage(agent);
    m_troubleshoot = new TroubleshootPage(agent, engine);
    m_pages = new QStackedWidget(this);
    QWidget* views[GatedPageCount] = {m_containers, m_compose, m_images, m_volumes, m_networks, m_activity};
    for (int page = 0; page < GatedPageCount; ++page) {
        m_gates[page] = new EngineGate(views[page], m_pages);
        m_pages->addWidget(m_gates[page]);
        connect(m_gates[page], &EngineGate::startRequested, this, &MainWindow::startRequested);
    }
    // Settings and Troubleshoot work with the engine stopped too.
    m_pages->addWidget(m_settings);
    m_pages->addWidget(m_troubleshoot);
    m_detail = new ContainerDetailView(engine, models.containers,
                                       [this](LogsView* view, const QString& id, const QString& name) {
                                           attachLogs(view, {id, name, {id}, {}, false});
                                       });
    m_detailGate = new EngineGate(m_detail, m_pages);
    m_pages->addWidget(m_detailGate);
    connect(m_detailGate, &EngineGate::startRequested, this, &MainWindow::startRequested);
    connect(m_detail, &ContainerDetailView::backRequested, this, [this] { showPage(Containers); });
    connect(m_detail, &ContainerDetailView::openInWindowRequested, this,
            [this](int tab, const QString& id, const QString& name) {
                switch (tab) {
                case ContainerDetailView::Logs:
                    openLogs(id, name);
                    break;
                case ContainerDetailView::Inspect:
                    openInspect(static_cast<int>(InspectView::Kind::Container), id, name);
                    break;
                case ContainerDetailView::Terminal:
                    openTerminal(id, name);
                    break;
                case ContainerDetailView::Files:
                    openFiles(id, name);
                    break;
                case ContainerDetailView::Stats:
                    openStats(id, name);
                    break;
                default:
                    break;
                }
            });
    connect(engine, &EngineService::containerStats, m_activity, &StatsOverview::addSample);

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName("helpMenu");
    help->addAction(tr("&Troubleshoot"), this, [this] { showPage(Troubleshoot); });
    help->addAction(tr("&About Berth"), this, &MainWindow::openAbout);

    m_status = new StatusPanel(this);
    connect(m_status, &StatusPanel::startRequested, this, &MainWindow::startRequested);
    connect(m_status, &StatusPanel::stopRequested, this, &MainWindow::stopRequested);
    connect(m_status, &StatusPanel::restartRequested, this, &MainWindow::restartRequested);

    auto* central = new QWidget(this);
    auto* body = new QHBoxLayout;
    body->addWidget(m_sidebar);
    auto* content = new QVBoxLayout;
    content->addWidget(m_pages, 1);
    body->addLayout(content, 1);
    auto* layout = new QVBoxLayout(central);
    layout->addLayout(body, 1);
    layout->addWidget(m_status);
    setCentralWidget(central);

    connect(m_sidebar, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);
    // A click on Containers while a container's detail view shows goes back to the list.
    connect(m_sidebar, &QListWidget::itemClicked, this,
            [this](QListWidgetItem* item) { m_pages->setCurrentIndex(m_sidebar->row(item)); });
    m_sidebar->setCurrentRow(Containers);

    connect(m_containers, &ContainersView::openRequested, this,
            [this](const QString& id, const QString& name) { openContainer(id, name); });
    connect(m_containers, &ContainersView::logsRequested, this, &MainWindow::openLogs);
    connect(m_containers, &ContainersView::projectLogsRequested, this, &MainWindow::openProjectLogs);
    connect(m_compose, &ComposeView::projectLogsRequested, this, &MainWindow::openProjectLogs);
    // The Compose page counts its projects after each (coalesced) rebuild.
    connect(m_compose, &ComposeView::projectsChanged, this,
            [this](int projects) { m_sidebar->item(Compose)->setData(kCountRole, projects); });
    m_sidebar->item(Compose)->setData(kCountRole, int(m_compose->projects().size()));
    connect(m_containers, &ContainersView::terminalRequested, this, &MainWindow::openTerminal);
    connect(m_containers, &ContainersView::statsRequested, this, &MainWindow::openStats);
    connect(m_containers, &ContainersView::inspectRequested, this, [this](const QString& id, const QString& name) {
        openInspect(static_cast<int>(InspectView::Kind::Container), id, name);
    });
    const std::pair<TablePage*, InspectView::Kind> tables[] = {{m_images, InspectView::Kind::Image},
                                                               {m_volumes, InspectView::Kind::Volume},
                                                               {m_networks, InspectView::Kind::Network}};
    for (const auto& [table, kind] : tables)
        connect(table, &TablePage::inspectRequested, this, [this, kind = kind](const QString& id, const QString& name) {
            openInspect(static_cast<int>(kind), id, name);
        });
    connect(m_images, &ImagesView::containerStarted, this, [this](const QString& id) {
        showPage(Containers);
        // The row may come a moment after the start event; reveal it when it does.
        if (!m_containers->reveal(id)) {
            auto* model = m_containers->tree()->model();
            auto connection = std::make_shared<QMetaObject::Connection>();
            *connection = connect(model, &QAbstractItemModel::rowsInserted, this, [this, id, connection] {
                if (m_containers->reveal(id))
                    disconnect(*connection);
            });
            // Not forever: a container run with --rm may be gone before its row comes.
            QTimer::singleShot(30000, this, [connection] { QObject::disconnect(*connection); });
        }
    });
    connect(engine, &EngineService::logLines, this, [this](int token, const QVector<LogLine>& lines) {
        const auto open = m_logs.value(token);
        if (!open.view)
            return;
        if (open.source.isEmpty()) {
            open.view->appendLines(lines);
            return;
        }
        auto marked = lines;
        for (auto& line : marked)
            line.source = open.source;
        open.view->appendLines(marked);
    });
    connect(engine, &EngineService::logEnded, this, [this](int token, const QString& reason) {
        if (auto view = m_logs.value(token).view)
            view->streamEnded(reason);
    });
    // Logs windows left open while the engine was away follow their container again.
    connect(engine, &EngineService::engineReachable, this, [this](bool reachable) {
        if (!reachable)
            return;
        const auto open = m_logsTargets.keys();
        for (auto* view : open) {
            const auto& shown = m_logsTargets[view];
            view->setContainer(shown.key, shown.title);
            follow(view);
        }
    });
    connect(
        engine, &EngineService::operationFailed, this, [this](const QString& what, const QString& message) {
            openMessage(this, QMessageBox::Warning, "operationFailed", tr("%1 failed").arg(what), message);
        });
}

void MainWindow::showPage(Page page)
{
    if (page == ContainerDetail) {
        m_sidebar->setCurrentRow(Containers);
        m_pages->setCurrentWidget(m_detailGate);
        return;
    }
    m_sidebar->setCurrentRow(page);
    m_pages->setCurrentIndex(page);
}

void MainWindow::openContainer(const QString& id, const QString& name, int tab)
{
    m_detail->showContainer(id, name, static_cast<ContainerDetailView::Tab>(tab));
    showPage(ContainerDetail);
}

MainWindow::Page MainWindow::currentPage() const
{
    return static_cast<Page>(m_pages->currentIndex());
}

void MainWindow::setEngineStatus(const vm::AgentStatus& status, bool reachable, bool busy)
{
    for (auto* gate : m_gates)
        gate->setEngineState(status, reachable, busy);
    m_detailGate->setEngineState(status, reachable, busy);
    m_status->setStatus(status, reachable, busy);
}

MainWindow::~MainWindow()
{
    const auto windows = m_windows.values();
    m_windows.clear();
    for (const auto& window : windows)
        if (window) {
            disconnect(window, nullptr, this, nullptr);
            delete window.data();
        }
    // The logs windows are children; their destroyed() handler must not run into a half-gone
    // window.
    const auto views = m_logsTargets.keys();
    m_logs.clear();
    m_logsTargets.clear();
    for (auto* view : views) {
        disconnect(view, nullptr, this, nullptr);
        delete view;
    }
}

LogsView* MainWindow::logsView(const QString& id) const
{
    for (auto it = m_logsTargets.cbegin(); it != m_logsTargets.cend(); ++it)
        if (it->key == id && it->inWindow)
            return it.key();
    return nullptr;
}

void MainWindow::follow(LogsView* view)
{
    for (auto it = m_logs.begin(); it != m_logs.end();) {
        if (it->view == view) {
            m_engine->stopLogs(it.key());
            it = m_logs.erase(it);
        } else {
            ++it;
        }
    }
    const auto& target = m_logsTargets[view];
    for (int i = 0; i < target.ids.size(); ++i) {
        const int token = m_nextLogToken++;
        m_logs.insert(token, {view, view, target.sources.value(i)});
        m_engine->followLogs(token, target.ids[i], view->timestampsShown(), LogsView::kMaxLines);
    }
}

void MainWindow::openLogs(const QString& id, const QString& name)
{
    openLogsWindow({id, name, {id}, {}});
}

void MainWindow::openProjectLogs(const QString& project, const QStringList& ids, const QStringList& names)
{
    // The prefix is the container's name without the project's ("web-1" for "shop-web-1").
    QStringList sources;
    for (const auto& name : names)
        sources << (name.startsWith(project + '-') ? name.mid(project.size() + 1) : name);
    openLogsWindow({"project:" + project, project, ids, sources});
}

LogsView* MainWindow::openLogsWindow(const LogsTarget& target)
{
    if (auto* open = logsView(target.key)) {
        open->show();
        open->raise();
        open->activateWindow();
        return open;
    }
    auto* view = new LogsView(this);
    view->setWindowFlag(Qt::Window);
    view->setAttribute(Qt::WA_DeleteOnClose);
    view->setObjectName("logsView");
    view->setWindowTitle(tr("Logs — %1").arg(target.title));
    view->resize(900, 560);
    closeOnKeys(view, false);
    attachLogs(view, target);
    view->show();
    return view;
}

void MainWindow::attachLogs(LogsView* view, const LogsTarget& target)
{
    view->setSources(target.sources);
    view->setContainer(target.key, target.title);
    m_logsTargets.insert(view, target);
    connect(view, &QObject::destroyed, this, [this](QObject* gone) {
        for (auto it = m_logsTargets.begin(); it != m_logsTargets.end();)
            it = static_cast<QObject*>(it.key()) == gone ? m_logsTargets.erase(it) : std::next(it);
        for (auto it = m_logs.begin(); it != m_logs.end();) {
            if (it->view.isNull() || it->object == gone) {
                m_engine->stopLogs(it.key());
                it = m_logs.erase(it);
            } else {
                ++it;
            }
        }
    });
    connect(view, &LogsView::timestampsToggled, this, [this, view] {
        const auto& shown = m_logsTargets[view];
        view->setContainer(shown.key, shown.title);
        follow(view);
    });
    follow(view);
}

QWidget* MainWindow::openWindow(const QString& key, const std::function<QWidget*()>& make)
{
    if (auto open = m_windows.value(key)) {
        open->show();
        open->raise();
        open->activateWindow();
        return open;
    }
    auto* window = make();
    window->setParent(this, Qt::Window);
    window->setAttribute(Qt::WA_DeleteOnClose);
    closeOnKeys(window, key.startsWith("terminal:"));
    m_windows.insert(key, window);
    connect(window, &QObject::destroyed, this, [this, key] { m_windows.remove(key); });
    window->show();
    return window;
}

void MainWindow::openTerminal(const QString& id, const QString& name)
{
    openWindow("terminal:" + id, [&] {
        auto* view = new TerminalView(m_engine, id, name);
        view->resize(860, 520);
        return view;
    });
}

void MainWindow::openStats(const QString& id, const QString& name)
{
    openWindow("stats:" + id, [&] {
        auto* view = new ContainerStatsView(m_engine, id, name);
        view->setWindowTitle(tr("Stats — %1").arg(name));
        view->resize(900, 640);
        return view;
    });
}

void MainWindow::openInspect(int kind, const QString& id, const QString& name)
{
    openWindow("inspect:" + id, [&] {
        auto* view = new InspectView(m_engine, static_cast<InspectView::Kind>(kind), id, name);
        view->resize(820, 640);
        return view;
    });
}

void MainWindow::openFiles(const QString& id, const QString& name)
{
    openWindow("files:" + id, [&] {
        auto* view = new FilesView(m_engine, id, name);
        view->resize(820, 560);
        return view;
    });
}

FilesView* MainWindow::filesView(const QString& containerId) const
{
    return qobject_cast<FilesView*>(m_windows.value("files:" + containerId).data());
}

TerminalView* MainWindow::terminalView(const QString& containerId) const
{
    return qobject_cast<TerminalView*>(m_windows.value("terminal:" + containerId).data());
}

QWidget* MainWindow::statsView(const QString& containerId) const
{
    return m_windows.value("stats:" + containerId).data();
}

InspectView* MainWindow::inspectView(const QString& id) const
{
    return qobject_cast<InspectView*>(m_windows.value("inspect:" + id).data());
}

void MainWindow::openAbout()
{
    if (!m_about) {
        m_about = new AboutDialog(m_agent, this);
        m_about->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_about->show();
    m_about->raise();
    m_about->activateWindow();
}

void MainWindow::updateIcons()
{
    const char* names[] = {"containers", "compose",  "images",   "volumes",
                           "networks",   "activity", "settings", "troubleshoot"};
    for (int page = 0; page < m_sidebar->count(); ++page)
        m_sidebar->item(page)->setIcon(themedIcon(names[page]));
}

void MainWindow::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange)
        updateIcons();
    QMainWindow::changeEvent(event);
}

void MainWindow::saveWindowGeometry()
{
    auto prefs = DesktopPrefs::load(m_agent->instance());
    if (!prefs.loadError.isEmpty())
        return; // a damaged file is left for Settings to report, not overwritten from here
    prefs.windowGeometry = saveGeometry();
    if (const auto error = prefs.save(m_agent->instance()); !error.isEmpty())
        qWarning("%s", qPrintable(error));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveWindowGeometry();
    if (m_keepInTray) {
        hide();
        event->ignore();
        return;
    }
    // Quitting like any app: its other windows go with it.
    const auto views = m_logsTargets.keys();
    for (auto* view : views)
        view->close();
    for (const auto& window : std::as_const(m_windows))
        if (window)
            window->close();
    QMainWindow::closeEvent(event);
}

} // namespace berth::app
