// The settings page, the About dialog and desktop.json, on instances of a temporary Berth home.
// No VM: the agent is either absent or played by a socket that says "running".
#include "AboutDialog.h"
#include "AgentService.h"
#include "DesktopPrefs.h"
#include "SettingsPage.h"

#include "BerthHome.h"
#include "RunProcess.h"
#include "TestPaths.h"

#include "berth/vm/ControlProtocol.h"

#include <memory>
#include <optional>

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocalServer>
#include <QLocalSocket>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using berth::app::AboutDialog;
using berth::app::AgentService;
using berth::app::DesktopPrefs;
using berth::app::SettingsPage;
namespace vm = berth::vm;

namespace {

template <typename T> T* child(QObject& parent, const char* name)
{
    auto* widget = parent.findChild<T*>(name);
    if (!widget)
        qFatal("no %s named %s", T::staticMetaObject.className(), name);
    return widget;
}

// Replaces what the box shows by typing, as a person would.
void typeInto(QSpinBox* box, const QString& text)
{
    box->selectAll();
    QTest::keyClicks(box, text);
}

// On the indicator: a box stretched by its layout does not take clicks beyond its text.
void toggle(QCheckBox* box)
{
    QTest::mouseClick(box, Qt::LeftButton, {}, QPoint(6, box->height() / 2));
}

bool looksRed(const QWidget* widget)
{
    const auto colour = widget->palette().color(QPalette::WindowText);
    return colour.red() > 150 && colour.green() < 100 && colour.blue() < 100;
}

QByteArray contents(const std::filesystem::path& file)
{
    QFile f(QString::fromStdString(file.string()));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

bool fileExists(const std::filesystem::path& file)
{
    return QFileInfo::exists(QString::fromStdString(file.string()));
}

} // namespace

class TestSettingsPage final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_config;
    std::unique_ptr<berth::test::BerthHome> m_home;

    QString autostartFile() const { return m_config->filePath("autostart/berth.desktop"); }

    vm::Instance instance(const char* name)
    {
        auto opened = vm::Instance::open(m_home->home().toStdString(), name);
        if (!opened)
            qFatal("cannot open instance %s: %s", name, opened.error().message.c_str());
        return opened.value();
    }

    // An agent facade that is never started: the engine is "stopped" and nothing runs.
    // `program` stands in for `berth` (whose `berth agent` a start launches), `image` for the
    // guest image.
    std::unique_ptr<AgentService> agent(const char* name, const QString& program = {}, const QString& image = {})
    {
        const auto berth = program.isEmpty() ? berth::test::binDir() + "/berth" : program;
        const auto images = image.isEmpty() ? berth::test::imageDir() : image;
        return std::make_unique<AgentService>(
            vm::InstanceControl(instance(name), berth.toStdString(), images.toStdString()));
    }

private slots:
    void initTestCase()
    {
        // Before anything looks it up: the login entry goes here, not into the real config.
        m_config = std::make_unique<QTemporaryDir>();
        QVERIFY(m_config->isValid());
        qputenv("XDG_CONFIG_HOME", m_config->path().toUtf8());
        m_home = std::make_unique<berth::test::BerthHome>("berth-settings-XXXXXX");
        QVERIFY(m_home->isValid());
    }

    void cleanup()
    {
        QFile::remove(autostartFile());
    }

