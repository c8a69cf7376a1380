// The guest image and its contract, on the real VM: boot on a fresh data disk, the engine
// through SSH with the pinned host key, images and volumes on the data disk surviving a
// power-off and a second boot. One VM for the whole file (boots are slow under TCG).
#include "GuestVm.h"
#include "LocalRegistry.h"
#include "TestPaths.h"

#include <QDateTime>
#include <QDir>
#include <QProcess>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using berth::test::GuestVm;

class TestGuestImage final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<GuestVm> m_vm;
    std::unique_ptr<berth::test::LocalRegistry> m_registry;

    GuestVm::Run must(const QString& command, const QByteArray& input = {})
    {
        auto run = m_vm->ssh(command, input);
        if (run.exitCode != 0)
            qWarning().noquote() << "guest command failed:" << command << run.exitCode << run.err;
        return run;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        berth::test::keepIfAsked(m_dir);
        m_registry = std::make_unique<berth::test::LocalRegistry>(m_dir.filePath("registry"));
        QVERIFY2(m_registry->start(), qPrintable(m_registry->errorString()));
        GuestVm::Options options;
        // The host's registry as the guest sees it (QEMU user networking maps 10.0.2.2 to the
        // host's loopback); plain HTTP, so it is listed as insecure, for this test only.
        options.daemonJson =
            QString(R"({"insecure-registries": ["10.0.2.2:%1"]})").arg(m_registry->port()).toUtf8();
        QDir().mkpath(m_dir.filePath("vm"));
        m_vm = std::make_unique<GuestVm>(m_dir.filePath("vm"), options);
        QVERIFY2(m_vm->errorString().isEmpty(), qPrintable(m_vm->errorString()));
        QVERIFY2(m_vm->boot(std::chrono::seconds(240)), qPrintable(m_vm->errorString()));
    }

    void cleanupTestCase()
    {
        if (m_vm && m_vm->running() && !m_vm->powerdown(std::chrono::seconds(60)))
            m_vm->kill();
    }

    void bootReportedEveryPhaseInOrder()
    {
        QStringList names;
        double lastUptime = 0;
        for (const auto& e : m_vm->events()) {
            names << QString::fromStdString(e.name);
            QVERIFY(e.guestUptime >= lastUptime);
            lastUptime = e.guestUptime;
        }
        QCOMPARE(names, (QStringList{"initramfs", "init", "data-disk", "services", "containerd", "ready"}));
    }

    void engineIsDebianTrixies()
    {
        const auto run = must("docker version --format '{{.Server.Version}} {{.Server.APIVersion}}'");
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.startsWith("26.1.5") && run.out.trimmed().endsWith(" 1.45"), run.out.constData());
    }

    // dockerd listens on its Unix socket only: the guest's only TCP listeners are sshd and the
    // containers' DNS server (on the guest's own address, which the host has no forward to), and
    // nothing of the engine's.
    void engineHasNoTcpListener()
    {
        const auto run = must("ss -Hltn");
        QCOMPARE(run.exitCode, 0);
        const auto lines = QString::fromUtf8(run.out).split('\n', Qt::SkipEmptyParts);
        QVERIFY(!lines.isEmpty());
        for (const auto& line : lines) {
            const auto local = line.simplified().split(' ').value(3);
            QVERIFY2(local.endsWith(":22") || local == "10.0.2.15:53", qPrintable("unexpected TCP listener: " + line));
        }
        const auto sock = must("stat -c '%U:%G %a' /run/docker.sock");
        QCOMPARE(sock.out.trimmed(), QByteArray("root:docker 660"));
    }

    void sshAcceptsOnlyTheKeyAndTheUser()
    {
        // No password or keyboard-interactive login, whatever is offered.
        auto run = m_vm->ssh("true", {}, 30000,
                             {"-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive"});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.err.contains("Permission denied"), run.err.constData());
        // root may not log in even with the right key.
        QStringList args = m_vm->sshArguments();
        args.last() = "root@127.0.0.1";
        QProcess ssh;
        ssh.start("ssh", args + QStringList{"true"});
        QVERIFY(ssh.waitForFinished(30000));
        QVERIFY(ssh.exitCode() != 0);
    }

    // The host pins the guest's host key: a guest presenting any other key is refused.
    void pinnedHostKeyIsEnforced()
    {
        QTemporaryDir other;
        QProcess keygen;
        keygen.start("ssh-keygen", {"-q", "-t", "ed25519", "-N", "", "-f", other.filePath("k")});
        QVERIFY(keygen.waitForFinished(30000));
        QFile pub(other.filePath("k.pub"));
        QVERIFY(pub.open(QIODevice::ReadOnly));
        QFile known(other.filePath("known_hosts"));
        QVERIFY(known.open(QIODevice::WriteOnly));
        known.write(QString("[127.0.0.1]:%1 %2").arg(m_vm->sshPort()).arg(QString::fromUtf8(pub.readAll())).toUtf8());
        known.close();
        auto run = m_vm->ssh("true", {}, 30000, {"-o", "UserKnownHostsFile=" + known.fileName()});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.err.contains("HOST IDENTIFICATION HAS CHANGED") || run.err.contains("Host key verification failed"),
                 run.err.constData());
    }

    void timeAndDnsWork()
    {
        const auto run = must("date +%s");
        const auto guest = run.out.trimmed().toLongLong();
        QVERIFY2(std::abs(guest - QDateTime::currentSecsSinceEpoch()) <= 5, run.out.constData());
        const auto resolv = must("cat /etc/resolv.conf");
        QVERIFY2(resolv.out.contains("nameserver 10.0.2.15"), resolv.out.constData());
        // The guest's DNS server passes names on to the host's own resolver (through QEMU's DNS
        // proxy) and answers the host's names itself, as no guest config turned host access off.
        const auto dns = must("getent hosts localhost && busybox nslookup deb.debian.org 10.0.2.15 && "
                              "getent hosts host.docker.internal gateway.docker.internal");
        QCOMPARE(dns.exitCode, 0);
        QVERIFY2(QString::fromUtf8(dns.out).contains(QRegularExpression(R"(^10\.0\.2\.2\s+host\.docker\.internal$)",
                                                                          QRegularExpression::MultilineOption)) &&
                     QString::fromUtf8(dns.out).contains(QRegularExpression(
                         R"(^10\.0\.2\.2\s+gateway\.docker\.internal$)", QRegularExpression::MultilineOption)),
                 dns.out.constData());
    }

    void importsAndRunsTheTestImage()
    {
        QFile tar(berth::test::testImagesDir() + "/busybox.tar");
        QVERIFY2(tar.open(QIODevice::ReadOnly), qPrintable(tar.fileName()));
        auto run = must("docker import - berth-test/busybox:1", tar.readAll());
        QCOMPARE(run.exitCode, 0);
        run = must("docker run --rm berth-test/busybox:1 echo hello from a container");
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out, QByteArray("hello from a container\n"));
    }

    // Pushes to and pulls from the host's registry (Debian's docker-registry).
    void pushesAndPullsThroughLocalRegistry()
    {
        const auto ref = QString("10.0.2.2:%1/berth-test/busybox:pushed").arg(m_registry->port());
        QCOMPARE(must("docker tag berth-test/busybox:1 " + ref).exitCode, 0);
        QCOMPARE(must("docker push " + ref).exitCode, 0);
        const auto tags = m_registry->get("/v2/berth-test/busybox/tags/list");
        QCOMPARE(tags.first, 200);
        QVERIFY2(tags.second.contains("pushed"), tags.second.constData());
        QCOMPARE(must("docker rmi " + ref).exitCode, 0);
        QCOMPARE(must("docker pull " + ref).exitCode, 0);
        const auto run = must("docker run --rm " + ref + " echo pulled");
        QCOMPARE(run.out, QByteArray("pulled\n"));
    }

    // The host reaches the engine socket through an SSH stream-local forward
    // (direct-streamlocal@openssh.com), and the bundled host CLI speaks to it.
    void engineSocketForwardsToTheHostCli()
    {
        QTemporaryDir local;
        const auto sock = local.filePath("docker.sock");
        QProcess forward;
        forward.start("ssh", QStringList{"-N", "-o", "ExitOnForwardFailure=yes", "-L", sock + ":/run/docker.sock"} +
                                 m_vm->sshArguments());
        QVERIFY(forward.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(sock), 20000);
        QProcess docker;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("DOCKER_HOST", "unix://" + sock);
        env.insert("DOCKER_CONFIG", local.path());
        docker.setProcessEnvironment(env);
        docker.start(berth::test::binDir() + "/docker",
                     {"run", "--rm", "berth-test/busybox:1", "sh", "-c", "echo through the forward; uname -s"});
        QVERIFY(docker.waitForFinished(120000));
        QVERIFY2(docker.exitCode() == 0, docker.readAllStandardError().constData());
        QCOMPARE(docker.readAllStandardOutput(), QByteArray("through the forward\nLinux\n"));
        forward.terminate();
        forward.waitForFinished(5000);
    }

    // The data disk keeps images and named volumes across a clean power-off (ACPI power button
    // through QMP) and a new boot on the same disk.
    void dataSurvivesPowerOffAndBoot()
    {
        auto run = must("docker volume create berth-test-data && docker run --rm -v berth-test-data:/data "
                        "berth-test/busybox:1 sh -c 'echo persisted-$((6*7)) > /data/file && sync'");
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(m_vm->powerdown(std::chrono::seconds(90)), qPrintable(m_vm->errorString()));
        const auto console = m_vm->consoleTail(200);
        QVERIFY2(!console.contains("EXT4-fs error"), qPrintable(console));

        QVERIFY2(m_vm->boot(std::chrono::seconds(240)), qPrintable(m_vm->errorString()));
        run = must("docker run --rm -v berth-test-data:/data berth-test/busybox:1 cat /data/file");
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out, QByteArray("persisted-42\n"));
        // The second boot found an existing file system: checked, not formatted again.
        QVERIFY2(!m_vm->consoleTail(400).contains("formatting the new data disk"), qPrintable(m_vm->consoleTail(400)));
        QVERIFY(must("docker image inspect berth-test/busybox:1").exitCode == 0);
    }
};

QTEST_GUILESS_MAIN(TestGuestImage)
#include "tst_guestimage.moc"
