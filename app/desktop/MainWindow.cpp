#include "MainWindow.h"

#include "AboutDialog.h"
#include "AgentService.h"
#include "ContainerModel.h"
#include "ContainersView.h"
#include "Dialogs.h"
#include "EngineGate.h"
#include "EngineService.h"
#include "ImagesView.h"
#include "InspectView.h"
#include "LogsView.h"
#include "NetworksView.h"
#include "SettingsPage.h"
#include "StatsView.h"
#include "StatusPanel.h"
#include "TerminalView.h"
#include "TroubleshootPage.h"
#include "VolumesView.h"

#include <QCloseEvent>
#include <QHBoxLayout>
#include <QListWidget>
#include <QMenuBar>
#include <QShortcut>
#include <QStackedWidget>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace berth::app {

namespace {

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
    resize(1100, 680);

    m_sidebar = new QListWidget(this);
    m_sidebar->setObjectName("sidebar");
    m_sidebar->setFrameShape(QFrame::NoFrame);
    m_sidebar->setFixedWidth(170);
    m_sidebar->setIconSize(QSize(18, 18));
    for (const auto& title : {tr("Containers"), tr("Images"), tr("Volumes"), tr("Networks"), tr("Activity"),
                              tr("Settings"), tr("Troubleshoot")})
        m_sidebar->addItem(title);
    auto sidebarFont = m_sidebar->font();
    sidebarFont.setPointSizeF(sidebarFont.pointSizeF() * 1.1);
    m_sidebar->setFont(sidebarFont);
    m_sidebar->setSpacing(2);

    m_containers = new ContainersView(engine, models.containers);
    m_images = new ImagesView(engine, models.images);
    m_volumes = new VolumesView(engine, models.volumes);
    m_networks = new NetworksView(engine, models.networks);
    m_activity = new StatsOverview(models.containers);
    m_settings = new SettingsPage(agent);
    m_troubleshoot = new TroubleshootPage(agent, engine);
    m_pages = new QStackedWidget(this);
    QWidget* views[GatedPageCount] = {m_containers, m_images, m_volumes, m_networks, m_activity};
    for (int page = 0; page < GatedPageCount; ++page) {
        m_gates[page] = new EngineGate(views[page], m_pages);
        m_pages->addWidget(m_gates[page]);
        connect(m_gates[page], &EngineGate::startRequested, this, &MainWindow::startRequested);
    }
    // Settings and Troubleshoot work with the engine stopped too.
    m_pages->addWidget(m_settings);
    m_pages->addWidget(m_troubleshoot);
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
    m_sidebar->setCurrentRow(Containers);

    connect(m_containers, &ContainersView::logsRequested, this, &MainWindow::openLogs);
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
        if (auto view = m_logs.value(token).view)
            view->appendLines(lines);
    });
    connect(engine, &EngineService::logEnded, this, [this](int token, const QString& reason) {
        if (auto view = m_logs.value(token).view)
            view->streamEnded(reason);
    });
    // Logs windows left open while the engine was away follow their container again.
    connect(engine, &EngineService::engineReachable, this, [this](bool reachable) {
        if (!reachable)
            return;
        const auto open = m_logs.values();
        for (const auto& logs : open)
            if (logs.view) {
                logs.view->setContainer(logs.id, logs.name);
                follow(logs.view, logs.id, logs.name);
            }
    });
    connect(
        engine, &EngineService::operationFailed, this, [this](const QString& what, const QString& message) {
            openMessage(this, QMessageBox::Warning, "operationFailed", tr("%1 failed").arg(what), message);
        });
}

void MainWindow::showPage(Page page)
{
    m_sidebar->setCurrentRow(page);
}

MainWindow::Page MainWindow::currentPage() const
{
    return static_cast<Page>(m_pages->currentIndex());
}

void MainWindow::setEngineStatus(const vm::AgentStatus& status, bool reachable, bool busy)
{
    for (auto* gate : m_gates)
        gate->setEngineState(status, reachable, busy);
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
    const auto open = m_logs.values();
    m_logs.clear();
    for (const auto& logs : open)
        if (logs.view) {
            disconnect(logs.view, nullptr, this, nullptr);
            delete logs.view;
        }
}

LogsView* MainWindow::logsView(const QString& id) const
{
    for (const auto& logs : m_logs)
        if (logs.view && logs.id == id)
            return logs.view;
    return nullptr;
}

void MainWindow::follow(LogsView* view, const QString& id, const QString& name)
{
    for (auto it = m_logs.begin(); it != m_logs.end();) {
        if (it->view == view) {
            m_engine->stopLogs(it.key());
            it = m_logs.erase(it);
        } else {
            ++it;
        }
    }
    const int token = m_nextLogToken++;
    m_logs.insert(token, {view, id, name});
    m_engine->followLogs(token, id, view->timestampsShown(), LogsView::kMaxLines);
}

void MainWindow::openLogs(const QString& id, const QString& name)
{
    if (auto* open = logsView(id)) {
        open->show();
        open->raise();
        open->activateWindow();
        return;
    }
    auto* view = new LogsView(this);
    view->setWindowFlag(Qt::Window);
    view->setAttribute(Qt::WA_DeleteOnClose);
    view->setObjectName("logsView");
    view->setWindowTitle(tr("Logs — %1").arg(name));
    view->resize(900, 560);
    closeOnKeys(view, false);
    view->setContainer(id, name);
    connect(view, &QObject::destroyed, this, [this](QObject* gone) {
        for (auto it = m_logs.begin(); it != m_logs.end();) {
            if (!it->view || it->view == gone) {
                m_engine->stopLogs(it.key());
                it = m_logs.erase(it);
            } else {
                ++it;
            }
        }
    });
    connect(view, &LogsView::timestampsToggled, this, [this, view, id, name] {
        view->setContainer(id, name);
        follow(view, id, name);
    });
    follow(view, id, name);
    view->show();
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

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_keepInTray) {
        hide();
        event->ignore();
        return;
    }
    // Quitting like any app: its other windows go with it.
    for (const auto& logs : m_logs)
        if (logs.view)
            logs.view->close();
    for (const auto& window : std::as_const(m_windows))
        if (window)
            window->close();
    QMainWindow::closeEvent(event);
}

} // namespace berth::app