    void invalidMemoryWritesNothing()
    {
        auto service = agent("invalid");
        const auto& inst = service->instance();
        QVERIFY(!fileExists(inst.settingsFile()));
        const auto limits = vm::Settings::limits();

        {
            SettingsPage page(service.get());
            page.show();
            QVERIFY(QTest::qWaitForWindowExposed(&page));
            QCOMPARE(page.objectName(), QString("settingsPage"));
            QVERIFY(!page.unsaved());
            QVERIFY(!child<QLabel>(page, "settingsUnsaved")->isVisible());
            // Everything that would be written on success is changed too.
            toggle(child<QCheckBox>(page, "settingsAutostart"));
            toggle(child<QCheckBox>(page, "settingsStartEngine"));
            auto* memory = child<QSpinBox>(page, "settingsMemory");
            QVERIFY(!memory->property("outOfRange").toBool());
            typeInto(memory, "9999999");
            QCOMPARE(memory->value(), 9999999); // the box takes it; Apply judges it
            // Marked at once, on the field and its hint, before any Apply; the form says it is
            // not saved.
            QVERIFY(memory->property("outOfRange").toBool());
            QVERIFY(looksRed(child<QLabel>(page, "settingsMemoryHint")));
            QVERIFY(!child<QSpinBox>(page, "settingsCpus")->property("outOfRange").toBool());
            QVERIFY(page.unsaved());
            QVERIFY(child<QLabel>(page, "settingsUnsaved")->isVisible());
            QSignalSpy applied(&page, &SettingsPage::applied);
            QTest::mouseClick(child<QPushButton>(page, "settingsApply"), Qt::LeftButton);

            const auto message = page.message();
            QVERIFY2(message.startsWith("Memory: 9999999 MiB"), qPrintable(message));
            QVERIFY2(!message.contains("memory_mib"), qPrintable(message));
            QVERIFY2(message.contains(QString("from %1 to %2 MiB").arg(limits.minMemoryMiB).arg(limits.maxMemoryMiB)),
                     qPrintable(message));
            QCOMPARE(child<QLabel>(page, "settingsMessage")->text(), message);
            QVERIFY(looksRed(child<QLabel>(page, "settingsMessage")));
            QCOMPARE(applied.count(), 0);
            QVERIFY(!fileExists(inst.settingsFile()));
            QVERIFY(!fileExists(DesktopPrefs::file(inst)));
            QVERIFY(!QFileInfo::exists(autostartFile()));
        }

        // With a file there: not a byte of it changes.
        vm::Settings settings;
        settings.cpus = 1;
        QVERIFY(inst.saveSettings(settings));
        const auto before = contents(inst.settingsFile());
        QVERIFY(!before.isEmpty());
        SettingsPage page(service.get());
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QCOMPARE(child<QSpinBox>(page, "settingsCpus")->value(), 1);
        typeInto(child<QSpinBox>(page, "settingsMemory"), "9999999");
        typeInto(child<QSpinBox>(page, "settingsCpus"), "999"); // both are reported
        QTest::mouseClick(child<QPushButton>(page, "settingsApply"), Qt::LeftButton);
        QVERIFY2(page.message().contains("CPUs: 999"), qPrintable(page.message()));
        QVERIFY2(page.message().contains("Memory: 9999999"), qPrintable(page.message()));
        QVERIFY(page.unsaved()); // a refused Apply saves nothing
        QCOMPARE(contents(inst.settingsFile()), before);
    }

    void shrinkingTheDiskIsRefused()
    {
        auto service = agent("disk");
        const auto& inst = service->instance();
        vm::Settings settings;
        settings.diskGiB = 16;
        QVERIFY(inst.saveSettings(settings));
        {
            QFile disk(QString::fromStdString(inst.dataDisk().string()));
            QVERIFY(disk.open(QIODevice::WriteOnly));
            QVERIFY(disk.resize(16LL << 30)); // sparse, as the agent makes it
        }
        const auto before = contents(inst.settingsFile());

        SettingsPage page(service.get());

        page.show();

        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto* disk = child<QSpinBox>(page, "settingsDisk");
        QCOMPARE(disk->value(), 16);
        QVERIFY(child<QLabel>(page, "settingsDiskHint")->text().contains("the data disk is 16 GiB now"));
        typeInto(disk, "10");
        QTest::mouseClick(child<QPushButton>(page, "settingsApply"), Qt::LeftButton);
        QCOMPARE(page.message(), QString("The data disk is 16 GiB and only grows; to start over with a smaller "
                                         "disk use Troubleshoot → Reset to factory defaults"));
        QCOMPARE(contents(inst.settingsFile()), before);

        // Growing is fine.
        typeInto(disk, "20");
        QTest::mouseClick(child<QPushButton>(page, "settingsApply"), Qt::LeftButton);
        QVERIFY2(!looksRed(child<QLabel>(page, "settingsMessage")), qPrintable(page.message()));
        QCOMPARE(inst.loadSettings()->diskGiB, 20);

        // After a reset (no data disk any more) a smaller disk is a fresh start, not a shrink.
        QVERIFY(QFile::remove(QString::fromStdString(inst.dataDisk().string())));
        typeInto(disk, "10");
        QTest::mouseClick(child<QPushButton>(page, "settingsApply"), Qt::LeftButton);
        QVERIFY2(page.message().startsWith("Saved."), qPrintable(page.message()));
        QCOMPARE(inst.loadSettings()->diskGiB, 10);
    }

