// The engine socket forwarded to the host over one libssh2 session (vm::SshForwarder), used
// by the real docker CLI: plain calls, hijacked streams with stdin EOF, long streams and
// their cancellation, many connections at once, large transfers both ways, the pinned host
// key, and recovery after the SSH session is killed. One VM for the whole file.
#include "ForwarderThread.h"
#include "GuestVm.h"
#include "TestPaths.h"
#include "berth/vm/SshForwarder.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <thread>

using berth::test::ForwarderThread;
using berth::test::GuestVm;
using berth::vm::SshForwarder;

class TestSshForwarder final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<GuestVm> m_vm;
    std::unique_ptr<ForwarderThread> m_forwarder;
    QString m_socket;

    SshForwarder::Config config() const { return m_vm->forwarderConfig(m_socket); }

    QProcessEnvironment dockerEnvironment() const
    {
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("DOCKER_HOST", "unix://" + m_socket);
        env.insert("DOCKER_CONFIG", m_dir.filePath("docker-config"));
        return env;
    }

    berth::test::ProcessRun docker(const QStringList& args, const QByteArray& input = {},
                                   int timeoutMs = 180000)
    {
        return berth::test::runProcess(berth::test::binDir() + "/docker", args, input, timeoutMs,
                                       dockerEnvironment());
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        berth::test::keepIfAsked(m_dir);
        QDir().mkpath(m_dir.filePath("vm"));
        QDir().mkpath(m_dir.filePath("docker-config"));
        m_vm = std::make_unique<GuestVm>(m_dir.filePath("vm"), GuestVm::Options{});
        QVERIFY2(m_vm->errorString().isEmpty(), qPrintable(m_vm->errorString()));
        QVERIFY2(m_vm->boot(std::chrono::seconds(240)), qPrintable(m_vm->errorString()));
        QFile tar(berth::test::testImagesDir() + "/busybox.tar");
        QVERIFY(tar.open(QIODevice::ReadOnly));
        QCOMPARE(m_vm->ssh("docker import - bb:1", tar.readAll()).exitCode, 0);

        m_socket = m_dir.filePath("docker.sock");
        m_forwarder = std::make_unique<ForwarderThread>();
        const auto error = m_forwarder->start(config());
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void cleanupTestCase()
    {
        m_forwarder.reset();
        QVERIFY(!QFile::exists(m_socket)); // no stale socket left for the next start
        if (m_vm && m_vm->running() && !m_vm->powerdown(std::chrono::seconds(60)))
            m_vm->kill();
    }

    void socketIsPrivate()
    {
        QFile::Permissions expected = QFile::ReadOwner | QFile::WriteOwner;
        QCOMPARE(QFile::permissions(m_socket) & ~(QFile::ReadUser | QFile::WriteUser), expected);
    }

    void engineAnswers()
    {
        const auto run = docker({"version", "--format", "{{.Server.Version}} {{.Server.APIVersion}}"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.out.startsWith("26.1.5") && run.out.trimmed().endsWith("1.45"), run.out.constData());
    }

    void runInteractiveSeesStdinEof()
    {
        const QByteArray input = "first line\nsecond line\n";
        const auto run = docker({"run", "-i", "--rm", "bb:1", "sh", "-c", "cat; echo end-of-input"}, input);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(run.out, input + "end-of-input\n");
    }

    void execAndFollowLogs()
    {
        auto run = docker({"run", "-d", "--name", "ticker", "bb:1", "sh", "-c",
                           "i=0; while true; do echo tick$i; i=$((i+1)); sleep 0.2; done"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        run = docker({"exec", "ticker", "sh", "-c", "echo from exec; echo to stderr >&2"});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out, QByteArray("from exec\n"));
        QCOMPARE(run.err, QByteArray("to stderr\n"));

        // Every earlier connection has been closed: none leaks.
        QTRY_COMPARE_WITH_TIMEOUT(m_forwarder->activeConnections(), std::size_t(0), 10000);
        QProcess follow;
        follow.setProcessEnvironment(dockerEnvironment());
        follow.start(berth::test::binDir() + "/docker", {"logs", "-f", "ticker"});
        QByteArray seen;
        QTRY_VERIFY_WITH_TIMEOUT((seen += follow.readAllStandardOutput()).contains("tick5"), 60000);
        QVERIFY(m_forwarder->activeConnections() > 0);
        follow.kill(); // the user closes the logs view: its connection must be freed
        follow.waitForFinished();
        QTRY_COMPARE_WITH_TIMEOUT(m_forwarder->activeConnections(), std::size_t(0), 10000);
        QCOMPARE(docker({"rm", "-f", "ticker"}).exitCode, 0);
    }

    void manyConnectionsAtOnce()
    {
        for (const auto& run : berth::test::runConcurrently(berth::test::binDir() + "/docker",
                                                            {"ps", "-a", "--format", "{{.ID}}"}, 20, 120000,
                                                            dockerEnvironment()))
            QVERIFY2(run.exitCode == 0, run.err.constData());
    }

    // Commands run on the forwarder's own session (exec channels, as `berth status` measures the
    // disk) while 20 docker clients open channels to the engine socket at the same moment: libssh2
    // has one channel open in progress per session, and a command must never get a client's
    // channel or a client a command's.
    void commandsAndConnectionsShareTheSession()
    {
        std::vector<QString> outputs;
        std::thread commands([&] {
            for (int round = 0; round < 3; ++round) {
                auto some = m_forwarder->runInGuest("echo berth-$((6*7))", 8);
                outputs.insert(outputs.end(), some.begin(), some.end());
            }
        });
        const auto runs = berth::test::runConcurrently(berth::test::binDir() + "/docker",
                                                       {"version", "--format", "{{.Server.Version}}"}, 20, 120000,
                                                       dockerEnvironment());
        commands.join();
        for (const auto& run : runs)
            QVERIFY2(run.exitCode == 0 && !run.out.trimmed().isEmpty(), run.err.constData());
        QCOMPARE(outputs.size(), std::size_t{24});
        for (const auto& out : outputs)
            QCOMPARE(out, QString("berth-42\n"));
        const auto failed = m_forwarder->runInGuest("exit 3", 1).front();
        QVERIFY2(failed.contains("exited with status 3"), qPrintable(failed));
    }

    // docker save of a 64 MiB image through the forward has the size the same save has inside
    // the guest (the bytes themselves differ per save: docker writes fresh timestamps), and
    // after docker load through the forward the file in it has the hash it was written with.
    void largeTransfersBothWays()
    {
        auto run =
            m_vm->ssh("docker run --name big bb:1 sh -c 'head -c 67108864 /dev/urandom > /big && "
                      "sha256sum /big' && docker commit big big:1 >/dev/null && docker rm big >/dev/null");
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const auto fileHash = run.out.left(64);
        run = m_vm->ssh("docker save big:1 | wc -c");
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const auto guestSize = run.out.trimmed().toLongLong();

        QProcess save;
        save.setProcessEnvironment(dockerEnvironment());
        save.start(berth::test::binDir() + "/docker", {"save", "big:1"});
        QVERIFY(save.waitForFinished(300000));
        QCOMPARE(save.exitCode(), 0);
        const auto image = save.readAllStandardOutput();
        QCOMPARE(qint64(image.size()), guestSize);

        QCOMPARE(docker({"rmi", "big:1"}).exitCode, 0);
        const auto load = docker({"load"}, image, 300000);
        QVERIFY2(load.exitCode == 0, load.err.constData());
        QVERIFY(load.out.contains("big:1"));
        const auto check = docker({"run", "--rm", "big:1", "sha256sum", "/big"});
        QCOMPARE(check.exitCode, 0);
        QCOMPARE(check.out.left(64), fileHash);
    }

    void wrongHostKeyIsRefused()
    {
        auto c = config();
        c.pinnedHostKey =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBXP3Y3kqBmQ8Mj0rPcTa0r2f1xFKXxG5sU0b0Qw1JmK other";
        c.listenSocket = m_dir.filePath("refused.sock").toStdString();
        ForwarderThread second;
        const auto error = second.start(c);
        QVERIFY2(error.contains("does not match the key pinned"), qPrintable(error));
        QVERIFY(!QFile::exists(m_dir.filePath("refused.sock")));
    }

    // The guest kills the forwarder's SSH session; the next connection works again, after a
    // reconnect, within about a second.
    void reconnectsAfterTheSessionDies()
    {
        // Every berth-owned sshd-session process but the one running this command: that is
        // the forwarder's session. (pgrep -f would also match this command line itself.)
        const auto kill =
            m_vm->ssh("me=$PPID; docker run --rm --privileged --pid=host bb:1 nsenter -t 1 -m sh -c "
                      "\"n=0; for p in \\$(pgrep -u berth -x sshd-session); do "
                      "[ \\$p = $me ] || { kill \\$p && n=\\$((n+1)); }; done; echo \\$n\"");
        QVERIFY2(kill.exitCode == 0, kill.err.constData());
        QVERIFY2(kill.out.trimmed().toInt() >= 1, kill.out.constData()); // the forwarder's session was there
        QElapsedTimer timer;
        timer.start();
        const auto run = docker({"version", "--format", "{{.Server.Version}}"});
        const auto elapsed = timer.elapsed();
        QVERIFY2(run.exitCode == 0, run.err.constData());
        qInfo() << "first call after the session was killed took" << elapsed << "ms";
        QVERIFY2(elapsed < 5000, qPrintable(QString::number(elapsed)));
        QCOMPARE(docker({"ps"}).exitCode, 0);
    }
};

QTEST_GUILESS_MAIN(TestSshForwarder)
#include "tst_sshforwarder.moc"
