// berth-desktop driven through its real widgets against the real engine in the real VM: one
// Berth instance (one VM) for the whole executable, started by the app itself because no agent
// runs. Runs under a private X server with a tray host (tests/support/with-tray-host), so the
// tray icon is real. Screenshots of every view are saved under the build folder.
#include "AgentService.h"
#include "BerthHome.h"
#include "ComposeView.h"
#include "ContainerModel.h"
#include "ContainersView.h"
#include "Desktop.h"
#include "Dialogs.h"
#include "EngineGate.h"
#include "EngineService.h"
#include "GuiSupport.h"
#include "ImagesView.h"
#include "InspectView.h"
#include "LocalRegistry.h"
#include "LogsView.h"
#include "MainWindow.h"
#include "NetworksView.h"
#include "PullDialog.h"
#include "ResourceModels.h"
#include "RunDialog.h"
#include "RunProcess.h"
#include "StatusPanel.h"
#include "TestPaths.h"
#include "TrayIcon.h"
#include "VolumesView.h"

#include <csignal>
#include <memory>

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTableView>
#include <QTcpServer>
#include <QTest>
#include <QTextBlock>
#include <QToolButton>
#include <QTreeView>
#include <QTreeWidget>

using namespace berth;
using app::ContainerModel;
using app::ImageModel;
using app::MainWindow;
using test::ProcessRun;

namespace {

constexpr int kBootTimeoutMs = 420000; // a KVM probe, then a TCG boot on a busy two-core machine
constexpr int kEngineTimeoutMs = 60000;

} // namespace

class TestDesktop final : public QObject
{
    Q_OBJECT

private:
    test::BerthHome m_berth{"/tmp/berth-gui-XXXXXX"};
    std::unique_ptr<test::LocalRegistry> m_registry;
    std::unique_ptr<app::Desktop> m_desktop;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;
    QString m_artifacts;

    MainWindow* window() const { return m_desktop->window(); }
    ProcessRun docker(const QStringList& args) { return m_berth.docker(args); }

    void screenshot(QWidget* widget, const QString& name)
    {
        QVERIFY2(test::saveThemedScreenshots(widget, m_artifacts, name), qPrintable("cannot save " + name));
    }

    QString registry() const { return QString("10.0.2.2:%1").arg(m_registry->port()); }

    QModelIndex containerRow(const QString& name) const
    {
        const auto* model = m_desktop->containers();
        for (auto it = model->containers().cbegin(); it != model->containers().cend(); ++it)
            if (QString::fromStdString(it->name) == name)
                return model->indexOf(it.key());
        return {};
    }

    QString containerState(const QString& name) const
    {
        return containerRow(name).data(ContainerModel::StateRole).toString();
    }

    // Selects a container's row in the tree, as a click on it would.
    bool selectContainer(const QString& name)
    {
        const auto row = containerRow(name);
        return row.isValid() &&
               window()->containersView()->reveal(row.data(ContainerModel::IdRole).toString());
    }

    QAction* containerAction(const QString& name) { return test::child<QAction>(window()->containersView(), name); }

    int tableRow(QTableView* table, const QString& text) const
    {
        for (int row = 0; row < table->model()->rowCount(); ++row)
            if (table->model()->index(row, 0).data().toString().contains(text))
                return row;
        return -1;
    }

    // The Images table's row of a repository:tag (or an untagged image's short ID); -1 if none.
    int imageRow(const QString& reference) const
    {
        auto* images = test::child<QTableView>(window()->imagesView(), "imagesTable");
        for (int row = 0; row < images->model()->rowCount(); ++row)
            if (images->model()->index(row, 0).data(ImageModel::ReferenceRole).toString() == reference)
                return row;
        return -1;
    }