    void missingShareIsRefused()
    {
        auto service = agent("share");
        const auto& inst = service->instance();
        SettingsPage page(service.get());
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto* shares = child<QTableWidget>(page, "settingsShares");
        const int defaults = shares->rowCount();
        page.addShare("/nonexistent-berth-share/x/", true);
        QCOMPARE(shares->rowCount(), defaults + 1);
        QCOMPARE(shares->item(defaults, 0)->text(), QString("/nonexistent-berth-share/x"));
        QCOMPARE(shares->item(defaults, 1)->checkState(), Qt::Checked);
        page.addShare("/nonexistent-berth-share/x", false); // already listed: selected, not added
        QCOMPARE(shares->rowCount(), defaults + 1);

        QTest::mouseClick(child<QPushButton>(page, "settingsApply"), Qt::LeftButton);
        QCOMPARE(page.message(), QString("Shared folders: the shared folder '/nonexistent-berth-share/x' does "
                                         "not exist; create it or remove it from the list"));
        QVERIFY(!fileExists(inst.settingsFile()));

        // Removing it is enough.
        shares->selectRow(defaults);
        auto* remove = child<QPushButton>(page, "settingsRemoveShare");
        QVERIFY(remove->isEnabled());
        QTest::mouseClick(remove, Qt::LeftButton);
        QCOMPARE(shares->rowCount(), defaults);
        QTest::mouseClick(child<QPushButton>(page, "settingsApply"), Qt::LeftButton);
        QCOMPARE(page.message(), QString("Saved."));
    }

