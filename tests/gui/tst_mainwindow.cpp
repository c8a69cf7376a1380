// The main window without an engine (its pages show the engine's gate): the sidebar's icons and
// counts, the light and dark themes, with a screenshot of every page in each, the container
// detail view's navigation, and the window's size kept from one start to the next (desktop.json).
#include "AgentService.h"
#include "ComposeView.h"
#include "ContainerDetailView.h"
#include "ContainerModel.h"
#include "DesktopPrefs.h"
#include "EngineService.h"
#include "FilesView.h"
#include "GuiSupport.h"
#include "MainWindow.h"
#include "ResourceModels.h"
#include "Theme.h"
#include "berth/vm/Instance.h"
#include "berth/vm/InstanceControl.h"

#include <algorithm>

#include <QApplication>
#include <QDir>
#include <QListWidget>
#include <QPointer>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>
#include <nlohmann/json.hpp>

using namespace berth;
using app::MainWindow;

class TestMainWindow final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home;
    std::optional<vm::Instance> m_instance;
    std::unique_ptr<app::AgentService> m_agent;
    std::unique_ptr<app::EngineService> m_engine;
    app::ContainerModel m_containers;
    app::ImageModel m_images;
    app::VolumeModel m_volumes;
    app::NetworkModel m_networks;

    std::unique_ptr<MainWindow> makeWindow()
    {
        auto window = std::make_unique<MainWindow>(
            m_engine.get(), m_agent.get(),
            MainWindow::Models{&m_containers, &m_images, &m_volumes, &m_networks});
        window->show();
        if (!QTest::qWaitForWindowExposed(window.get()))
            qWarning("the main window was not exposed");
        return window;
    }
    QListWidget* sidebar(MainWindow* window) const { return window->findChild<QListWidget*>("sidebar"); }
    static engine::Container container(const std::string& id, const std::string& name,
                                       const std::string& state)
    {
        engine::Container c;
        c.id = id;
        c.name = name;
        c.state = state;
        return c;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        auto instance = vm::Instance::open(m_home.path().toStdString(), "default");
        QVERIFY(instance);
        m_instance = *instance;
        m_agent = std::make_unique<app::AgentService>(
            vm::InstanceControl(*m_instance, "/nonexistent/berth", m_home.path().toStdString()));
        m_engine =
            std::make_unique<app::EngineService>(engine::Endpoint::unixSocket("/nonexistent/engine.sock"));
        QDir().mkpath(BERTH_ARTIFACTS_DIR);
    }

    void sidebarHasIconsAndCounts()
    {
        auto window = makeWindow();
        auto* list = sidebar(window.get());
        QCOMPARE(list->count(), int(MainWindow::PageCount));
        for (int page = 0; page < list->count(); ++page)
            QVERIFY2(!list->item(page)->icon().isNull(), qPrintable(list->item(page)->text()));
        QCOMPARE(list->item(MainWindow::Containers)->data(Qt::UserRole + 1).toInt(), 0);
        m_containers.reset({container("a1", "web", "running"), container("b2", "db", "exited")});
        QCOMPARE(list->item(MainWindow::Containers)->data(Qt::UserRole + 1).toInt(), 2);
        m_containers.remove("a1");
        QCOMPARE(list->item(MainWindow::Containers)->data(Qt::UserRole + 1).toInt(), 1);
        m_containers.clear();
        // Delete and the like look destructive.
        auto* remove = window->findChild<QToolButton*>("containersDeleteButton");
        QVERIFY(remove && remove->property("destructive").toBool());
        QVERIFY(!remove->icon().isNull());
    }

    // Both themes: the palette, icons drawn in the theme's text colour, and every page shot.
    void lightAndDarkThemes()
    {
        auto window = makeWindow();
        window->resize(1100, 680);
        for (const bool dark : {false, true}) {
            app::applyTheme(dark);
            QCoreApplication::processEvents();
            QCOMPARE(app::darkThemeActive(), dark);
            const auto windowColour = QApplication::palette().color(QPalette::Window);
            QVERIFY(dark ? windowColour.lightness() < 80 : windowColour.lightness() > 200);
            // The icon's strokes take the text colour: light on dark, dark on light.
            const auto icon = app::themedIcon("stop").pixmap(24, 24).toImage();
            const auto stroke = icon.pixelColor(12, 12);
            QVERIFY2(stroke.alpha() > 200 && (dark ? stroke.lightness() > 180 : stroke.lightness() < 80),
                     qPrintable(stroke.name(QColor::HexArgb)));
            for (int page = 0; page < MainWindow::PageCount; ++page) {
                window->showPage(static_cast<MainWindow::Page>(page));
                QCoreApplication::processEvents();
                // The chosen page's title reads on its row, focused or not: light text on a pale
                // selection was not.
                auto* list = sidebar(window.get());
                const auto row = list->visualItemRect(list->item(page));
                const auto shot = list->grab().toImage();
                int darkest = 255, lightest = 0;
                for (int x = row.left() + 36; x < row.left() + 100; ++x)
                    for (int y = row.top() + 2; y < row.bottom() - 2; ++y) {
                        const int l =
                            shot.pixelColor(x * shot.devicePixelRatio(), y * shot.devicePixelRatio())
                                .lightness();
                        darkest = std::min(darkest, l);
                        lightest = std::max(lightest, l);
                    }
                QVERIFY2(lightest - darkest > 90, qPrintable(QString("page %1 (%2): lightness %3..%4")
                                                                 .arg(page)
                                                                 .arg(dark ? "dark" : "light")
                                                                 .arg(darkest)
                                                                 .arg(lightest)));
                QVERIFY(
                    test::saveScreenshot(window.get(), BERTH_ARTIFACTS_DIR,
                                         QString("theme-page%1-%2").arg(page).arg(dark ? "dark" : "light")));
            }
        }
        app::applyTheme(false);
    }

    // A container opens inside the window: its tabs are made when first shown, the header follows
    // its state, Back and the sidebar lead back to the list, and a tab opens in a window of its own.
    void containerDetailView()
    {
        auto window = makeWindow();
        const auto web = container("a1", "web", "running");
        m_containers.reset({web});
        window->openContainer("a1", "web");
        QCOMPARE(int(window->currentPage()), int(MainWindow::ContainerDetail));
        QCOMPARE(sidebar(window.get())->currentRow(), int(MainWindow::Containers));
        auto* detail = window->detailView();
        QCOMPARE(detail->containerId(), QString("a1"));
        QVERIFY(detail->logsView());
        QVERIFY(!detail->inspectView() && !detail->terminalView() && !detail->filesView() &&
                !detail->statsView());
        QVERIFY(!window->logsView("a1")); // the tab is not a logs window
        QVERIFY2(detail->stateText().contains("Running", Qt::CaseInsensitive),
                 qPrintable(detail->stateText()));
        m_containers.setState("a1", "exited");
        QVERIFY2(detail->stateText().contains("Exited"), qPrintable(detail->stateText()));

        detail->tabs()->setCurrentIndex(app::ContainerDetailView::Files);
        QVERIFY(detail->filesView());
        QPointer<app::FilesView> files = detail->filesView();
        detail->findChild<QToolButton*>("detailOpenWindow")->click();
        QVERIFY(window->filesView("a1"));
        QVERIFY(window->filesView("a1") != detail->filesView());
        window->filesView("a1")->close();

        detail->findChild<QToolButton*>("detailBack")->click();
        QCOMPARE(int(window->currentPage()), int(MainWindow::Containers));
        window->openContainer("a1", "web", app::ContainerDetailView::Files);
        QCOMPARE(detail->tabs()->currentIndex(), int(app::ContainerDetailView::Files));
        QVERIFY(files); // the same container: its views are kept
        auto* list = sidebar(window.get());
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {},
                          list->visualItemRect(list->item(MainWindow::Containers)).center());
        QCOMPARE(int(window->currentPage()), int(MainWindow::Containers));

        // Another container: the first one's views go.
        m_containers.reset({web, container("b2", "db", "running")});
        window->openContainer("b2", "db");
        QVERIFY(!files);
        QCOMPARE(detail->containerName(), QString("db"));
        m_containers.remove("b2");
        QCOMPARE(detail->stateText(), QString("removed"));
        m_containers.clear();
    }

    // The Compose page lists a project from its containers' labels, counts it in the sidebar, and
    // refuses Up, naming the file, when the compose file is not there.
    void composePageListsProjects()
    {
        auto window = makeWindow();
        auto web = container("c1", "shop-web-1", "running");
        web.labels = {{"com.docker.compose.project", "shop"},
                      {"com.docker.compose.service", "web"},
                      {"com.docker.compose.project.config_files", "/nonexistent/shop/compose.yaml"},
                      {"com.docker.compose.project.working_dir", "/nonexistent/shop"}};
        m_containers.reset({web});
        auto* view = window->composeView();
        QTRY_COMPARE(view->projects().size(), 1);
        QCOMPARE(sidebar(window.get())->item(MainWindow::Compose)->data(Qt::UserRole + 1).toInt(), 1);
        QCOMPARE(view->tree()->topLevelItem(0)->text(app::ComposeView::Name), QString("shop"));
        QCOMPARE(view->tree()->topLevelItem(0)->child(0)->text(app::ComposeView::Name), QString("web"));
        QVERIFY2(!view->stateText().contains("No Compose projects"), qPrintable(view->stateText()));
        QSignalSpy finished(view, &app::ComposeView::actionFinished);
        view->run("shop", app::ComposeAction::Up);
        QCOMPARE(finished.size(), 1);
        QVERIFY2(finished.at(0).at(2).toString().contains("/nonexistent/shop/compose.yaml"),
                 qPrintable(finished.at(0).at(2).toString()));
        QVERIFY(!view->busy("shop"));
        // Its containers gone (taken down elsewhere): listed as down, still there for Up.
        m_containers.clear();
        QTRY_COMPARE(view->tree()->topLevelItem(0)->text(app::ComposeView::State), QString("down"));
    }

    // 900 x 600 fits (issue: "at 900×600 Memory and Created scroll out of sight").
    void windowSizeIsRemembered()
    {
        {
            auto window = makeWindow();
            window->resize(900, 600);
            QCoreApplication::processEvents();
            window->close();
        }
        const auto prefs = app::DesktopPrefs::load(*m_instance);
        QVERIFY(prefs.loadError.isEmpty());
        QVERIFY(!prefs.windowGeometry.isEmpty());
        QVERIFY(prefs.startEngine); // the other preference is kept as it was
        auto window = makeWindow();
        QCOMPARE(window->size(), QSize(900, 600));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