    void selectTableRow(QTableView* table, int row)
    {
        table->selectionModel()->select(table->model()->index(row, 0),
                                        QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }

    bool engineViewsShown() const
    {
        for (int page = 0; page < MainWindow::GatedPageCount; ++page)
            if (!window()->gate(static_cast<MainWindow::Page>(page))->showingContent())
                return false;
        return true;
    }

    void clickDialogButton(QMessageBox* box, const QString& buttonName)
    {
        auto* button = test::child<QPushButton>(box, buttonName);
        QVERIFY(button);
        QTest::mouseClick(button, Qt::LeftButton);
    }

    QAction* trayAction(const QString& name) const
    {
        for (auto* action : m_desktop->tray()->menu()->actions())
            if (action->objectName() == name)
                return action;
        return nullptr;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_berth.isValid());
        m_artifacts = QString(BERTH_ARTIFACTS_DIR);
        QVERIFY(QDir().mkpath(m_artifacts));

        // A local registry for the pull, which the engine reaches as an insecure registry through
        // the instance's daemon.json, the "Docker Engine" configuration a person may write too.
        m_registry = std::make_unique<test::LocalRegistry>(m_berth.path("registry"));
        QVERIFY2(m_registry->start(), qPrintable(m_registry->errorString()));
        QFile daemon(m_berth.instanceDir() + "/daemon.json");
        QVERIFY(daemon.open(QIODevice::WriteOnly));
        daemon.write(QString(R"({"insecure-registries": ["%1"]})").arg(registry()).toUtf8());
        daemon.close();

        // The tray host may take a moment to claim the tray.
        QTRY_VERIFY_WITH_TIMEOUT(QSystemTrayIcon::isSystemTrayAvailable(), 10000);

        auto instance = vm::Instance::open(m_berth.home().toStdString(), "default");
        QVERIFY2(instance, instance ? "" : instance.error().message.c_str());
        app::Desktop::Options options;
        options.agentProgram = (test::binDir() + "/berth").toStdString();
        m_desktop = std::make_unique<app::Desktop>(std::move(instance).value(), options);
        using Mode = QAbstractItemModelTester::FailureReportingMode;
        m_testers.push_back(
            std::make_unique<QAbstractItemModelTester>(m_desktop->containers(), Mode::QtTest));
        m_testers.push_back(std::make_unique<QAbstractItemModelTester>(m_desktop->images(), Mode::QtTest));
        m_testers.push_back(std::make_unique<QAbstractItemModelTester>(m_desktop->volumes(), Mode::QtTest));
        m_testers.push_back(std::make_unique<QAbstractItemModelTester>(m_desktop->networks(), Mode::QtTest));
        m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
            window()->containersView()->tree()->model(), Mode::QtTest));
    }

    void cleanupTestCase()
    {
        m_testers.clear();
        m_desktop.reset();
        // The agent outlives the app by design; the test ends it.
        const auto stop = m_berth.berth({"stop"});
        if (stop.exitCode != 0)
            qWarning() << "berth stop:" << test::describe(stop);
        m_registry.reset();
    }

    // With no agent running, the app starts one; the views say so until the engine answers.
    void startsTheEngineWhenNoAgentRuns()
    {
        m_desktop->start();
        QVERIFY(m_desktop->trayShown());
        QVERIFY(window()->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(m_desktop->agent()->busy() ||
                                     m_desktop->agent()->status().state != vm::EngineState::Stopped,
                                 10000);
        QVERIFY(!window()->gate(MainWindow::Containers)->showingContent());
        const auto* title = test::child<QLabel>(window()->gate(MainWindow::Containers), "gateTitle");
        QVERIFY(title);
        QTRY_VERIFY_WITH_TIMEOUT(title->text().contains("starting"), 60000);
        screenshot(window(), "desktop-starting");

        QTRY_VERIFY_WITH_TIMEOUT(engineViewsShown(), kBootTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(window()->statusPanel()->stateText(), QString("Engine running"),
                                  kEngineTimeoutMs);
        QCOMPARE(m_desktop->tray()->iconState(), QString("running"));
        QVERIFY(m_desktop->tray()->icon()->toolTip().contains("running"));
        const auto* accel = test::child<QLabel>(window()->statusPanel(), "statusAccelerator");
        QVERIFY(accel);
        if (m_desktop->agent()->status().accelerator == "tcg")
            QVERIFY2(accel->text().contains("TCG"), qPrintable(accel->text()));
        const auto* resources = test::child<QLabel>(window()->statusPanel(), "statusResources");
        QVERIFY2(resources->text().contains("CPU"), qPrintable(resources->text()));

        // The engine's own networks arrive with the first lists.
        auto* networks = test::child<QTableView>(window()->networksView(), "networksTable");
        QTRY_VERIFY_WITH_TIMEOUT(tableRow(networks, "bridge") >= 0, kEngineTimeoutMs);

        // A test image, imported from a terminal: the Images view hears of it from the engine.
        const auto imported = docker({"import", test::testImagesDir() + "/busybox.tar", "bb:1"});
        QVERIFY2(imported.exitCode == 0, qPrintable(test::describe(imported)));
        QTRY_VERIFY_WITH_TIMEOUT(imageRow("bb:1") >= 0, kEngineTimeoutMs);
        const auto kept = docker({"create", "--name", "gui-survivor", "bb:1", "true"});
        QVERIFY2(kept.exitCode == 0, qPrintable(test::describe(kept)));
        QTRY_VERIFY_WITH_TIMEOUT(containerRow("gui-survivor").isValid(), kEngineTimeoutMs);
    }

    // One row per name, as `docker images` lists them: Remove on a row removes that name only,
    // and the image stays under its others; the Run dialog offers every name.
    void imagesAreOneRowPerName()
    {
        const QStringList names{"app:1.0", "app:latest", "registry.example.com:5000/team/tools:2024.06"};
        for (const auto& name : names) {
            const auto tagged = docker({"tag", "bb:1", name});
            QVERIFY2(tagged.exitCode == 0, qPrintable(test::describe(tagged)));
        }
        window()->showPage(MainWindow::Images);
        auto* images = test::child<QTableView>(window()->imagesView(), "imagesTable");
        for (const auto& name : names)
            QTRY_VERIFY2_WITH_TIMEOUT(imageRow(name) >= 0, qPrintable(name), kEngineTimeoutMs);
        QVERIFY(imageRow("bb:1") >= 0);
        const int tools = imageRow("registry.example.com:5000/team/tools:2024.06");
        QCOMPARE(images->model()->index(tools, ImageModel::Repository).data().toString(),
                 QString("registry.example.com:5000/team/tools"));
        QCOMPARE(images->model()->index(tools, ImageModel::Tag).data().toString(), QString("2024.06"));
        QCOMPARE(images->model()->index(tools, ImageModel::Id).data().toString(),
                 images->model()->index(imageRow("bb:1"), ImageModel::Id).data().toString());

        selectTableRow(images, imageRow("app:latest"));
        QTest::mouseClick(test::child<QPushButton>(window()->imagesView(), "imagesRemove"), Qt::LeftButton);
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = test::visibleWindow<QMessageBox>("confirmRemoveImage")) != nullptr);
        QVERIFY2(box->text().contains("app:latest") && box->text().contains("bb:1"), qPrintable(box->text()));
        screenshot(box, "desktop-confirm-remove-image");
        clickDialogButton(box, "confirmRemoveImageButton");
        QTRY_VERIFY_WITH_TIMEOUT(imageRow("app:latest") < 0, kEngineTimeoutMs);
        const auto listed = docker({"images", "--format", "{{.Repository}}:{{.Tag}}"});
        QVERIFY2(listed.exitCode == 0, qPrintable(test::describe(listed)));
        const auto left = QString::fromUtf8(listed.out).split('\n', Qt::SkipEmptyParts);
        QVERIFY2(!left.contains("app:latest"), qPrintable(left.join(' ')));
        for (const auto& kept : {"bb:1", "app:1.0", "registry.example.com:5000/team/tools:2024.06"})
            QVERIFY2(left.contains(kept) && imageRow(kept) >= 0, kept);

        QTest::mouseClick(test::child<QPushButton>(window()->imagesView(), "imagesRun"), Qt::LeftButton);
        auto* dialog = window()->imagesView()->runDialog();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        auto* choices = test::child<QComboBox>(dialog, "runImage");
        for (const auto& offered : {"bb:1", "app:1.0", "registry.example.com:5000/team/tools:2024.06"})
            QVERIFY2(choices->findText(offered) >= 0, offered);
        QCOMPARE(choices->findText("app:latest"), -1);
        dialog->reject();
        for (const auto& name : {"app:1.0", "registry.example.com:5000/team/tools:2024.06"})
            QCOMPARE(docker({"rmi", name}).exitCode, 0);
        QTRY_VERIFY_WITH_TIMEOUT(imageRow("app:1.0") < 0, kEngineTimeoutMs);
    }

    // Images → Run…: the dialog checks what is typed, creates and starts the container, and
    // the dashboard shows its row.
    void runDialogStartsAContainer()
    {
        window()->showPage(MainWindow::Images);
        QTest::mouseClick(test::child<QPushButton>(window()->imagesView(), "imagesRun"), Qt::LeftButton);
        auto* dialog = window()->imagesView()->runDialog();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        auto* image = test::child<QComboBox>(dialog, "runImage");
        image->setCurrentText("bb:1");
        QTest::keyClicks(test::child<QLineEdit>(dialog, "runName"), "gui-web");
        auto* ports = test::child<QLineEdit>(dialog, "runPorts");
        QTest::keyClicks(ports, "8080:abc");
        auto* run = test::child<QPushButton>(dialog, "runButton");
        QVERIFY(run);
        QTRY_VERIFY(!run->isEnabled());
        QTRY_VERIFY(test::child<QLabel>(dialog, "runErrors")->isVisible());
        ports->clear();
        QTest::keyClicks(ports, "8080:80");
        QTest::keyClicks(test::child<QPlainTextEdit>(dialog, "runEnv"), "GREETING=hello-from-gui");
        QTest::keyClicks(test::child<QLineEdit>(dialog, "runCommand"),
                         "sh -c 'echo $GREETING; echo oops-on-stderr >&2; while true; do sleep 1; done'");
        QTRY_VERIFY(run->isEnabled());
        screenshot(dialog, "desktop-run-dialog");
        QTest::mouseClick(run, Qt::LeftButton);

        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isVisible(), kEngineTimeoutMs);
        QCOMPARE(window()->currentPage(), MainWindow::Containers);
        QTRY_COMPARE_WITH_TIMEOUT(containerState("gui-web"), QString("running"), kEngineTimeoutMs);
        const auto row = containerRow("gui-web");
        QTRY_VERIFY(row.siblingAtColumn(ContainerModel::Ports)
                        .data(ContainerModel::PortLinksRole)
                        .toStringList()
                        .contains("http://localhost:8080"));
        // The new container is the selected row.
        const auto selected = window()->containersView()->tree()->selectionModel()->selectedRows();
        QCOMPARE(selected.size(), 1);
        QCOMPARE(selected.front().data().toString(), QString("gui-web"));
        // A terminal sees the same container.
        const auto ps = docker({"ps", "--filter", "name=gui-web", "--format", "{{.Names}} {{.Ports}}"});
        QVERIFY2(ps.out.contains("gui-web") && ps.out.contains("8080->80/tcp"),
                 qPrintable(test::describe(ps)));
        // CPU and memory figures come from the container's stats stream.
        QTRY_VERIFY_WITH_TIMEOUT(
            !containerRow("gui-web").siblingAtColumn(ContainerModel::Memory).data().toString().isEmpty(),
            kEngineTimeoutMs);
        screenshot(window(), "desktop-containers");
    }

    // A container from Run that exits at once: the dialog closes, a box gives its code and last
    // output, and the row says "Exited (3) · just now". A container killed from a terminal says
    // 137 the same way.
    void runReportsAnExitAtOnce()
    {
        window()->showPage(MainWindow::Images);
        QTest::mouseClick(test::child<QPushButton>(window()->imagesView(), "imagesRun"), Qt::LeftButton);
        auto* dialog = window()->imagesView()->runDialog();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        test::child<QComboBox>(dialog, "runImage")->setCurrentText("bb:1");
        for (const char* field : {"runName", "runPorts", "runCommand"})
            test::child<QLineEdit>(dialog, field)->clear();
        test::child<QPlainTextEdit>(dialog, "runEnv")->clear();
        QTest::keyClicks(test::child<QLineEdit>(dialog, "runName"), "gui-fails");
        QTest::keyClicks(test::child<QLineEdit>(dialog, "runCommand"),
                         "sh -c 'echo starting; echo cannot-find-config.yml >&2; exit 3'");
        auto* run = test::child<QPushButton>(dialog, "runButton");
        QTRY_VERIFY(run->isEnabled());
        QTest::mouseClick(run, Qt::LeftButton);

        QMessageBox* box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((box = test::visibleWindow<QMessageBox>("runExitedAtOnce")) != nullptr,
                                 kEngineTimeoutMs);
        QVERIFY(!dialog->isVisible());
        QVERIFY2(box->text().contains("gui-fails") && box->text().contains("code 3"),
                 qPrintable(box->text()));
        QVERIFY2(box->informativeText().contains("cannot-find-config.yml") &&
                     box->informativeText().contains("starting"),
                 qPrintable(box->informativeText()));
        screenshot(box, "desktop-run-exited");
        box->accept();
        const auto stateText = [this](const QString& name) {
            return containerRow(name).siblingAtColumn(ContainerModel::State).data().toString();
        };
        QTRY_COMPARE_WITH_TIMEOUT(stateText("gui-fails"), QString::fromUtf8("Exited (3) \u00b7 just now"),
                                  kEngineTimeoutMs);
        QCOMPARE(containerRow("gui-fails").data(ContainerModel::ExitCodeRole).toInt(), 3);

        QCOMPARE(docker({"run", "-d", "--name", "gui-killed", "bb:1", "sleep", "100000"}).exitCode, 0);
        QTRY_COMPARE_WITH_TIMEOUT(stateText("gui-killed"), QString("Running"), kEngineTimeoutMs);
        QCOMPARE(docker({"kill", "gui-killed"}).exitCode, 0);
        QTRY_COMPARE_WITH_TIMEOUT(stateText("gui-killed"), QString::fromUtf8("Exited (137) \u00b7 just now"),
                                  kEngineTimeoutMs);
        QCOMPARE(docker({"rm", "gui-fails", "gui-killed"}).exitCode, 0);
        QTRY_VERIFY_WITH_TIMEOUT(!containerRow("gui-killed").isValid(), kEngineTimeoutMs);
    }

    // A port another program holds on this computer: the status strip says so, naming the
    // container, until the port is free and Berth publishes it.
    void takenHostPortShowsAWarning()
    {
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
        const auto port = QString::number(squatter.serverPort());
        const auto run = docker({"run", "-d", "--name", "gui-clash", "-p", port + ":80", "bb:1", "sleep", "100000"});
        QVERIFY2(run.exitCode == 0, qPrintable(test::describe(run)));
        auto* warnings = window()->findChild<QLabel*>("statusWarnings");
        QVERIFY(warnings);
        QTRY_VERIFY_WITH_TIMEOUT(warnings->isVisible(), 10000);
        QCOMPARE(warnings->text(), QString("⚠ 1 warning"));
        QVERIFY2(warnings->toolTip().contains("container 'gui-clash' publishes port " + port + "/tcp") &&
                     warnings->toolTip().contains("another program on this computer is using"),
                 qPrintable(warnings->toolTip()));
        screenshot(window(), "desktop-port-warning");
        squatter.close();
        QTRY_VERIFY_WITH_TIMEOUT(!warnings->isVisible(), 15000);
        QCOMPARE(docker({"rm", "-f", "gui-clash"}).exitCode, 0);
    }

    // Logs follow the container: a line it printed is there, stderr looks different, and the
    // search finds the line.
    void logsShowWhatTheContainerPrinted()
    {
        QVERIFY(selectContainer("gui-web"));
        containerAction("containersLogs")->trigger();
        const auto id = containerRow("gui-web").data(ContainerModel::IdRole).toString();
        app::LogsView* logs = nullptr;
        QTRY_VERIFY((logs = window()->logsView(id)) != nullptr);
        auto* text = test::child<QPlainTextEdit>(logs, "logsText");
        QTRY_VERIFY_WITH_TIMEOUT(text->toPlainText().contains("hello-from-gui"), kEngineTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(text->toPlainText().contains("oops-on-stderr"), kEngineTimeoutMs);
        QColor stdoutColour, stderrColour;
        for (auto block = text->document()->begin(); block.isValid(); block = block.next()) {
            for (auto it = block.begin(); !it.atEnd(); ++it) {
                const auto fragment = it.fragment();
                if (fragment.text().contains("hello-from-gui"))
                    stdoutColour = fragment.charFormat().foreground().color();
                if (fragment.text().contains("oops-on-stderr"))
                    stderrColour = fragment.charFormat().foreground().color();
            }
        }
        QVERIFY(stderrColour.isValid());
        QVERIFY2(stdoutColour != stderrColour, "stderr must look different from stdout");
        QTest::keyClicks(test::child<QLineEdit>(logs, "logsSearch"), "hello-from");
        QTRY_COMPARE(test::child<QLabel>(logs, "logsMatches")->text(), QString("1 of 1"));
        screenshot(logs, "desktop-logs");
        logs->close();
    }

    // Stop from the toolbar: the row's state follows the engine's events.
    void stopChangesTheRowState()
    {
        window()->showPage(MainWindow::Containers);
        QVERIFY(selectContainer("gui-web"));
        auto* stop = containerAction("containersStop");
        QTRY_VERIFY(stop->isEnabled());
        stop->trigger();
        // Its shell ignores SIGTERM, so the engine waits 10 s before SIGKILL: meanwhile the row
        // says so, and the container takes no other action.
        QTRY_COMPARE_WITH_TIMEOUT(
            containerRow("gui-web").siblingAtColumn(ContainerModel::State).data().toString(),
            QString::fromUtf8("Stopping\u2026"), 2000);
        QVERIFY(!stop->isEnabled());
        QVERIFY(!containerAction("containersRestart")->isEnabled());
        QVERIFY(!containerAction("containersDelete")->isEnabled());
        QCOMPARE(containerState("gui-web"), QString("running"));
        QTRY_COMPARE_WITH_TIMEOUT(containerState("gui-web"), QString("exited"), kEngineTimeoutMs);
        QTRY_VERIFY(containerAction("containersStart")->isEnabled());
        QTRY_VERIFY(containerRow("gui-web")
                        .siblingAtColumn(ContainerModel::State)
                        .data()
                        .toString()
                        .startsWith("Exited (137)"));
        const auto inspect = docker({"inspect", "-f", "{{.State.Status}}", "gui-web"});
        QCOMPARE(QString::fromUtf8(inspect.out).trimmed(), QString("exited"));
    }

    // Delete asks first; only the confirmation's Delete removes the container.
    void deleteGoesThroughTheConfirmation()
    {
        QVERIFY(selectContainer("gui-web"));
        containerAction("containersDelete")->trigger();
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = test::visibleWindow<QMessageBox>("confirmDelete")) != nullptr);
        QVERIFY(box->text().contains("gui-web"));
        QTest::mouseClick(box->button(QMessageBox::Cancel), Qt::LeftButton);
        QTRY_VERIFY(!test::visibleWindow<QMessageBox>("confirmDelete"));
        QTest::qWait(300); // nothing may happen after Cancel: give it a chance to
        QVERIFY(containerRow("gui-web").isValid());

        QVERIFY(selectContainer("gui-web"));
        containerAction("containersDelete")->trigger();
        QTRY_VERIFY((box = test::visibleWindow<QMessageBox>("confirmDelete")) != nullptr);
        clickDialogButton(box, "confirmDeleteButton");
        QTRY_VERIFY_WITH_TIMEOUT(!containerRow("gui-web").isValid(), kEngineTimeoutMs);
        const auto ps = docker({"ps", "-a", "--filter", "name=gui-web", "-q"});
        QVERIFY2(ps.exitCode == 0 && ps.out.trimmed().isEmpty(), qPrintable(test::describe(ps)));
    }

    // Containers of a Compose project sit under its group row; an action on the group applies
    // to each of them, and the filter finds them by the project's name.
    void composeProjectsAreGroups()
    {
        for (const auto& service : {QString("web"), QString("db")}) {
            const auto made = docker({"create", "--name", "guiproj-" + service, "--label",
                                      "com.docker.compose.project=guiproj", "--label",
                                      "com.docker.compose.service=" + service, "bb:1", "sh", "-c",
                                      "echo hello-from-" + service + "; exec sleep 100000"});
            QVERIFY2(made.exitCode == 0, qPrintable(test::describe(made)));
        }
        window()->showPage(MainWindow::Containers);
        auto* tree = window()->containersView()->tree();
        auto* model = tree->model();
        QPersistentModelIndex group;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (int row = 0; row < model->rowCount(); ++row)
                    if (model->index(row, 0).data().toString() == "guiproj")
                        group = model->index(row, 0);
                return group.isValid() && model->rowCount(group) == 2;
            }(),
            kEngineTimeoutMs);
        QVERIFY(tree->isExpanded(group));
        tree->selectionModel()->select(group,
                                       QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        auto* start = containerAction("containersStart");
        QTRY_VERIFY(start->isEnabled());
        start->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(containerState("guiproj-web"), QString("running"), kEngineTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(containerState("guiproj-db"), QString("running"), kEngineTimeoutMs);
        QTRY_COMPARE(model->index(group.row(), ContainerModel::State).data().toString(),
                     QString("2 of 2 running"));

        auto* filter = test::child<QLineEdit>(window()->containersView(), "containersFilter");
        QTest::keyClicks(filter, "guiproj");
        QTRY_COMPARE(model->rowCount(), 1);
        QCOMPARE(model->rowCount(model->index(0, 0)), 2);
        screenshot(window(), "desktop-compose-group");
        filter->clear();

        // The project as a whole: one logs window with both containers' lines, prefixed as
        // `docker compose logs` does; no terminal or chart for it; and Delete names it and its
        // containers before deleting them.
        QTRY_VERIFY(group.isValid());
        tree->selectionModel()->select(group,
                                       QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QTRY_VERIFY(containerAction("containersLogs")->isEnabled());
        containerAction("containersLogs")->trigger();
        app::LogsView* logs = nullptr;
        QTRY_VERIFY((logs = window()->logsView("project:guiproj")) != nullptr);
        QVERIFY(!window()->logsView(containerRow("guiproj-web").data(ContainerModel::IdRole).toString()));
        auto* text = test::child<QPlainTextEdit>(logs, "logsText");
        QTRY_VERIFY_WITH_TIMEOUT(text->toPlainText().contains("web | hello-from-web") &&
                                     text->toPlainText().contains("db  | hello-from-db"),
                                 kEngineTimeoutMs);
        screenshot(logs, "desktop-compose-logs");
        logs->close();
        QTRY_VERIFY(containerAction("containersDelete")->isEnabled());
        QVERIFY(!containerAction("containersTerminal")->isEnabled());
        QVERIFY(!containerAction("containersStats")->isEnabled());
        containerAction("containersDelete")->trigger();
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = test::visibleWindow<QMessageBox>("confirmDelete")) != nullptr);
        QVERIFY2(box->text().contains("Compose project guiproj") && box->text().contains("2 containers"),
                 qPrintable(box->text()));
        QVERIFY2(box->informativeText().contains("guiproj-web") &&
                     box->informativeText().contains("guiproj-db"),
                 qPrintable(box->informativeText()));
        screenshot(box, "desktop-confirm-delete-project");
        clickDialogButton(box, "confirmDeleteButton");
        QTRY_VERIFY_WITH_TIMEOUT(!containerRow("guiproj-web").isValid() &&
                                     !containerRow("guiproj-db").isValid(),
                                 kEngineTimeoutMs);
    }

    // The Compose page, with a project made by the real `docker compose`: its services, state and
    // file; Restart, merged Logs, Down (asked first; the project stays listed as down) and Up
    // again from the file, each through compose itself; Up with the file gone says so.
    void composeViewUpDownRestart()
    {
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        const auto file = folder.filePath("compose.yaml");
        {
            QFile yaml(file);
            QVERIFY(yaml.open(QIODevice::WriteOnly));
            yaml.write("services:\n"
                       "  web:\n    image: bb:1\n    command: [\"sh\", \"-c\", \"echo web-says-hi; exec "
                       "sleep 100000\"]\n"
                       "  worker:\n    image: bb:1\n    command: [\"sh\", \"-c\", \"echo worker-says-hi; "
                       "exec sleep 100000\"]\n");
        }
        const auto up = test::runProcess(test::binDir() + "/cli-plugins/docker-compose",
                                         {"--project-name", "guicompose", "--file", file, "up", "--detach"},
                                         {}, 180000, m_berth.environment());
        QVERIFY2(up.exitCode == 0, qPrintable(test::describe(up)));

        window()->showPage(MainWindow::Compose);
        auto* view = window()->composeView();
        QTRY_COMPARE_WITH_TIMEOUT(view->projects().value("guicompose").running, 2, kEngineTimeoutMs);
        auto projectRow = [view]() -> QTreeWidgetItem* {
            for (int row = 0; row < view->tree()->topLevelItemCount(); ++row)
                if (view->tree()->topLevelItem(row)->text(app::ComposeView::Name) == "guicompose")
                    return view->tree()->topLevelItem(row);
            return nullptr;
        };
        QTRY_VERIFY(projectRow() && projectRow()->childCount() == 2);
        QCOMPARE(projectRow()->child(0)->text(app::ComposeView::Name), QString("web"));
        QCOMPARE(projectRow()->child(1)->text(app::ComposeView::Name), QString("worker"));
        QCOMPARE(projectRow()->child(0)->text(app::ComposeView::Detail), QString("guicompose-web-1"));
        QCOMPARE(projectRow()->text(app::ComposeView::State), QString("running"));
        QCOMPARE(projectRow()->text(app::ComposeView::Detail), file);
        QVERIFY2(!view->stateText().contains("No Compose projects"), qPrintable(view->stateText()));
        auto* sidebar = window()->findChild<QListWidget*>("sidebar");
        QVERIFY(sidebar->item(MainWindow::Compose)->data(Qt::UserRole + 1).toInt() >= 1);
        QVERIFY(view->selectProject("guicompose"));
        screenshot(window(), "desktop-compose-view");

        QSignalSpy finished(view, &app::ComposeView::actionFinished);
        auto lastError = [&] {
            return finished.isEmpty() ? QString("(none)") : finished.last().at(2).toString();
        };
        const auto startedBefore = docker({"inspect", "-f", "{{.State.StartedAt}}", "guicompose-web-1"}).out;
        test::child<QToolButton>(view, "composeRestart")->click();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 180000);
        QCOMPARE(lastError(), QString());
        QVERIFY(docker({"inspect", "-f", "{{.State.StartedAt}}", "guicompose-web-1"}).out != startedBefore);

        test::child<QToolButton>(view, "composeLogs")->click();
        app::LogsView* logs = nullptr;
        QTRY_VERIFY((logs = window()->logsView("project:guicompose")) != nullptr);
        auto* text = test::child<QPlainTextEdit>(logs, "logsText");
        QTRY_VERIFY_WITH_TIMEOUT(text->toPlainText().contains("web-1    | web-says-hi") &&
                                     text->toPlainText().contains("worker-1 | worker-says-hi"),
                                 kEngineTimeoutMs);
        logs->close();

        // Down asks, naming the containers; then compose removes them and the project stays.
        test::child<QToolButton>(view, "composeDown")->click();
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = test::visibleWindow<QMessageBox>("confirmComposeDown")) != nullptr);
        QVERIFY2(box->informativeText().contains("guicompose-web-1") &&
                     box->informativeText().contains("guicompose-worker-1"),
                 qPrintable(box->informativeText()));
        screenshot(box, "desktop-confirm-compose-down");
        clickDialogButton(box, "confirmComposeDownButton");
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 180000);
        QCOMPARE(lastError(), QString());
        const auto gone =
            docker({"ps", "-a", "-q", "--filter", "label=com.docker.compose.project=guicompose"});
        QVERIFY2(gone.exitCode == 0 && gone.out.trimmed().isEmpty(), qPrintable(test::describe(gone)));
        QTRY_VERIFY_WITH_TIMEOUT(projectRow() && projectRow()->text(app::ComposeView::State) == "down",
                                 kEngineTimeoutMs);

        // Up from the app makes them again from the file.
        QVERIFY(view->selectProject("guicompose"));
        test::child<QToolButton>(view, "composeUp")->click();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, 180000);
        QCOMPARE(lastError(), QString());
        QTRY_COMPARE_WITH_TIMEOUT(view->projects().value("guicompose").running, 2, kEngineTimeoutMs);

        // The file gone: Up says which file it needs; Down still works from the name alone.
        QVERIFY(QFile::remove(file));
        view->run("guicompose", app::ComposeAction::Up);
        QCOMPARE(finished.size(), 4);
        QVERIFY2(lastError().contains(file) && view->stateText().contains(file), qPrintable(lastError()));
        view->run("guicompose", app::ComposeAction::Down);
        QTRY_VERIFY((box = test::visibleWindow<QMessageBox>("confirmComposeDown")) != nullptr);
        clickDialogButton(box, "confirmComposeDownButton");
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 5, 180000);
        QCOMPARE(lastError(), QString());
        QTRY_VERIFY_WITH_TIMEOUT(view->projects().value("guicompose").services.isEmpty(), kEngineTimeoutMs);
    }

    // Pull from the local registry: per-layer progress to completion, and the image appears;
    // a missing tag shows the daemon's own error.
    void pullShowsProgressAndTheImage()
    {
        // An image with a layer of its own, so that the pull really downloads one.
        const auto remote = registry() + "/gui/pulled:1";
        for (const auto& args : {QStringList{"run", "--name", "gui-layer", "bb:1", "sh", "-c",
                                             "head -c 3000000 /dev/urandom >/blob"},
                                 QStringList{"commit", "gui-layer", remote}, QStringList{"rm", "gui-layer"},
                                 QStringList{"push", remote}, QStringList{"rmi", remote}}) {
            const auto run = docker(args);
            QVERIFY2(run.exitCode == 0, qPrintable(test::describe(run)));
        }
        window()->showPage(MainWindow::Images);
        QTRY_VERIFY(imageRow(remote) < 0);

        QTest::mouseClick(test::child<QPushButton>(window()->imagesView(), "imagesPull"), Qt::LeftButton);
        auto* dialog = window()->imagesView()->pullDialog();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        QTest::keyClicks(test::child<QLineEdit>(dialog, "pullReference"),
                         registry() + "/gui/pulled:does-not-exist");
        QTest::mouseClick(test::child<QPushButton>(dialog, "pullButton"), Qt::LeftButton);
        auto* status = test::child<QLabel>(dialog, "pullStatus");
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isPulling(), kEngineTimeoutMs);
        QVERIFY2(status->text().contains("not found") || status->text().contains("unknown"),
                 qPrintable(status->text()));

        auto* reference = test::child<QLineEdit>(dialog, "pullReference");
        reference->clear();
        QTest::keyClicks(reference, remote);
        QTest::mouseClick(test::child<QPushButton>(dialog, "pullButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isPulling(), kEngineTimeoutMs);
        QVERIFY2(status->text().startsWith("Pulled"), qPrintable(status->text()));
        auto* layers = test::child<QTreeWidget>(dialog, "pullLayers");
        QVERIFY(layers);
        QVERIFY(layers->topLevelItemCount() >= 1);
        for (int i = 0; i < layers->topLevelItemCount(); ++i) {
            auto* bar = qobject_cast<QProgressBar*>(layers->itemWidget(layers->topLevelItem(i), 2));
            QVERIFY(bar);
            QCOMPARE(bar->value(), bar->maximum());
        }
        screenshot(dialog, "desktop-pull");
        QTRY_VERIFY_WITH_TIMEOUT(imageRow(remote) >= 0, kEngineTimeoutMs);
        // Its layers: the committed one on top (3 MB, made by the container's command) over
        // the imported one; no container uses it.
        auto* imagesTable = test::child<QTableView>(window()->imagesView(), "imagesTable");
        selectTableRow(imagesTable, imageRow(remote));
        const auto imageId =
            imagesTable->model()->index(imageRow(remote), 0).data(ImageModel::IdRole).toString();
        QTest::mouseClick(test::child<QPushButton>(window()->imagesView(), "imagesInspect"), Qt::LeftButton);
        app::InspectView* inspect = nullptr;
        QTRY_VERIFY((inspect = window()->inspectView(imageId)) != nullptr);
        QVERIFY(inspect->layers());
        QCOMPARE(inspect->tabs()->tabText(0), QString("Layers"));
        QTRY_COMPARE_WITH_TIMEOUT(inspect->layers()->topLevelItemCount(), 2, kEngineTimeoutMs);
        const auto* top = inspect->layers()->topLevelItem(0);
        QVERIFY2(top->text(2).contains("head -c 3000000"), qPrintable(top->text(2)));
        QVERIFY2(top->text(0).endsWith("MiB"), qPrintable(top->text(0)));
        QCOMPARE(inspect->layers()->topLevelItem(1)->text(2), QString("Imported from -"));
        QTRY_COMPARE(inspect->imageUsers()->text(), QString("No container uses this image."));
        screenshot(inspect, "desktop-image-layers");
        inspect->close();
        dialog->close();
        screenshot(window(), "desktop-images");
    }

    // Volumes: create through the dialog, refuse to remove one in use, remove it when free.
    void createAndRemoveAVolume()
    {
        window()->showPage(MainWindow::Volumes);
        auto* view = window()->volumesView();
        auto* table = test::child<QTableView>(view, "volumesTable");
        QTest::mouseClick(test::child<QPushButton>(view, "volumesCreate"), Qt::LeftButton);
        app::TextDialog* input = nullptr;
        QTRY_VERIFY((input = test::visibleWindow<app::TextDialog>("createVolume")) != nullptr);
        // An invalid name is marked as typed, and kept to be corrected.
        QTest::keyClicks(input->field(), "gui volume");
        QVERIFY(!input->okButton()->isEnabled());
        QVERIFY(input->problemLabel()->isVisible());
        QTest::keyClick(input->field(), Qt::Key_Return);
        QVERIFY(input->isVisible());
        screenshot(input, "desktop-create-volume-invalid");
        input->field()->setText("gui-volume");
        QVERIFY(input->okButton()->isEnabled());
        QTest::mouseClick(input->okButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(tableRow(table, "gui-volume") >= 0, kEngineTimeoutMs);
        QVERIFY(docker({"volume", "inspect", "gui-volume"}).exitCode == 0);

        // In use by a container: the removal is refused with the container named.
        const auto user =
            docker({"create", "--name", "gui-volume-user", "-v", "gui-volume:/data", "bb:1", "true"});
        QVERIFY2(user.exitCode == 0, qPrintable(test::describe(user)));
        const int row = tableRow(table, "gui-volume");
        QTRY_VERIFY_WITH_TIMEOUT(table->model()
                                         ->index(tableRow(table, "gui-volume"), app::VolumeModel::UsedBy)
                                         .data()
                                         .toString() == "gui-volume-user",
                                 kEngineTimeoutMs);
        selectTableRow(table, row);
        QTest::mouseClick(test::child<QPushButton>(view, "volumesRemove"), Qt::LeftButton);
        QMessageBox* refusal = nullptr;
        QTRY_VERIFY((refusal = test::visibleWindow<QMessageBox>("volumesViewError")) != nullptr);
        QVERIFY2(refusal->text().contains("gui-volume-user"), qPrintable(refusal->text()));
        screenshot(window(), "desktop-volumes");
        refusal->accept();
        QVERIFY(docker({"rm", "gui-volume-user"}).exitCode == 0);
        QTRY_VERIFY_WITH_TIMEOUT(table->model()
                                     ->index(tableRow(table, "gui-volume"), app::VolumeModel::UsedBy)
                                     .data()
                                     .toString()
                                     .isEmpty(),
                                 kEngineTimeoutMs);

        selectTableRow(table, tableRow(table, "gui-volume"));
        QTest::mouseClick(test::child<QPushButton>(view, "volumesRemove"), Qt::LeftButton);
        QMessageBox* confirm = nullptr;
        QTRY_VERIFY((confirm = test::visibleWindow<QMessageBox>("confirmRemoveVolume")) != nullptr);
        clickDialogButton(confirm, "confirmRemoveVolumeButton");
        QTRY_VERIFY_WITH_TIMEOUT(tableRow(table, "gui-volume") < 0, kEngineTimeoutMs);
        QVERIFY(docker({"volume", "inspect", "gui-volume"}).exitCode != 0);
    }

    void createAndRemoveANetwork()
    {
        window()->showPage(MainWindow::Networks);
        auto* view = window()->networksView();
        auto* table = test::child<QTableView>(view, "networksTable");
        QTest::mouseClick(test::child<QPushButton>(view, "networksCreate"), Qt::LeftButton);
        app::TextDialog* input = nullptr;
        QTRY_VERIFY((input = test::visibleWindow<app::TextDialog>("createNetwork")) != nullptr);
        input->field()->setText("gui-net");
        QTest::mouseClick(input->okButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(tableRow(table, "gui-net") >= 0, kEngineTimeoutMs);
        QVERIFY(!table->model()
                     ->index(tableRow(table, "gui-net"), app::NetworkModel::Subnet)
                     .data()
                     .toString()
                     .isEmpty());
        screenshot(window(), "desktop-networks");
        selectTableRow(table, tableRow(table, "gui-net"));
        QTest::mouseClick(test::child<QPushButton>(view, "networksRemove"), Qt::LeftButton);
        QMessageBox* confirm = nullptr;
        QTRY_VERIFY((confirm = test::visibleWindow<QMessageBox>("confirmRemoveNetwork")) != nullptr);
        clickDialogButton(confirm, "confirmRemoveNetworkButton");
        QTRY_VERIFY_WITH_TIMEOUT(tableRow(table, "gui-net") < 0, kEngineTimeoutMs);
    }

    // The VM dies under the app: every view says the engine stopped; Start brings them back,
    // with the containers the engine kept.
    void killingTheVmShowsEngineStoppedAndStartRecovers()
    {
        // gui-survivor was made in the first test, long enough ago to be on the data disk.
        QTRY_VERIFY_WITH_TIMEOUT(containerRow("gui-survivor").isValid(), kEngineTimeoutMs);
        const int vmPid = m_desktop->agent()->status().vmPid;
        QVERIFY(vmPid > 0);
        QCOMPARE(::kill(vmPid, SIGKILL), 0);

        QTRY_VERIFY_WITH_TIMEOUT(!window()->gate(MainWindow::Containers)->showingContent(), kEngineTimeoutMs);
        for (int page = 0; page < MainWindow::GatedPageCount; ++page) {
            auto* gate = window()->gate(static_cast<MainWindow::Page>(page));
            QTRY_VERIFY(!gate->showingContent());
            QTRY_VERIFY2(test::child<QLabel>(gate, "gateTitle")->text().contains("stopped"),
                         qPrintable(test::child<QLabel>(gate, "gateTitle")->text()));
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_desktop->tray()->iconState(), QString("error"), kEngineTimeoutMs);
        window()->showPage(MainWindow::Containers);
        screenshot(window(), "desktop-engine-stopped");

        auto* start = test::child<QPushButton>(window()->gate(MainWindow::Containers), "gateStart");
        QTRY_VERIFY(start->isVisible() && start->isEnabled());
        QTest::mouseClick(start, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(engineViewsShown(), kBootTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(containerRow("gui-survivor").isValid(), kEngineTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(imageRow("bb:1") >= 0, kEngineTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(m_desktop->tray()->iconState(), QString("running"), kEngineTimeoutMs);
    }

    // Quit from the tray asks first while containers run; Cancel keeps everything as it was.
    void trayQuitAsksWhileContainersRun()
    {
        const auto run = docker({"run", "-d", "--name", "gui-quit", "bb:1", "sleep", "100000"});
        QVERIFY2(run.exitCode == 0, qPrintable(test::describe(run)));
        QTRY_COMPARE_WITH_TIMEOUT(containerState("gui-quit"), QString("running"), kEngineTimeoutMs);
        auto* quit = trayAction("trayQuit");
        QVERIFY(quit);
        quit->trigger();
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = test::visibleWindow<QMessageBox>("confirmQuit")) != nullptr);
        QVERIFY2(box->text().contains("1 container is running"), qPrintable(box->text()));
        screenshot(box, "desktop-confirm-quit");
        QTest::mouseClick(box->button(QMessageBox::Cancel), Qt::LeftButton);
        QTRY_VERIFY(!test::visibleWindow<QMessageBox>("confirmQuit"));
        QVERIFY(window()->isVisible());
        QVERIFY(!m_desktop->agent()->busy());
        QCOMPARE(m_desktop->tray()->iconState(), QString("running"));
    }

    // The tray menu's Stop stops the engine; the icon and every view follow.
    void trayStopStopsTheEngine()
    {
        auto* stop = trayAction("trayStop");
        QVERIFY(stop);
        QVERIFY(stop->isEnabled());
        const auto runningIcon = m_desktop->tray()->icon()->icon().pixmap(32, 32).toImage();
        stop->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(m_desktop->tray()->iconState(), QString("stopped"), 120000);
        QTRY_VERIFY(!m_desktop->agent()->busy());
        QVERIFY(m_desktop->tray()->icon()->icon().pixmap(32, 32).toImage() != runningIcon);
        QVERIFY(m_desktop->tray()->icon()->toolTip().contains("stopped"));
        QVERIFY(!window()->gate(MainWindow::Containers)->showingContent());
        const auto status = m_berth.berth({"status", "--json"});
        QVERIFY2(status.out.contains("\"state\":\"stopped\"") ||
                     status.out.contains("\"state\": \"stopped\""),
                 qPrintable(test::describe(status)));
        QVERIFY(!QFile::exists(m_berth.engineSocket()));
        // Closing the window with a tray keeps Berth in the tray.
        window()->close();
        QVERIFY(!window()->isVisible());
        QVERIFY(m_desktop->tray()->icon()->isVisible());
    }
};

QTEST_MAIN(TestDesktop)
#include "tst_desktop.moc"
