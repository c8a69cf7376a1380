// Data safety and recovery, tried as a person meets it: a folder Berth must not lock, bad
// settings and a daemon.json dockerd rejects, a file where the socket goes, dockerd crashing,
// the agent killed with -9, a VM orphaned by an agent, a full data disk, a damaged superblock,
// and a disk nothing can repair. Each must say what happened and lose nothing. One instance,
// one VM at a time, the real image under QEMU.
#include "BerthHome.h"
#include "RunProcess.h"
#include "TestPaths.h"

#include <csignal>
#include <sys/stat.h>

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using berth::test::describe;
using berth::test::ProcessRun;

class TestRecovery final : public QObject
{
    Q_OBJECT

private:
    berth::test::BerthHome m_home{"/tmp/brc-XXXXXX"};

    QString instanceFile(const QString& name) const { return m_home.instanceDir() + "/" + name; }

    ProcessRun berth(const QStringList& args, int timeoutMs = 300000) const { return m_home.berth(args, timeoutMs); }
    ProcessRun docker(const QStringList& args, const QByteArray& input = {}) const
    {
        return berth::test::runProcess(berth::test::binDir() + "/docker", args, input, 180000, m_home.environment());
    }

    QJsonObject status() const
    {
        const auto run = berth({"status", "--json"});
        return run.exitCode == 0 ? QJsonDocument::fromJson(run.out).object() : QJsonObject{};
    }

    QString notices() const
    {
        QStringList all;
        for (const auto& n : status().value("notices").toArray())
            all << n.toString();
        return all.join('\n');
    }

    static bool processExists(int pid) { return pid > 0 && ::kill(pid, 0) == 0; }

    static unsigned modeOf(const QString& path)
    {
        struct stat st{};
        return ::stat(path.toLocal8Bit().constData(), &st) == 0 ? (st.st_mode & 07777) : 0xffff;
    }

    static bool writeFile(const QString& path, const QByteArray& bytes)
    {
        QFile file(path);
        return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
    }