    void validChangeIsSavedAndSurvivesARestart()
    {
        const auto limits = vm::Settings::limits();
        if (limits.maxMemoryMiB < 1536)
            QSKIP("this host allows less than 1536 MiB for the VM");
        auto service = agent("valid");
        const auto& inst = service->instance();
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        const auto folderPath = QString::fromStdString(vm::Settings::plainPath(folder.path().toStdString()));

        {
            SettingsPage page(service.get());
            page.show();
            QVERIFY(QTest::qWaitForWindowExposed(&page));
            typeInto(child<QSpinBox>(page, "settingsCpus"), "1");
            typeInto(child<QSpinBox>(page, "settingsMemory"), "1536");
            auto* bind = child<QComboBox>(page, "settingsBindAddress");
            QCOMPARE(bind->currentData().toString(), QString("127.0.0.1"));
            bind->setCurrentIndex(bind->findData(QString("0.0.0.0")));
            // The defaults (home, temporary folder) go: the test's folder is inside one of them.
            auto* shares = child<QTableWidget>(page, "settingsShares");
            shares->selectAll();
            QTest::mouseClick(child<QPushButton>(page, "settingsRemoveShare"), Qt::LeftButton);
            QCOMPARE(shares->rowCount(), 0);
            page.addShare(folder.path(), true);
            auto* autostart = child<QCheckBox>(page, "settingsAutostart");
            auto* startEngine = child<QCheckBox>(page, "settingsStartEngine");
            QVERIFY(!autostart->isChecked());
            QVERIFY(startEngine->isChecked());
            toggle(autostart);
            toggle(startEngine);

            QSignalSpy applied(&page, &SettingsPage::applied);
            QTest::mouseClick(child<QPushButton>(page, "settingsApply"), Qt::LeftButton);
            QCOMPARE(page.message(), QString("Saved. The engine uses the new settings when it next starts."));
            QVERIFY(!looksRed(child<QLabel>(page, "settingsMessage")));
            QCOMPARE(applied.count(), 1);
            QVERIFY(!page.findChild<QMessageBox*>("confirmRestart")); // the engine is not running
        }

        const auto json = contents(inst.settingsFile());
        auto saved = vm::Settings::parse(json.toStdString(), "settings.json");
        QVERIFY2(saved, saved ? "" : saved.error().message.c_str());
        QCOMPARE(saved->cpus, 1);
        QCOMPARE(saved->memoryMiB, 1536);
        QCOMPARE(saved->portBindAddress, std::string("0.0.0.0"));
        QCOMPARE(saved->shares.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(saved->shares[0].path), folderPath);
        QVERIFY(saved->shares[0].readOnly);

        QFile entry(autostartFile());
        QVERIFY2(entry.open(QIODevice::ReadOnly), qPrintable(autostartFile()));
        const auto entryText = QString::fromUtf8(entry.readAll());
        QVERIFY2(entryText.contains(" --minimized"), qPrintable(entryText));
        QVERIFY(entryText.contains(QCoreApplication::applicationFilePath()));

        const auto prefsFile = QString::fromStdString(DesktopPrefs::file(inst).string());
        QFile prefsJson(prefsFile);
        QVERIFY(prefsJson.open(QIODevice::ReadOnly));
        const auto prefsDoc = QJsonDocument::fromJson(prefsJson.readAll());
        QVERIFY(prefsDoc.object().value("start_engine").isBool());
        QCOMPARE(prefsDoc.object().value("start_engine").toBool(), false);
        QCOMPARE(QFileInfo(prefsFile).permissions() & 0x0077, QFileDevice::Permissions());

        // What a new run of the app shows.
        SettingsPage again(service.get());
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QCOMPARE(again.message(), QString());
        QCOMPARE(child<QSpinBox>(again, "settingsCpus")->value(), 1);
        QCOMPARE(child<QSpinBox>(again, "settingsMemory")->value(), 1536);
        QCOMPARE(child<QComboBox>(again, "settingsBindAddress")->currentData().toString(), QString("0.0.0.0"));
        auto* shares = child<QTableWidget>(again, "settingsShares");
        QCOMPARE(shares->rowCount(), 1);
        QCOMPARE(shares->item(0, 0)->text(), folderPath);
        QCOMPARE(shares->item(0, 1)->checkState(), Qt::Checked);
        QVERIFY(child<QCheckBox>(again, "settingsAutostart")->isChecked());
        QVERIFY(!child<QCheckBox>(again, "settingsStartEngine")->isChecked());

        // Turning the login entry off removes it; nothing of the VM changed, so no more is said.
        toggle(child<QCheckBox>(again, "settingsAutostart"));
        const auto settingsBefore = contents(inst.settingsFile());
        QTest::mouseClick(child<QPushButton>(again, "settingsApply"), Qt::LeftButton);
        QCOMPARE(again.message(), QString("Saved."));
        QVERIFY(!QFileInfo::exists(autostartFile()));
        QCOMPARE(contents(inst.settingsFile()), settingsBefore);
    }

