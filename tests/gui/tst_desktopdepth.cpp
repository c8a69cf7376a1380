// berth-desktop's deeper views driven through their real widgets against the real engine in the
// real VM: the container terminal (libvterm), stats graphs, inspect, settings, troubleshooting
// (logs, diagnostics bundle, clean-up, factory reset) and About. One Berth instance (one VM) for
// the whole executable, started by the app. Screenshots of every view are saved under the build
// folder.
#include "AboutDialog.h"
#include "AgentService.h"
#include "BerthHome.h"
#include "ContainerDetailView.h"
#include "ContainerModel.h"
#include "ContainersView.h"
#include "Desktop.h"
#include "EngineGate.h"
#include "EngineService.h"
#include "FilesView.h"
#include "GuiSupport.h"
#include "ImagesView.h"
#include "InspectView.h"
#include "JsonTreeModel.h"
#include "MainWindow.h"
#include "RunProcess.h"
#include "SettingsPage.h"
#include "StatsView.h"
#include "TerminalView.h"
#include "TerminalWidget.h"
#include "TestPaths.h"
#include "TroubleshootPage.h"
#include "berth/vm/Settings.h"

#include <algorithm>
#include <memory>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeView>
#include <QTreeWidget>

using namespace berth;
using app::ContainerModel;
using app::MainWindow;
using test::ProcessRun;

