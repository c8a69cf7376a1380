#include "berth/vm/QmpClient.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using berth::vm::QmpClient;

// Against a real QEMU with no machine (-machine none): starts in milliseconds, speaks full QMP.
class TestQmpClient final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QProcess m_qemu;
    std::string m_socket;

    const std::string& socket() const { return m_socket; }

private slots:
    void init()
    {
        // A socket of its own per case: a killed QEMU leaves its socket file behind.
        m_socket = m_dir.filePath(QString(QTest::currentTestFunction()) + ".sock").toStdString();
        m_qemu.start("qemu-system-x86_64", {"-machine", "none", "-nodefaults", "-display", "none", "-S", "-qmp",
                                            QString("unix:%1,server=on,wait=off").arg(QString::fromStdString(socket()))});
        QVERIFY(m_qemu.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(QString::fromStdString(socket())), 10000);
    }

    void cleanup()
    {
        if (m_qemu.state() != QProcess::NotRunning) {
            m_qemu.kill();
            m_qemu.waitForFinished();
        }
    }

    void queriesAndErrors()
    {
        auto client = QmpClient::connect(socket(), std::chrono::seconds(5));
        QVERIFY2(client.ok(), client.ok() ? "" : client.error().message.c_str());
        const auto status = client->execute("query-status");
        QVERIFY(status.ok());
        QCOMPARE(status.value().value("running", true), false); // -S: not started
        const auto version = client->execute("query-version");
        QVERIFY(version.ok());
        QVERIFY(version.value()["qemu"]["major"].get<int>() >= 7);
        const auto unknown = client->execute("no-such-command");
        QVERIFY(!unknown.ok());
        QVERIFY2(QString::fromStdString(unknown.error().message).contains("no-such-command"), unknown.error().message.c_str());
        const auto badArgs = client->execute("query-status", {{"bogus", 1}});
        QVERIFY(!badArgs.ok());
    }

    void eventsAreKeptAndQuitCloses()
    {
        auto client = QmpClient::connect(socket(), std::chrono::seconds(5));
        QVERIFY(client.ok());
        QVERIFY(client->execute("cont").ok()); // emits a RESUME event
        QVERIFY(client->execute("stop").ok()); // emits STOP
        // Events arrive before or after the reply; one more round trip collects stragglers.
        QVERIFY(client->execute("query-status").ok());
        QStringList names;
        for (const auto& e : client->takeEvents())
            names << QString::fromStdString(e["event"].get<std::string>());
        QVERIFY2(names.contains("RESUME") && names.contains("STOP"), qPrintable(names.join(',')));
        QVERIFY(client->takeEvents().empty());
        QVERIFY(client->execute("quit").ok());
        QVERIFY(m_qemu.waitForFinished(10000));
    }

    void noQemuIsNamed()
    {
        const auto client = QmpClient::connect(m_dir.filePath("absent.sock").toStdString(), std::chrono::seconds(1));
        QVERIFY(!client.ok());
        QVERIFY(QString::fromStdString(client.error().message).contains("absent.sock"));
    }
};

QTEST_GUILESS_MAIN(TestQmpClient)
#include "tst_qmpclient.moc"