    // Host access, host registries and the proxy are saved from the form and shown again; a
    // proxy that is not a URL is refused, naming the field, without its password, and nothing
    // is written.
    void hostAccessAndProxyAreSaved()
    {
        auto service = agent("hostaccess");
        const auto& inst = service->instance();
        {
            SettingsPage page(service.get());
            page.show();
            QVERIFY(QTest::qWaitForWindowExposed(&page));
            auto* access = child<QCheckBox>(page, "settingsHostAccess");
            QVERIFY(access->isChecked());
            QVERIFY(child<QCheckBox>(page, "settingsHostRegistries")->isChecked());
            toggle(access);
            child<QLineEdit>(page, "settingsHttpProxy")->setText("proxy.example:3128");
            QTest::mouseClick(child<QPushButton>(page, "settingsApply"), Qt::LeftButton);
            QVERIFY2(page.message().startsWith("HTTP proxy: 'proxy.example:3128'; it must start with"),
                     qPrintable(page.message()));
            QVERIFY(!fileExists(inst.settingsFile()));

            child<QLineEdit>(page, "settingsHttpProxy")->setText(" http://me:pw@proxy.example:3128 ");
            child<QLineEdit>(page, "settingsNoProxy")->setText(".corp.example");
            QTest::mouseClick(child<QPushButton>(page, "settingsApply"), Qt::LeftButton);
            QCOMPARE(page.message(), QString("Saved. The engine uses the new settings when it next starts."));
        }
        auto saved = inst.loadSettings();
        QVERIFY2(saved, saved ? "" : saved.error().message.c_str());
        QVERIFY(!saved->hostAccess);
        QVERIFY(saved->hostRegistries);
        QCOMPARE(saved->httpProxy, std::string("http://me:pw@proxy.example:3128"));
        QCOMPARE(saved->noProxy, std::string(".corp.example"));
        SettingsPage again(service.get());
        QVERIFY(!child<QCheckBox>(again, "settingsHostAccess")->isChecked());
        QCOMPARE(child<QLineEdit>(again, "settingsHttpProxy")->text(), QString("http://me:pw@proxy.example:3128"));
    }

    // Switching the image store hides what the other holds, so Apply asks first; Cancel saves
    // nothing, Switch saves it.
    void imageStoreSwitchIsConfirmed()
    {
        auto service = agent("imagestore");
        const auto& inst = service->instance();
        SettingsPage page(service.get());
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto* store = child<QCheckBox>(page, "settingsContainerdStore");
        QVERIFY(!store->isChecked());
        toggle(store);
        QTest::mouseClick(child<QPushButton>(page, "settingsApply"), Qt::LeftButton);
        QPointer<QMessageBox> box = page.findChild<QMessageBox*>("confirmImageStore");
        QVERIFY(box);
        QTRY_VERIFY(box->isVisible());
        QVERIFY2(box->text().contains("containerd image store") && box->text().contains("hidden until you switch back"),
                 qPrintable(box->text()));
        QTest::mouseClick(box->button(QMessageBox::Cancel), Qt::LeftButton);
        QTRY_VERIFY(!box);
        QVERIFY(!fileExists(inst.settingsFile()));
        QCOMPARE(page.message(), QString("Not saved yet: confirm the switch of the image store."));

        QTest::mouseClick(child<QPushButton>(page, "settingsApply"), Qt::LeftButton);
        box = page.findChild<QMessageBox*>("confirmImageStore");
        QVERIFY(box);
        QTest::mouseClick(child<QPushButton>(*box, "confirmImageStoreButton"), Qt::LeftButton);
        QTRY_VERIFY(!box);
        QVERIFY(inst.loadSettings()->containerdImageStore);
        QCOMPARE(page.message(), QString("Saved. The engine uses the new settings when it next starts."));
        // Saved: applying again asks nothing.
        QTest::mouseClick(child<QPushButton>(page, "settingsApply"), Qt::LeftButton);
        QVERIFY(!page.findChild<QMessageBox*>("confirmImageStore"));
    }