namespace {

constexpr int kBootTimeoutMs = 420000;
constexpr int kEngineTimeoutMs = 60000;
// A value only the bundle's redaction stands between and the world.
constexpr char kSecret[] = "s3cr3t-depth-value";

QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestDesktopDepth final : public QObject
{
    Q_OBJECT

private:
    test::BerthHome m_berth{"/tmp/berth-dd-XXXXXX"};
    std::unique_ptr<app::Desktop> m_desktop;
    QString m_artifacts;
    QString m_shellId;
    QString m_busyId;

    MainWindow* window() const { return m_desktop->window(); }
    ProcessRun docker(const QStringList& args) { return m_berth.docker(args); }

    void screenshot(QWidget* widget, const QString& name)
    {
        QVERIFY2(test::saveThemedScreenshots(widget, m_artifacts, name), qPrintable("cannot save " + name));
    }

    QString containerId(const QString& name)
    {
        const auto run = docker({"inspect", "-f", "{{.Id}}", name});
        return run.exitCode == 0 ? run.out.trimmed() : QString();
    }

    bool engineViewsShown() const
    {
        for (int page = 0; page < MainWindow::GatedPageCount; ++page)
            if (!window()->gate(static_cast<MainWindow::Page>(page))->showingContent())
                return false;
        return true;
    }

    void makeDesktop()
    {
        auto instance = vm::Instance::open(m_berth.home().toStdString(), "default");
        QVERIFY2(instance, instance ? "" : instance.error().message.c_str());
        app::Desktop::Options options;
        options.agentProgram = (test::binDir() + "/berth").toStdString();
        options.useTray = false;
        m_desktop = std::make_unique<app::Desktop>(std::move(instance).value(), options);
        m_desktop->start();
    }

    void waitForEngine()
    {
        QTRY_VERIFY_WITH_TIMEOUT(engineViewsShown(), kBootTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(m_desktop->agent()->status().state == vm::EngineState::Running, kEngineTimeoutMs);
    }

    // Types a line into the terminal as keystrokes, as a person would.
    static void typeLine(app::TerminalWidget* terminal, const QString& line)
    {
        QTest::keyClicks(terminal, line);
        QTest::keyClick(terminal, Qt::Key_Return);
    }

    static bool screenHasLine(app::TerminalWidget* terminal, const QString& line)
    {
        for (int row = 0; row < terminal->rows(); ++row)
            if (terminal->lineText(row).trimmed() == line)
                return true;
        return false;
    }

    static int tableRow(QTableView* table, const QString& text)
    {
        for (int row = 0; row < table->model()->rowCount(); ++row)
            if (table->model()->index(row, 0).data().toString().contains(text))
                return row;
        return -1;
    }

    void clickButton(QWidget* parent, const QString& name)
    {
        auto* button = test::child<QPushButton>(parent, name);
        QVERIFY(button);
        QTest::mouseClick(button, Qt::LeftButton);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_berth.isValid());
        m_artifacts = QString(BERTH_ARTIFACTS_DIR);
        QVERIFY(QDir().mkpath(m_artifacts));
        // The engine's own labels come back in /info, which goes into the diagnostics bundle.
        QFile daemon(m_berth.instanceDir() + "/daemon.json");
        QVERIFY(daemon.open(QIODevice::WriteOnly));
        daemon.write(QString("{\"labels\": [\"api_token=%1\", \"team=depth\"]}").arg(kSecret).toUtf8());
        daemon.close();
        // Autostart entries go to a folder of the test's own.
        qputenv("XDG_CONFIG_HOME", m_berth.path("xdg").toUtf8());

        makeDesktop();
        waitForEngine();

        QCOMPARE(docker({"import", test::testImagesDir() + "/busybox.tar", "bb:1"}).exitCode, 0);
        auto shell = docker({"run", "-d", "--name", "shell", "-l", "com.example.team=berth-depth", "-e",
                             QString("DB_PASSWORD=%1").arg(kSecret), "-e", "PLAIN=visible-value",
                             "--restart", "unless-stopped", "bb:1", "sleep", "100000"});
        QVERIFY2(shell.exitCode == 0, qPrintable(test::describe(shell)));
        auto busy = docker({"run", "-d", "--name", "busy", "bb:1", "sh", "-c",
                            "while :; do :; done & while :; do wget -q -O /dev/null http://10.0.2.2:1 2>/dev/null; "
                            "dd if=/dev/zero of=/tmp/f bs=64k count=16 2>/dev/null; sleep 1; done"});
        QVERIFY2(busy.exitCode == 0, qPrintable(test::describe(busy)));
        m_shellId = containerId("shell");
        m_busyId = containerId("busy");
        QVERIFY(!m_shellId.isEmpty() && !m_busyId.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(m_desktop->containers()->indexOf(m_shellId).isValid(), kEngineTimeoutMs);
    }

    void cleanupTestCase()
    {
        m_desktop.reset();
        const auto stop = m_berth.berth({"stop"});
        if (stop.exitCode != 0)
            qWarning() << "berth stop:" << test::describe(stop);
    }

    // Keystrokes reach the shell and its output reaches the widget's screen; the TTY follows the
    // window's size; colours and a full-screen program work; `exit` ends the session cleanly.
    void terminalRunsAShell()
    {
        // The default shares put the host's temporary folder at the guest's /tmp, where runc cannot
        // bind its console socket; TTYs must work anyway, from the CLI as from the app.
        const auto shared = vm::Settings::defaultShares();
        QVERIFY(std::any_of(shared.begin(), shared.end(), [](const auto& s) { return s.path == "/tmp"; }));
        const auto tty = docker({"run", "-t", "--rm", "bb:1", "echo", "tty-ok"});
        QVERIFY2(tty.exitCode == 0 && tty.out.contains("tty-ok"), qPrintable(test::describe(tty)));

        window()->openTerminal(m_shellId, "shell");
        auto* view = window()->terminalView(m_shellId);
        QVERIFY(view);
        auto* terminal = view->terminal();
        QVERIFY(QTest::qWaitForWindowExposed(view));
        QTRY_VERIFY2_WITH_TIMEOUT(view->running() && terminal->screenText().contains("#"),
                                  qPrintable(view->endMessage() + " / screen: " + terminal->screenText()), 30000);

        typeLine(terminal, "echo hi");
        QTRY_VERIFY_WITH_TIMEOUT(screenHasLine(terminal, "hi"), 20000);

        // A bigger window: the exec's TTY gets the widget's new rows and columns.
        const int rowsBefore = terminal->rows();
        view->resize(view->width() + 200, view->height() + 160);
        QTRY_VERIFY(terminal->rows() > rowsBefore);
        const auto size = QString("%1 %2").arg(terminal->rows()).arg(terminal->columns());
        // The resize travels on a request of its own, so a `stty` typed at once may still see the old
        // size; ask again until the new one shows.
        QElapsedTimer waited;
        waited.start();
        do {
            terminal->feed("\x1b[H\x1b[2J"); // a clean screen, so an old answer does not count
            typeLine(terminal, "stty size");
            QTest::qWait(2000);
        } while (!screenHasLine(terminal, size) && waited.elapsed() < 30000);
        QVERIFY2(screenHasLine(terminal, size), qPrintable("want " + size + " / screen:\n" + terminal->screenText()));

        typeLine(terminal, "printf '\\033[31mRED\\033[0m\\n'");
        QTRY_VERIFY_WITH_TIMEOUT(screenHasLine(terminal, "RED"), 20000);
        for (int row = 0; row < terminal->rows(); ++row)
            if (terminal->lineText(row) == "RED") {
                const auto red = terminal->foregroundAt(row, 0);
                QVERIFY2(red.red() > 150 && red.green() < 100 && red.blue() < 100, qPrintable(red.name()));
            }

        // Full-screen programs: busybox vi (it clears the screen and draws its own; it does not use
        // the alternate screen, which the widget's unit test covers) and top.
        typeLine(terminal, "vi /tmp/note");
        QTRY_VERIFY_WITH_TIMEOUT(terminal->screenText().contains("~") && terminal->screenText().contains("/tmp/note"),
                                 20000);
        QTest::keyClicks(terminal, "iwritten in vi");
        QTest::keyClick(terminal, Qt::Key_Escape);
        QTRY_VERIFY_WITH_TIMEOUT(screenHasLine(terminal, "written in vi"), 20000);
        screenshot(view, "desktop-terminal-vi");
        typeLine(terminal, ":wq");
        typeLine(terminal, "cat /tmp/note");
        QTRY_VERIFY_WITH_TIMEOUT(terminal->screenText().contains("cat /tmp/note\nwritten in vi"), 20000);
        typeLine(terminal, "top");
        QTRY_VERIFY_WITH_TIMEOUT(terminal->screenText().contains("PID") && terminal->screenText().contains("Mem:"),
                                 20000);
        screenshot(view, "desktop-terminal-top");
        QTest::keyClick(terminal, Qt::Key_Q);
        typeLine(terminal, "echo after-top");
        QTRY_VERIFY_WITH_TIMEOUT(screenHasLine(terminal, "after-top"), 20000);
        screenshot(view, "desktop-terminal");

        QSignalSpy ended(view, &app::TerminalView::sessionEnded);
        typeLine(terminal, "exit");
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 20000);
        QCOMPARE(ended.at(0).at(0).toInt(), 0);
        QVERIFY(!view->running());
        QVERIFY2(view->endMessage().contains("exited with code 0"), qPrintable(view->endMessage()));
        // The exec is gone from the container: only sleep runs.
        const auto top = docker({"top", "shell"});
        QVERIFY2(!top.out.contains(" sh") && !top.out.contains("bash"), qPrintable(top.out));

        // "New shell" opens another session in the same window.
        clickButton(view, "terminalNewShell");
        QTRY_VERIFY_WITH_TIMEOUT(view->running(), 10000);
        typeLine(terminal, "echo again");
        QTRY_VERIFY_WITH_TIMEOUT(screenHasLine(terminal, "again"), 20000);
        view->close();
    }

    // An image without a shell: the terminal says so instead of failing silently.
    void terminalWithoutAShellSaysSo()
    {
        QTemporaryDir root;
        QVERIFY(QFile::copy(BERTH_UDP_ECHO, root.filePath("udp-echo")));
        const auto tar = m_berth.path("noshell.tar");
        QCOMPARE(QProcess::execute("tar", {"-cf", tar, "-C", root.path(), "udp-echo"}), 0);
        QCOMPARE(docker({"import", tar, "noshell:1"}).exitCode, 0);
        auto run = docker({"run", "-d", "--name", "noshell", "noshell:1", "/udp-echo", "7777"});
        QVERIFY2(run.exitCode == 0, qPrintable(test::describe(run)));
        const auto id = containerId("noshell");

        window()->openTerminal(id, "noshell");
        auto* view = window()->terminalView(id);
        QVERIFY(view);
        QSignalSpy ended(view, &app::TerminalView::sessionEnded);
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 30000);
        QVERIFY2(view->endMessage().contains("no shell"), qPrintable(view->endMessage()));
        screenshot(view, "desktop-terminal-noshell");
        view->close();
        QCOMPARE(docker({"rm", "-f", "noshell"}).exitCode, 0);
    }