    static QByteArray readFile(const QString& path, qint64 most = 64 << 20)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.read(most) : QByteArray();
    }

    // QEMU processes whose command line uses this instance's data disk.
    int qemuCount() const
    {
        int count = 0;
        const auto disk = ("file=" + instanceFile("data.img")).toUtf8() + '\0';
        for (const auto& pid : QDir("/proc").entryList(QDir::Dirs)) {
            if (pid.toInt() > 0 && readFile("/proc/" + pid + "/cmdline").contains(disk))
                ++count;
        }
        return count;
    }

    bool mustStart(const QStringList& extra = {}, ProcessRun* output = nullptr)
    {
        const auto run = berth(QStringList{"start"} + extra);
        if (output)
            *output = run;
        if (run.exitCode != 0) {
            qWarning("berth start failed: %s", qPrintable(describe(run)));
            qWarning("berth logs:\n%s", berth({"logs", "-n", "60"}).out.constData());
        }
        return run.exitCode == 0 && status().value("state").toString() == "running";
    }

    bool volumeHolds(const QByteArray& expected) const
    {
        const auto run = docker({"run", "--rm", "-v", "precious:/v", "bb:1", "cat", "/v/data"});
        if (run.out.trimmed() != expected)
            qWarning("the volume's file: %s", qPrintable(describe(run)));
        return run.exitCode == 0 && run.out.trimmed() == expected;
    }

    // A process that looks to Berth like a QEMU running this instance's data disk, as an
    // agent that died would leave behind (argv[0] "qemu-system-x86_64", a -drive with file=).
    QProcess* fakeOrphan()
    {
        auto* process = new QProcess(this);
        process->start("bash", {"-c", "exec -a qemu-system-x86_64 perl -e 'sleep 600' -- -drive "
                                      "\"if=none,id=data,format=raw,file=$0\"",
                                instanceFile("data.img")});
        if (!process->waitForStarted(5000))
            return nullptr;
        for (int i = 0; i < 100 && qemuCount() == 0; ++i)
            QTest::qWait(20);
        return process;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        QVERIFY(QFileInfo::exists(berth::test::binDir() + "/berth"));
    }

    // Item 2: BERTH_HOME may name a folder the user owns for other things ($HOME, /tmp).
    void leavesTheFolderItIsGivenAlone()
    {
        const auto shared = m_home.path("shared");
        QVERIFY(QDir().mkpath(shared));
        QCOMPARE(::chmod(shared.toLocal8Bit().constData(), 01777), 0);
        auto env = m_home.environment();
        env.insert("BERTH_HOME", shared);
        auto run = berth::test::runProcess(berth::test::binDir() + "/berth", {"version"}, {}, 120000, env);
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QCOMPARE(modeOf(shared), 01777u);
        QCOMPARE(modeOf(shared + "/default"), 0700u); // Berth's own folder is private
        // A home Berth creates itself is private.
        env.insert("BERTH_HOME", m_home.path("made/here"));
        run = berth::test::runProcess(berth::test::binDir() + "/berth", {"status"}, {}, 120000, env);
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QCOMPARE(modeOf(m_home.path("made/here")), 0700u);
    }

    // Item 7: a value out of range is quoted as written, not as clamped.
    void quotesBadSettingsAsWritten()
    {
        QVERIFY(writeFile(instanceFile("settings.json"), "{\"memory_mib\": -512}\n"));
        const auto run = berth({"start"});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("'memory_mib' is -512 MiB"), qPrintable(describe(run)));
        QCOMPARE(readFile(instanceFile("settings.json")), QByteArray("{\"memory_mib\": -512}\n"));
        QVERIFY(QFile::remove(instanceFile("settings.json")));
    }

    // Item 7: a file where the engine socket goes is the user's: refused at once, kept.
    void keepsAFileWhereTheSocketGoes()
    {
        QVERIFY(QDir().mkpath(m_home.instanceDir() + "/sock"));
        QVERIFY(writeFile(m_home.engineSocket(), "mine\n"));
        QElapsedTimer took;
        took.start();
        const auto run = berth({"start"});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(m_home.engineSocket().toUtf8()) && run.err.contains("not a socket"),
                 qPrintable(describe(run)));
        QVERIFY2(took.elapsed() < 20000, qPrintable(QString::number(took.elapsed())));
        QCOMPARE(readFile(m_home.engineSocket()), QByteArray("mine\n"));
        QCOMPARE(qemuCount(), 0);
        QVERIFY(QFile::remove(m_home.engineSocket()));
    }

    // Item 5: data-root is refused on the host; a key dockerd rejects fails the boot early,
    // named, instead of a 300 s wait.
    void daemonJsonTheEngineRejectsFailsFast()
    {
        const auto daemonJson = instanceFile("daemon.json");
        QVERIFY(writeFile(daemonJson, "{\"data-root\": \"/elsewhere\"}\n"));
        auto run = berth({"start"});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("\"data-root\"") && run.err.contains("data disk"), qPrintable(describe(run)));
        QCOMPARE(qemuCount(), 0);

        QVERIFY(writeFile(daemonJson, "{\"no-such-option\": 1, \"registry-mirrors\": [\"https://u:secret@m.example\"]}\n"));
        QElapsedTimer took;
        took.start();
        run = berth({"start"});
        const auto seconds = took.elapsed() / 1000.0;
        qInfo("berth start with a daemon.json dockerd rejects failed after %.1f s", seconds);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("no-such-option") && run.err.contains(daemonJson.toUtf8()), qPrintable(describe(run)));
        QVERIFY2(seconds < 120, qPrintable(QString::number(seconds)));
        QTRY_COMPARE_WITH_TIMEOUT(qemuCount(), 0, 15000);
        QCOMPARE(status().value("state").toString(), QString("error"));
        QVERIFY(QFileInfo::exists(m_home.instanceDir() + "/sock/daemon.json")); // the guest's copy
        QVERIFY(QFile::remove(daemonJson));
        // The boot stopped before the data disk: the new disk is still blank (sparse zeros).
        // Removed, so the next test starts a new instance.
        QCOMPARE(readFile(instanceFile("data.img"), 8 << 20).count('\0'), 8 << 20);
        QVERIFY(QFile::remove(instanceFile("data.img")));
    }

    // Item 7: a new instance has no disk to shrink; then the VM runs, and the guest's copy of a
    // removed daemon.json (it may have held a secret) keeps nothing of it: it is rewritten at
    // every start with only what Berth adds (the host's address for host-gateway).
    void newInstanceTakesAnyValidDiskSize()
    {
        ProcessRun run;
        QVERIFY(mustStart({"--disk", "8"}, &run));
        QVERIFY2(run.out.contains("8 GiB disk"), qPrintable(describe(run)));
        const auto guestCopy = readFile(m_home.instanceDir() + "/sock/daemon.json", 1 << 20);
        QVERIFY2(!guestCopy.contains("no-such-option") && guestCopy.contains("\"host-gateway-ip\":\"10.0.2.2\""),
                 guestCopy.constData());
        QCOMPARE(QFileInfo(instanceFile("data.img")).size(), 8LL << 30);
        QFile tar(berth::test::testImagesDir() + "/busybox.tar");
        QVERIFY(tar.open(QIODevice::ReadOnly));
        run = docker({"import", "-", "bb:1"}, tar.readAll());
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        run = docker({"run", "--rm", "-v", "precious:/v", "bb:1", "sh", "-c", "echo kept > /v/data && sync"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    }

    // Item 6: dockerd dying in the guest shows as "engine restarting" until it answers again.
    void reportsTheEngineRestarting()
    {
        QVERIFY(!status().value("engine_restarting").toBool());
        // A privileged container in the guest's process namespace kills dockerd; its own request
        // dies with it.
        docker({"run", "--rm", "--privileged", "--pid=host", "bb:1", "sh", "-c", "kill -9 $(pidof dockerd)"});
        QTRY_VERIFY_WITH_TIMEOUT(status().value("engine_restarting").toBool(), 20000);
        const auto text = berth({"status"});
        QVERIFY2(text.out.contains("restarting"), qPrintable(describe(text)));
        QCOMPARE(status().value("state").toString(), QString("running"));
        QTRY_VERIFY_WITH_TIMEOUT(!status().value("engine_restarting").toBool(), 90000);
        QVERIFY(volumeHolds("kept"));
    }

    // Items 3 and 5: a dockerd that exits as soon as it starts (here: a daemon.json that passes
    // `dockerd --validate` but names a storage driver the disk cannot have) fails the start
    // after a few tries, not at the 300 s boot deadline.
    void engineThatKeepsExitingFailsTheStart()
    {
        QVERIFY(writeFile(instanceFile("daemon.json"), "{\"storage-driver\": \"btrfs\"}\n"));
        QElapsedTimer took;
        took.start();
        const auto run = berth({"restart"});
        qInfo("a restart whose dockerd keeps exiting failed after %.1f s", took.elapsed() / 1000.0);
        QVERIFY(QFile::remove(instanceFile("daemon.json")));
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("the engine (dockerd) exited 5 times while starting") && run.err.contains("berth logs"),
                 qPrintable(describe(run)));
        QVERIFY2(took.elapsed() < 200000, qPrintable(QString::number(took.elapsed())));
        QTRY_COMPARE_WITH_TIMEOUT(qemuCount(), 0, 15000);
        QVERIFY(mustStart());
        QVERIFY(volumeHolds("kept"));
    }

    // Item 4: the agent killed with -9 takes QEMU with it; the next start recovers.
    void agentDeathTakesQemuWithIt()
    {
        const auto s = status();
        const int agent = s.value("pid").toInt(), qemu = s.value("vm_pid").toInt();
        QVERIFY(processExists(agent) && processExists(qemu));
        QCOMPARE(::kill(agent, SIGKILL), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!processExists(qemu), 15000);
        QCOMPARE(qemuCount(), 0);
        const auto after = status();
        QCOMPARE(after.value("state").toString(), QString("stopped"));
        QVERIFY2(after.value("last_error").toString().contains("ended without stopping"),
                 qPrintable(after.value("last_error").toString()));
        ProcessRun run;
        QVERIFY(mustStart({}, &run));
        // The guest was not shut down: the start says what it recovered.
        QVERIFY2(run.out.contains("Note: The data disk was not shut down cleanly") ||
                     run.out.contains("Note: The data disk's filesystem had errors"),
                 qPrintable(describe(run)));
        QVERIFY(volumeHolds("kept"));
    }

    // Item 4: a QEMU without its agent (an agent from before this fix, or one whose pid file is
    // gone) is named by `berth status`, ended by `berth stop`, and replaced by `berth start`.
    void orphanedVmIsFoundAndStopped()
    {
        QCOMPARE(berth({"stop"}).exitCode, 0);
        auto* orphan = fakeOrphan();
        QVERIFY(orphan);
        QCOMPARE(qemuCount(), 1);
        const auto s = status();
        QCOMPARE(s.value("vm_pid").toInt(), static_cast<int>(orphan->processId()));
        QVERIFY2(s.value("last_error").toString().contains("without its Berth agent"),
                 qPrintable(s.value("last_error").toString()));
        auto run = berth({"stop"});
        QVERIFY2(run.exitCode == 0 && run.out.contains("Stopped a VM (QEMU pid " + QByteArray::number(orphan->processId())),
                 qPrintable(describe(run)));
        QVERIFY(orphan->waitForFinished(10000));
        QCOMPARE(qemuCount(), 0);

        orphan = fakeOrphan();
        QVERIFY(orphan);
        QVERIFY(mustStart({}, &run));
        QVERIFY(orphan->waitForFinished(10000));
        QVERIFY2(run.out.contains("Note: Stopped a VM"), qPrintable(describe(run)));
        QVERIFY(notices().contains("earlier Berth agent had left running"));
        QCOMPARE(qemuCount(), 1);
    }

    // Item 3: a disk filled from a container still lets the engine start, says so, and the
    // user can free space with the docker CLI. Filled again once the reserve is spent, the start
    // fails in seconds naming the full disk, and growing the disk gets the engine back.
    void fullDiskStillStartsTheEngine()
    {
        const auto fill = [this](const QString& volume) {
            const auto run = docker({"run", "--rm", "-v", volume + ":/f", "bb:1", "sh", "-c",
                                     "fallocate -l $(df -B1 /f | awk 'END {print $4}') /f/big; df -m /f"});
            qInfo("filled: %s", run.out.constData());
        };
        fill("filler");
        auto run = berth({"restart"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY2(run.out.contains("Note: The data disk is full") && run.out.contains("docker volume rm"),
                 qPrintable(describe(run)));
        QVERIFY(notices().contains("The data disk is full"));
        const auto text = berth({"status"});
        QVERIFY2(text.out.contains("The data disk is full"), qPrintable(describe(text)));

        // Filled again with the reserve spent: the start says so and how to get out (dockerd may
        // or may not manage to start on it; engineThatKeepsExitingFailsTheStart covers a dockerd
        // that cannot), and growing the disk gives the engine room again.
        fill("filler2");
        run = berth({"restart"});
        QVERIFY2((run.out + run.err).contains("reserve is already used") && (run.out + run.err).contains("berth start --disk"),
                 qPrintable(describe(run)));
        QCOMPARE(berth({"stop"}).exitCode, 0);
        QVERIFY(mustStart({"--disk", "9"}, &run));
        QVERIFY2(!run.out.contains("reserve is already used"), qPrintable(describe(run)));
        for (const char* volume : {"filler", "filler2"}) {
            run = docker({"volume", "rm", volume});
            QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        }
        QVERIFY(volumeHolds("kept"));
    }

    // Item 1: a damaged primary superblock is repaired from a backup, never reformatted.
    void repairsADamagedSuperblock()
    {
        QCOMPARE(berth({"stop"}).exitCode, 0);
        QFile disk(instanceFile("data.img"));
        QVERIFY(disk.open(QIODevice::ReadWrite));
        QVERIFY(disk.seek(1024));
        QCOMPARE(disk.write(QByteArray(1024, '\0')), 1024LL);
        disk.close();
        const auto formatted = [this] {
            return readFile(instanceFile("log/console.log")).count("formatting the new data disk");
        };
        const auto formattedBefore = formatted();
        ProcessRun run;
        QVERIFY(mustStart({}, &run));
        QVERIFY2(run.out.contains("primary superblock was damaged"), qPrintable(describe(run)));
        QVERIFY(notices().contains("rebuilt it from the backup"));
        QVERIFY(volumeHolds("kept"));
        QCOMPARE(formatted(), formattedBefore);
    }

    // Item 1: a disk that holds data but no filesystem anything can read is left untouched,
    // and the start says so and what to do.
    void keepsADiskItCannotRepair()
    {
        QCOMPARE(berth({"stop"}).exitCode, 0);
        const auto real = instanceFile("data.img"), aside = instanceFile("data.img.real");
        QVERIFY(QFile::rename(real, aside));
        {
            QFile garbage(real);
            QVERIFY(garbage.open(QIODevice::WriteOnly));
            QByteArray bytes(64 * 1024, '\0');
            for (int i = 0; i < bytes.size(); ++i)
                bytes[i] = static_cast<char>((i * 131 + 7) & 0xff);
            QCOMPARE(garbage.write(bytes), static_cast<qint64>(bytes.size()));
            QVERIFY(garbage.resize(9LL << 30)); // the size settings.json asks for, so nothing grows it
        }
        const auto before = QCryptographicHash::hash(readFile(real, 1 << 20), QCryptographicHash::Sha256);
        const auto run = berth({"start"});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("no ext4 filesystem") && run.err.contains("did not change the disk"),
                 qPrintable(describe(run)));
        QTRY_COMPARE_WITH_TIMEOUT(qemuCount(), 0, 15000);
        QCOMPARE(QFileInfo(real).size(), 9LL << 30);
        QCOMPARE(QCryptographicHash::hash(readFile(real, 1 << 20), QCryptographicHash::Sha256), before);
        QVERIFY(QFile::remove(real));
        QVERIFY(QFile::rename(aside, real));
    }

    void cleanupTestCase()
    {
        berth({"stop"});
        QCOMPARE(qemuCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRecovery)
#include "tst_recovery.moc"