    void revertDiscardsEdits()
    {
        auto service = agent("revert");
        const auto& inst = service->instance();
        vm::Settings settings;
        settings.cpus = 1;
        settings.memoryMiB = 1024;
        QVERIFY(inst.saveSettings(settings));
        const auto before = contents(inst.settingsFile());

        SettingsPage page(service.get());

        page.show();

        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto* cpus = child<QSpinBox>(page, "settingsCpus");
        auto* memory = child<QSpinBox>(page, "settingsMemory");
        auto* bind = child<QComboBox>(page, "settingsBindAddress");
        auto* shares = child<QTableWidget>(page, "settingsShares");
        auto* autostart = child<QCheckBox>(page, "settingsAutostart");
        const int shareCount = shares->rowCount();
        QCOMPARE(shareCount, int(settings.shares.size()));

        typeInto(cpus, "2");
        typeInto(memory, "4096");
        bind->setCurrentIndex(bind->findData(QString("0.0.0.0")));
        page.addShare("/nonexistent-berth-share", false);
        toggle(autostart);
        QVERIFY(page.unsaved());
        // Leaving the page and coming back: the edits and the sign are still there.
        page.hide();
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(child<QLabel>(page, "settingsUnsaved")->isVisible());
        QCOMPARE(cpus->value(), 2);
        QTest::mouseClick(child<QPushButton>(page, "settingsRevert"), Qt::LeftButton);
        QVERIFY(!page.unsaved());
        QVERIFY(!child<QLabel>(page, "settingsUnsaved")->isVisible());
        QVERIFY(!child<QPushButton>(page, "settingsRevert")->isEnabled());

        QCOMPARE(cpus->value(), 1);
        QCOMPARE(memory->value(), 1024);
        QCOMPARE(bind->currentData().toString(), QString("127.0.0.1"));
        QCOMPARE(shares->rowCount(), shareCount);
        QVERIFY(!autostart->isChecked());
        QCOMPARE(page.message(), QString());
        QCOMPARE(contents(inst.settingsFile()), before);
        QVERIFY(!fileExists(DesktopPrefs::file(inst)));
        QVERIFY(!QFileInfo::exists(autostartFile()));
    }