    // The stats window draws points for a busy container; the Activity page shows every
    // running container.
    void statsGraphsReceivePoints()
    {
        window()->openStats(m_busyId, "busy");
        auto* view = qobject_cast<app::ContainerStatsView*>(window()->statsView(m_busyId));
        QVERIFY(view);
        using M = app::ContainerStatsView;
        QTRY_VERIFY_WITH_TIMEOUT(view->pointCount(M::Cpu) >= 4, 60000);
        QVERIFY(view->pointCount(M::Memory) >= 4);
        QVERIFY(view->pointCount(M::NetworkRx) >= 3); // rates start at the second sample
        QVERIFY(view->pointCount(M::BlockWrite) >= 3);
        QVERIFY2(view->currentText().contains("CPU"), qPrintable(view->currentText()));
        screenshot(view, "desktop-stats");
        view->close();

        window()->showPage(MainWindow::Activity);
        auto* overview = window()->statsOverview();
        QTRY_VERIFY_WITH_TIMEOUT(overview->seriesCount() >= 2, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(overview->pointCount(m_busyId) >= 3, 30000);
        screenshot(window(), "desktop-activity");
    }

    // Enter on a container opens it inside the window. Its Files tab reads the container's
    // filesystem through the archive API: folders, a file and a folder downloaded, a link
    // followed, a missing path named; the other tabs and "Open in new window" work too.
    void containerDetailViewAndFiles()
    {
        const auto made =
            docker({"exec", "shell", "sh", "-c",
                    "mkdir -p /srv/data/deep && printf 'hello-files\n' > /srv/data/greeting.txt && "
                    "ln -s greeting.txt /srv/data/link && echo inner > /srv/data/deep/inner.txt && "
                    "head -c 300000 /dev/urandom > /srv/data/blob && md5sum /srv/data/blob"});
        QVERIFY2(made.exitCode == 0, qPrintable(test::describe(made)));
        const auto blobSum = made.out.split(' ').first().trimmed();

        window()->showPage(MainWindow::Containers);
        auto* containers = window()->containersView();
        QVERIFY(containers->reveal(m_shellId));
        window()->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(window()));
        containers->tree()->setFocus();
        QTest::keyClick(containers->tree(), Qt::Key_Return);
        QCOMPARE(int(window()->currentPage()), int(MainWindow::ContainerDetail));
        auto* detail = window()->detailView();
        QCOMPARE(detail->containerId(), m_shellId);
        QVERIFY2(detail->stateText().contains("Running"), qPrintable(detail->stateText()));
        QVERIFY(detail->logsView());

        detail->tabs()->setCurrentIndex(app::ContainerDetailView::Files);
        auto* files = detail->filesView();
        QVERIFY(files);
        QSignalSpy shown(files, &app::FilesView::folderShown);
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 60000);
        QCOMPARE(shown.last().at(1).toString(), QString());
        auto names = [files] {
            QStringList out;
            for (int row = 0; row < files->list()->topLevelItemCount(); ++row)
                out << files->list()->topLevelItem(row)->text(app::FilesView::Name);
            return out;
        };
        QVERIFY2(names().contains("etc") && names().contains("srv") && names().contains("bin"),
                 qPrintable(names().join(' ')));

        // Typed into the path field; /srv/data came with "/" and needs no second read.
        auto* path = test::child<QLineEdit>(files, "filesPath");
        QVERIFY(path);
        path->selectAll();
        QTest::keyClicks(path, "/srv/data/");
        QTest::keyClick(path, Qt::Key_Return);
        QCOMPARE(files->folder(), QString("/srv/data"));
        QCOMPARE(names(), (QStringList{"deep", "blob", "greeting.txt", "link"})); // folders first
        QCOMPARE(files->list()->topLevelItem(3)->text(app::FilesView::Link), QString("greeting.txt"));
        QCOMPARE(files->list()->topLevelItem(1)->text(app::FilesView::Mode).left(1), QString("-"));
        screenshot(window(), "desktop-container-files");

        QTemporaryDir saved;
        QVERIFY(saved.isValid());
        QSignalSpy downloaded(files, &app::FilesView::downloadFinished);
        auto download = [&](const QString& name, const QString& as) {
            const auto before = downloaded.size();
            files->download(name, saved.filePath(as));
            if (!QTest::qWaitFor([&] { return downloaded.size() > before; }, 60000))
                return QString("no end of the download of %1").arg(name);
            return downloaded.last().at(1).toString();
        };
        auto read = [&](const QString& name) {
            QFile file(saved.filePath(name));
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("(missing)");
        };
        // A file of the user's named like the download's temporary file is left as it is.
        {
            QFile mine(saved.filePath("greeting.txt.part"));
            QVERIFY(mine.open(QIODevice::WriteOnly) && mine.write("mine") == 4);
        }
        QCOMPARE(download("greeting.txt", "greeting.txt"), QString());
        QCOMPARE(read("greeting.txt.part"), QByteArray("mine"));
        QVERIFY(QFile::remove(saved.filePath("greeting.txt.part")));
        QCOMPARE(read("greeting.txt"), QByteArray("hello-files\n"));
        QCOMPARE(download("link", "via-link.txt"), QString()); // the file the link names
        QCOMPARE(read("via-link.txt"), QByteArray("hello-files\n"));
        QCOMPARE(download("blob", "blob"), QString());
        QCOMPARE(QCryptographicHash::hash(read("blob"), QCryptographicHash::Md5).toHex(), blobSum);
        QCOMPARE(download("deep", "deep.tar"), QString());
        const auto listing = test::runProcess("tar", {"-tf", saved.filePath("deep.tar")});
        QVERIFY2(listing.exitCode == 0 && listing.out.contains("deep/inner.txt"),
                 qPrintable(test::describe(listing)));
        QVERIFY(QDir(saved.path()).entryList({"*.part"}, QDir::Files).isEmpty());