    void restartIsOfferedWhenTheEngineRuns()
    {
        // A stand-in for `berth` that records what it was asked and, as an agent, says it cannot
        // start; and a stand-in agent that says "running" and stops when asked.
        QTemporaryDir bin;
        QVERIFY(bin.isValid());
        const auto calls = bin.filePath("calls");
        const auto script = bin.filePath("berth");
        {
            QFile file(script);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("#!/bin/sh\necho \"$@\" >> '" + calls.toUtf8() + "'\necho 'error stand-in agent' >&3\n");
        }
        QFile::setPermissions(script, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        auto service = agent("running", script);
        const auto& inst = service->instance();

        QLocalServer server;
        const auto socketPath = QString::fromStdString(inst.controlSocket().string());
        QDir().mkpath(QFileInfo(socketPath).absolutePath());
        QLocalServer::removeServer(socketPath);
        QVERIFY2(server.listen(socketPath), qPrintable(server.errorString()));
        vm::AgentStatus running;
        running.instance = inst.name();
        running.state = vm::EngineState::Running;
        running.dockerHost = "unix://" + inst.engineSocket().string();
        running.pid = 1;
        QStringList requests;
        connect(&server, &QLocalServer::newConnection, this, [&server, &requests, running] {
            auto* socket = server.nextPendingConnection();
            connect(socket, &QLocalSocket::readyRead, socket, [&server, &requests, socket, running] {
                while (socket->canReadLine()) {
                    const auto request = vm::control::parseRequest(
                        nlohmann::json::parse(socket->readLine().trimmed().toStdString(), nullptr, false));
                    if (!request)
                        continue;
                    const auto send = [socket](const nlohmann::json& message) {
                        socket->write(QByteArray::fromStdString(message.dump()) + "\n");
                    };
                    switch (request.value()) {
                    case vm::control::Request::Status:
                        requests << "status";
                        send(vm::control::statusMessage(running, false));
                        break;
                    case vm::control::Request::Watch:
                        send(vm::control::statusMessage(running, true));
                        break;
                    case vm::control::Request::Stop: {
                        requests << "stop";
                        auto stopped = running;
                        stopped.state = vm::EngineState::Stopped;
                        stopped.stopMethod = "clean";
                        send(vm::control::acceptedMessage("Stopping"));
                        send(vm::control::statusMessage(stopped, true));
                        socket->flush();
                        server.close(); // the agent is gone
                        socket->disconnectFromServer();
                        break;
                    }
                    case vm::control::Request::Disk:
                        break;
                    }
                }
            });
        });
        service->start();
        QTRY_VERIFY(service->status().state == vm::EngineState::Running);

        SettingsPage page(service.get());
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto* cpus = child<QSpinBox>(page, "settingsCpus");
        typeInto(cpus, "1");
        QTest::mouseClick(child<QPushButton>(page, "settingsApply"), Qt::LeftButton);
        QCOMPARE(inst.loadSettings()->cpus, 1); // saved before the question
        QPointer<QMessageBox> box = page.findChild<QMessageBox*>("confirmRestart");
        QVERIFY(box);
        QTRY_VERIFY(box->isVisible());
        QVERIFY(box->text().startsWith("Restart the engine now to apply? Running containers stop and start again"));
        QTest::mouseClick(child<QPushButton>(*box, "confirmRestartLater"), Qt::LeftButton);
        QTRY_VERIFY(!box);
        QCOMPARE(page.message(), QString("Saved. The engine uses the new settings when it restarts."));
        QVERIFY(!QFileInfo::exists(calls));

        // A change the VM does not see asks nothing.
        toggle(child<QCheckBox>(page, "settingsStartEngine"));
        QTest::mouseClick(child<QPushButton>(page, "settingsApply"), Qt::LeftButton);
        QCOMPARE(page.message(), QString("Saved."));
        QVERIFY(!page.findChild<QMessageBox*>("confirmRestart"));

        typeInto(cpus, "2");
        QTest::mouseClick(child<QPushButton>(page, "settingsApply"), Qt::LeftButton);
        box = page.findChild<QMessageBox*>("confirmRestart");
        QVERIFY(box);
        QSignalSpy finished(service.get(), &AgentService::commandFinished);
        QSignalSpy failed(service.get(), &AgentService::commandFailed);
        QTest::mouseClick(child<QPushButton>(*box, "confirmRestartButton"), Qt::LeftButton);
        // The restart stopped the running agent, then launched a new one, which said it could not
        // start: its words reach the app.
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QCOMPARE(finished.at(0).at(0).toString(), QString("restart"));
        QVERIFY(!finished.at(0).at(1).toBool());
        QCOMPARE(failed.count(), 1);
        QCOMPARE(failed.at(0).at(1).toString(), QString("stand-in agent"));
        QCOMPARE(requests.count("stop"), 1);
        QFile record(calls);
        QVERIFY(record.open(QIODevice::ReadOnly));
        QCOMPARE(record.readAll(), QByteArray("agent --instance running --ready-fd 3\n"));
        service.reset(); // before the server goes
    }

    void aboutDialogShowsVersionsAndLicenses()
    {
        auto service = agent("about");
        // What the real command says about Berth itself, to find it in the dialog.
        const auto run = berth::test::runProcess(berth::test::binDir() + "/berth", {"version", "--instance", "about"},
                                                 {}, 60000);
        const auto berthLine = QString::fromUtf8(run.out).section('\n', 0, 0);
        QVERIFY2(berthLine.startsWith("Berth "), qPrintable(berth::test::describe(run)));

        AboutDialog dialog(service.get());
        QCOMPARE(dialog.objectName(), QString("aboutDialog"));
        QVERIFY(!dialog.isModal());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto* versions = child<QLabel>(dialog, "aboutVersions");
        QTRY_VERIFY_WITH_TIMEOUT(versions->text() != QString::fromUtf8("…"), 30000);
        const auto text = versions->text();
        // What the command printed (QEMU, the guest image, the engine not running): the same library
        // says it to both.
        QCOMPARE(text, QString::fromUtf8(run.out).trimmed());
        QVERIFY2(text.contains("not running"), qPrintable(text));
        QCOMPARE(dialog.versions(), text);

        const auto licenses = child<QPlainTextEdit>(dialog, "aboutLicenses");
        QVERIFY(licenses->isReadOnly());
        const auto licensesText = licenses->toPlainText();
        QVERIFY2(licensesText.section('\n', 0, 0).contains("Apache License, Version 2.0"),
                 qPrintable(licensesText));
        QVERIFY(licensesText.contains("docker CLI: Apache-2.0"));
        QVERIFY(licensesText.contains("QEMU: GPL-2.0-only"));
        QVERIFY(licensesText.contains("Qt 6: LGPL-3.0-only"));
        QVERIFY(licensesText.contains("/usr/share/doc/berth/copyright"));
        QVERIFY(licensesText.contains("/usr/share/doc/berth/bundled/"));

        QTest::mouseClick(child<QPushButton>(dialog, "aboutCopy"), Qt::LeftButton);
        const auto copied = QGuiApplication::clipboard()->text();
        QVERIFY2(copied.contains(berthLine) && copied.contains("Qt " + QString(qVersion())), qPrintable(copied));
    }

    void aboutDialogSaysWhenTheGuestImageIsMissing()
    {
        auto service = agent("about", {}, "/nonexistent/vm-image");
        AboutDialog dialog(service.get());
        QSignalSpy loaded(&dialog, &AboutDialog::versionsLoaded);
        QTRY_COMPARE(loaded.count(), 1);
        QVERIFY2(dialog.versions().contains("Guest image: ") && dialog.versions().contains("/nonexistent/vm-image"),
                 qPrintable(dialog.versions()));
        QVERIFY2(dialog.versions().contains("Engine:      not running"), qPrintable(dialog.versions()));
    }

    void damagedDesktopPrefsLoadDefaults()
    {
        auto service = agent("prefs");
        const auto& inst = service->instance();
        const auto file = QString::fromStdString(DesktopPrefs::file(inst).string());

        auto prefs = DesktopPrefs::load(inst); // no file: the defaults, quietly
        QVERIFY(prefs.startEngine);
        QVERIFY(prefs.loadError.isEmpty());

        prefs.startEngine = false;
        QCOMPARE(prefs.save(inst), QString());
        QCOMPARE(QFileInfo(file).permissions() & 0x0077, QFileDevice::Permissions());
        QVERIFY(!DesktopPrefs::load(inst).startEngine);

        for (const QByteArray& damage : {QByteArray("{\"start_engine\": fal"), QByteArray("[]"),
                                        QByteArray("{\"start_engine\": \"no\"}")}) {
            QFile out(file);
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            out.write(damage);
            out.close();
            const auto loaded = DesktopPrefs::load(inst);
            QVERIFY(loaded.startEngine);
            QVERIFY2(loaded.loadError.contains(file) && loaded.loadError.contains("damaged"),
                     qPrintable(loaded.loadError));
        }

        // The settings page shows the problem, and Apply writes a good file.
        SettingsPage page(service.get());
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY2(page.message().contains(file), qPrintable(page.message()));
        QVERIFY(looksRed(child<QLabel>(page, "settingsMessage")));
        QVERIFY(child<QCheckBox>(page, "settingsStartEngine")->isChecked());
        QTest::mouseClick(child<QPushButton>(page, "settingsApply"), Qt::LeftButton);
        QVERIFY2(page.message().startsWith("Saved"), qPrintable(page.message()));
        const auto reloaded = DesktopPrefs::load(inst);
        QVERIFY(reloaded.loadError.isEmpty());
        QVERIFY(reloaded.startEngine);
    }
};

QTEST_MAIN(TestSettingsPage)
#include "tst_settingspage.moc"