        // A folder that is not there: the daemon's words, and the list stays where it was.
        shown.clear();
        files->openFolder("/no/such/place");
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 30000);
        QCOMPARE(shown.last().at(0).toString(), QString("/no/such/place"));
        QVERIFY(!shown.last().at(1).toString().isEmpty());
        QVERIFY2(files->stateText().contains("not find", Qt::CaseInsensitive) ||
                     files->stateText().contains("no such", Qt::CaseInsensitive),
                 qPrintable(files->stateText()));
        QCOMPARE(files->folder(), QString("/srv/data"));
        // Refresh reads again and sees what changed.
        QCOMPARE(docker({"exec", "shell", "touch", "/srv/data/added"}).exitCode, 0);
        shown.clear();
        test::child<QToolButton>(files, "filesRefresh")->click();
        QTRY_VERIFY_WITH_TIMEOUT(names().contains("added"), 60000);

        // The terminal tab runs a shell; the stats tab draws.
        detail->tabs()->setCurrentIndex(app::ContainerDetailView::Terminal);
        auto* tab = detail->terminalView();
        QVERIFY(tab);
        auto* terminal = tab->terminal();
        QTRY_VERIFY2_WITH_TIMEOUT(tab->running() && terminal->screenText().contains("#"),
                                  qPrintable(tab->endMessage() + " / screen: " + terminal->screenText()),
                                  30000);
        typeLine(terminal, "echo detail-$((6*7))");
        QTRY_VERIFY_WITH_TIMEOUT(screenHasLine(terminal, "detail-42"), 30000);
        detail->tabs()->setCurrentIndex(app::ContainerDetailView::Stats);
        auto* stats = qobject_cast<app::ContainerStatsView*>(detail->statsView());
        QVERIFY(stats);
        QTRY_VERIFY_WITH_TIMEOUT(stats->pointCount(app::ContainerStatsView::Memory) >= 2, 60000);
        screenshot(window(), "desktop-container-stats-tab");

        // Files in a window of its own, beside the tab.
        detail->tabs()->setCurrentIndex(app::ContainerDetailView::Files);
        test::child<QToolButton>(detail, "detailOpenWindow")->click();
        auto* own = window()->filesView(m_shellId);
        QVERIFY(own && own->isVisible() && own != files);
        QSignalSpy ownShown(own, &app::FilesView::folderShown);
        QTRY_VERIFY_WITH_TIMEOUT(!ownShown.isEmpty(), 60000);
        own->close();
        test::child<QToolButton>(detail, "detailBack")->click();
        QCOMPARE(int(window()->currentPage()), int(MainWindow::Containers));
    }

    // Inspect finds a label by search, copies its path and value; the summary hides secrets
    // until clicked. Images, volumes and networks inspect too.
    void inspectFindsALabel()
    {
        window()->openInspect(static_cast<int>(app::InspectView::Kind::Container), m_shellId, "shell");
        auto* view = window()->inspectView(m_shellId);
        QVERIFY(view);
        QTRY_VERIFY_WITH_TIMEOUT(view->loaded(), 20000);

        auto* env = view->environment();
        QVERIFY(env);
        int secretRow = -1, plainRow = -1;
        for (int row = 0; row < env->rowCount(); ++row) {
            if (env->item(row, 0)->text() == "DB_PASSWORD")
                secretRow = row;
            if (env->item(row, 0)->text() == "PLAIN")
                plainRow = row;
        }
        QVERIFY(secretRow >= 0 && plainRow >= 0);
        QVERIFY(!env->item(secretRow, 1)->text().contains(kSecret));
        QCOMPARE(env->item(plainRow, 1)->text(), QString("visible-value"));
        screenshot(view, "desktop-inspect-summary");
        const auto cell = env->visualItemRect(env->item(secretRow, 1)).center();
        QTest::mouseClick(env->viewport(), Qt::LeftButton, {}, cell);
        QCOMPARE(env->item(secretRow, 1)->text(), QString(kSecret));

        view->tabs()->setCurrentIndex(1);
        auto* search = test::child<QLineEdit>(view, "inspectSearch");
        QVERIFY(search);
        QTest::keyClicks(search, "com.example.team");
        QCOMPARE(view->matchText(), QString("1 of 1"));
        QCOMPARE(view->currentPath(), QString(".Config.Labels[\"com.example.team\"]"));
        QCOMPARE(view->currentValue(), QString("berth-depth"));
        clickButton(view, "inspectCopyValue");
        QCOMPARE(QApplication::clipboard()->text(), QString("berth-depth"));
        screenshot(view, "desktop-inspect");
        view->close();

        // An image, from the Images page's Inspect button.
        window()->showPage(MainWindow::Images);
        auto* images = window()->imagesView();
        QTRY_VERIFY_WITH_TIMEOUT(tableRow(images->table(), "bb") >= 0, 20000);
        images->table()->selectRow(tableRow(images->table(), "bb"));
        clickButton(images, "imagesInspect");
        app::InspectView* imageView = nullptr;
        QTRY_VERIFY((imageView = test::visibleWindow<app::InspectView>("inspectView")) != nullptr);
        QCOMPARE(imageView->kind(), app::InspectView::Kind::Image);
        QTRY_VERIFY_WITH_TIMEOUT(imageView->loaded(), 20000);
        imageView->search("Architecture");
        QCOMPARE(imageView->matchText(), QString("1 of 1"));
        QCOMPARE(imageView->currentPath(), QString(".Architecture"));
        QCOMPARE(imageView->currentValue(), QString("amd64"));
        imageView->close();
    }

    // Invalid memory is refused with a message and writes nothing; a valid change is saved,
    // asks to restart the engine, survives a restart of the app, and applies on confirmation
    // without losing containers.
    void settingsValidateSaveAndApply()
    {
        window()->showPage(MainWindow::Settings);
        auto* page = window()->settingsPage();
        const auto settingsFile = m_berth.instanceDir() + "/settings.json";
        const auto before = readFile(settingsFile);

        auto* memory = test::child<QSpinBox>(page, "settingsMemory");
        auto* cpus = test::child<QSpinBox>(page, "settingsCpus");
        QVERIFY(memory && cpus);
        memory->setValue(99999999);
        clickButton(page, "settingsApply");
        QVERIFY2(page->message().contains("memory", Qt::CaseInsensitive), qPrintable(page->message()));
        QCOMPARE(readFile(settingsFile), before);
        screenshot(window(), "desktop-settings-invalid");

        test::child<QPushButton>(page, "settingsRevert")->click();
        QCOMPARE(cpus->value(), 2);
        cpus->setValue(1);
        memory->setValue(1536);
        clickButton(page, "settingsApply");
        QMessageBox* confirm = nullptr;
        QTRY_VERIFY((confirm = test::visibleWindow<QMessageBox>("confirmRestart")) != nullptr);
        auto saved = vm::Settings::parse(readFile(settingsFile).toStdString(), "settings.json");
        QVERIFY(saved);
        QCOMPARE(saved->cpus, 1);
        QCOMPARE(saved->memoryMiB, 1536);
        screenshot(confirm, "desktop-settings-restart");

        // The app restarts (the engine keeps running): the page shows the saved values.
        confirm->reject();
        m_desktop.reset();
        makeDesktop();
        waitForEngine();
        QCOMPARE(test::child<QSpinBox>(window()->settingsPage(), "settingsCpus")->value(), 1);
        QCOMPARE(test::child<QSpinBox>(window()->settingsPage(), "settingsMemory")->value(), 1536);

        // Applying asks again; on confirmation the engine restarts with the new size, and the
        // containers are still there.
        // The data disk grows by 2 GiB with it; the engine's filesystem follows.
        const auto rootSize = [this] {
            const auto df = docker({"run", "--rm", "bb:1", "df", "-m", "/"});
            const auto fields = df.out.split('\n').value(1).simplified().split(' ');
            return fields.value(1).toLongLong();
        };
        const qint64 sizeBefore = rootSize();
        QVERIFY(sizeBefore > 0);
        window()->showPage(MainWindow::Settings);
        page = window()->settingsPage();
        test::child<QSpinBox>(page, "settingsMemory")->setValue(1600);
        auto* disk = test::child<QSpinBox>(page, "settingsDisk");
        const int diskBefore = disk->value();
        disk->setValue(diskBefore + 2);
        clickButton(page, "settingsApply");
        QTRY_VERIFY((confirm = test::visibleWindow<QMessageBox>("confirmRestart")) != nullptr);
        QSignalSpy finished(m_desktop->agent(), &app::AgentService::commandFinished);
        QPushButton* restart = nullptr;
        for (auto* button : confirm->findChildren<QPushButton*>())
            if (button->text().contains("Restart"))
                restart = button;
        QVERIFY(restart);
        restart->click();
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kBootTimeoutMs);
        QCOMPARE(finished.at(0).at(0).toString(), QString("restart"));
        QVERIFY(finished.at(0).at(1).toBool());
        waitForEngine();
        QCOMPARE(m_desktop->agent()->status().cpus, 1);
        QCOMPARE(m_desktop->agent()->status().memoryMiB, 1600);
        QCOMPARE(m_desktop->agent()->status().diskGiB, diskBefore + 2);
        const qint64 sizeAfter = rootSize();
        QVERIFY2(sizeAfter >= sizeBefore + 1900, qPrintable(QString("%1 → %2 MiB").arg(sizeBefore).arg(sizeAfter)));
        const auto ps = docker({"ps", "-a", "--format", "{{.Names}}"});
        QVERIFY2(ps.out.contains("shell") && ps.out.contains("busy"), qPrintable(ps.out));
        screenshot(window(), "desktop-settings");
    }

    // Troubleshoot: live logs, a diagnostics bundle without the secret, clean-up with a summary.
    void troubleshootLogsBundleAndCleanUp()
    {
        window()->showPage(MainWindow::Troubleshoot);
        auto* page = window()->troubleshootPage();
        QTRY_VERIFY_WITH_TIMEOUT(!page->agentLog()->toPlainText().isEmpty(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(page->consoleLog()->toPlainText().contains("berth"), 10000);
        screenshot(window(), "desktop-troubleshoot");

        QSignalSpy made(page, &app::TroubleshootPage::diagnosticsFinished);
        clickButton(page, "troubleDiagnostics");
        QTRY_COMPARE_WITH_TIMEOUT(made.count(), 1, 120000);
        QVERIFY2(made.at(0).at(0).toBool(), qPrintable(made.at(0).at(1).toString()));
        const auto bundle = page->lastBundle();
        QVERIFY(QFile::exists(bundle));
        QVERIFY(page->resultText().contains(bundle));
        QTemporaryDir unpacked;
        QCOMPARE(QProcess::execute("tar", {"-xzf", bundle, "-C", unpacked.path()}), 0);
        QStringList names;
        QByteArray everything;
        QDirIterator it(unpacked.path(), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const auto path = it.next();
            names << QFileInfo(path).fileName();
            everything += readFile(path);
        }
        for (const char* expected : {"agent.log", "console.log", "settings.json", "daemon.json", "status.json",
                                     "version.txt", "engine-info.json", "engine-version.json", "MANIFEST.txt"})
            QVERIFY2(names.contains(expected), qPrintable(names.join(", ") + " lacks " + expected));
        QVERIFY2(!everything.contains(kSecret), "the bundle holds the secret value");
        QVERIFY(everything.contains("team=depth")); // an ordinary label is kept
        QFile::remove(bundle);

        // Clean up: a stopped container and an unused volume are listed, then exactly those are
        // deleted. The running containers and the images in use stay; so do a listed container
        // started again while the question was open, and whatever stopped or became unused then.
        QCOMPARE(docker({"create", "--name", "leftover", "bb:1", "true"}).exitCode, 0);
        QCOMPARE(docker({"create", "--name", "revived", "bb:1", "sleep", "100000"}).exitCode, 0);
        QCOMPARE(docker({"volume", "create", "junk"}).exitCode, 0);
        QSignalSpy cleaned(page, &app::TroubleshootPage::cleanUpFinished);
        clickButton(page, "troubleCleanUp");
        QMessageBox* confirm = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((confirm = test::visibleWindow<QMessageBox>("confirmCleanUp")) != nullptr, 30000);
        for (const char* listed : {"leftover", "revived", "junk"})
            QVERIFY2(confirm->informativeText().contains(listed), qPrintable(confirm->informativeText()));
        QVERIFY(confirm->text().contains("frees about"));
        QVERIFY(!confirm->informativeText().contains(QRegularExpression("\\bshell\\b")));
        screenshot(confirm, "desktop-cleanup");
        QCOMPARE(docker({"start", "revived"}).exitCode, 0);
        QCOMPARE(docker({"create", "--name", "newcomer", "bb:1", "true"}).exitCode, 0);
        QCOMPARE(docker({"volume", "create", "late-junk"}).exitCode, 0);
        clickButton(confirm, "confirmCleanUpButton");
        QTRY_COMPARE_WITH_TIMEOUT(cleaned.count(), 1, 60000);
        QVERIFY2(cleaned.at(0).at(0).toBool(), qPrintable(cleaned.at(0).at(1).toString()));
        QVERIFY2(page->resultText().contains("revived"), qPrintable(page->resultText()));
        const auto ps = docker({"ps", "-a", "--format", "{{.Names}}"});
        const auto left = QString::fromUtf8(ps.out).split('\n', Qt::SkipEmptyParts);
        QVERIFY2(!left.contains("leftover"), qPrintable(left.join(' ')));
        for (const char* kept : {"shell", "revived", "newcomer"})
            QVERIFY2(left.contains(kept), qPrintable(left.join(' ') + " lacks " + kept));
        const auto volumes =
            QString::fromUtf8(docker({"volume", "ls", "-q"}).out).split('\n', Qt::SkipEmptyParts);
        QVERIFY2(!volumes.contains("junk") && volumes.contains("late-junk"), qPrintable(volumes.join(' ')));
        QCOMPARE(docker({"rm", "-f", "revived", "newcomer"}).exitCode, 0);
        QCOMPARE(docker({"volume", "rm", "late-junk"}).exitCode, 0);
    }

    void aboutShowsVersions()
    {
        window()->openAbout();
        auto* about = test::visibleWindow<app::AboutDialog>("aboutDialog");
        QVERIFY(about);
        auto* versions = test::child<QLabel>(about, "aboutVersions");
        QVERIFY(versions);
        QTRY_VERIFY_WITH_TIMEOUT(versions->text().contains("QEMU"), 30000);
        QVERIFY2(versions->text().contains("Docker") || versions->text().contains("ngine"),
                 qPrintable(versions->text()));
        screenshot(about, "desktop-about");
        about->close();
    }

    // Factory reset: after confirming, no container, image or volume is left and the settings
    // are the defaults.
    void factoryResetLeavesNothing()
    {
        QCOMPARE(docker({"volume", "create", "kept-until-reset"}).exitCode, 0);
        auto* page = window()->troubleshootPage();
        QSignalSpy finished(m_desktop->agent(), &app::AgentService::commandFinished);
        clickButton(page, "troubleFactoryReset");
        QMessageBox* confirm = nullptr;
        QTRY_VERIFY((confirm = test::visibleWindow<QMessageBox>("confirmFactoryReset")) != nullptr);
        QVERIFY(confirm->text().contains("containers, images and volumes will be deleted"));
        screenshot(confirm, "desktop-factory-reset");
        clickButton(confirm, "confirmFactoryResetButton");
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 180000);
        QCOMPARE(finished.at(0).at(0).toString(), QString("reset"));
        QVERIFY(finished.at(0).at(1).toBool());
        QVERIFY(!QFile::exists(m_berth.instanceDir() + "/daemon.json"));
        auto settings = vm::Settings::parse(readFile(m_berth.instanceDir() + "/settings.json").toStdString(), "s");
        QVERIFY(!QFile::exists(m_berth.instanceDir() + "/settings.json") || (settings && settings->cpus == 2));

        m_desktop->agent()->startEngine();
        waitForEngine();
        QCOMPARE(m_desktop->agent()->status().cpus, 2);
        QCOMPARE(docker({"ps", "-aq"}).out.trimmed(), QString());
        QCOMPARE(docker({"images", "-q"}).out.trimmed(), QString());
        QCOMPARE(docker({"volume", "ls", "-q"}).out.trimmed(), QString());
        QTRY_COMPARE_WITH_TIMEOUT(m_desktop->containers()->rowCount(), 0, kEngineTimeoutMs);
    }
};

QTEST_MAIN(TestDesktopDepth)
#include "tst_desktopdepth.moc"
