// vm::Process: what a child inherits (only 0, 1, 2 and the fd it is handed) and that a child
// spawned to die with its parent does, even when the parent never gets to stop it.
#include "berth/vm/Process.h"

#include <csignal>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using berth::vm::Process;

class TestProcess final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QByteArray read(const QString& name) const
    {
        QFile file(m_dir.filePath(name));
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

private slots:
    // A log file this process holds open (as spdlog holds the agent's) must not reach QEMU.
    void childInheritsOnlyWhatItIsGiven()
    {
        const int logFd =
            ::open(m_dir.filePath("held.log").toLocal8Bit().constData(), O_WRONLY | O_CREAT, 0600);
        QVERIFY(logFd > 2);
        const int passed = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        auto child =
            Process::spawn({"sleep", "30"}, {.stdoutFile = {}, .stderrFile = {}, .passHandle = passed});
        QVERIFY2(child, child ? "" : child.error().message.c_str());
        // Looked at from here, so nothing the child does opens more.
        QStringList fds;
        QTRY_VERIFY(QFileInfo(QString("/proc/%1/exe").arg(child->pid())).symLinkTarget().endsWith("sleep"));
        for (const auto& fd : QDir(QString("/proc/%1/fd").arg(child->pid()))
                                  .entryList(QDir::NoDotAndDotDot | QDir::AllEntries | QDir::System))
            fds << fd;
        std::sort(fds.begin(), fds.end());
        QCOMPARE(fds, QStringList({"0", "1", "2", "3"}));
        QCOMPARE(QFileInfo(QString("/proc/%1/fd/3").arg(child->pid())).symLinkTarget(), QString("/dev/null"));
        child->signal(SIGKILL);
        child->wait(std::chrono::seconds(5));
        ::close(logFd);
        ::close(passed);
    }

    // runAttached (berth shell's ssh, default-socket's pkexec): the exit status comes back, a
    // signal's end as -N, and a program that cannot be run is an error naming it, not a 127.
    void attachedProgramsReportHowTheyEnded()
    {
        QCOMPARE(berth::vm::runAttached({"sh", "-c", "exit 3"}).valueOr(-100), 3);
        QCOMPARE(berth::vm::runAttached({"sh", "-c", "kill -TERM $$"}).valueOr(-100), -SIGTERM);
        const auto missing = berth::vm::runAttached({"berth-no-such-program"});
        QVERIFY(!missing && QString::fromStdString(missing.error().message).contains("not found in PATH"));
        const QString script = m_dir.filePath("not-executable");
        QFile(script).open(QIODevice::WriteOnly);
        const auto refused = berth::vm::runAttached({script.toStdString()});
        QVERIFY2(!refused && QString::fromStdString(refused.error().message).contains("Permission denied"),
                 refused ? "ran" : refused.error().message.c_str());
        QVERIFY(berth::vm::findProgram("sh").is_absolute());
        QVERIFY(berth::vm::findProgram("berth-no-such-program").empty());
    }

    // Each runnable file of that name, in PATH's order: what virtiofsd's search goes through.
    void everyProgramInPathIsFound()
    {
        for (const char* dir : {"a", "b", "c"}) {
            QVERIFY(QDir(m_dir.path()).mkpath(dir));
            QFile probe(m_dir.filePath(QString(dir) + "/berth-probe"));
            QVERIFY(probe.open(QIODevice::WriteOnly));
            probe.write("#!/bin/sh\n");
            probe.close();
            if (QString(dir) != "b") // b's is not executable
                probe.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                     QFileDevice::ExeOwner);
        }
        const QByteArray saved = qgetenv("PATH");
        qputenv("PATH",
                (m_dir.filePath("a") + "::" + m_dir.filePath("b") + ":" + m_dir.filePath("c")).toLocal8Bit());
        const auto found = berth::vm::programsInPath("berth-probe");
        qputenv("PATH", saved);
        QCOMPARE(found.size(), std::size_t(2));
        QCOMPARE(QString::fromStdString(found[0].string()), m_dir.filePath("a/berth-probe"));
        QCOMPARE(QString::fromStdString(found[1].string()), m_dir.filePath("c/berth-probe"));
    }

    void currentProcessIdIsThisOne()
    {
        QCOMPARE(berth::vm::currentProcessId(), static_cast<int>(::getpid()));
        QCOMPARE(berth::vm::currentProcessId(), static_cast<int>(QCoreApplication::applicationPid()));
    }

    void missingProgramIsNamed()
    {
        const auto child = Process::spawn({"berth-no-such-program"}, {});
        QVERIFY(!child);
        QVERIFY(QString::fromStdString(child.error().message).contains("berth-no-such-program"));
        const auto notExecutable = Process::spawn({m_dir.path().toStdString()}, {});
        QVERIFY(!notExecutable);
    }

    // PR_SET_PDEATHSIG follows the thread that spawned: when it ends, the child gets SIGTERM,
    // as QEMU does when its agent is killed.
    void childDiesWithTheThreadThatSpawnedIt()
    {
        std::optional<Process> child;
        std::thread owner([&child] {
            auto spawned =
                Process::spawn({"sleep", "600"}, {.stdoutFile = {}, .stderrFile = {}, .dieWithParent = true});
            if (spawned)
                child = std::move(spawned).value();
        });
        owner.join();
        QVERIFY(child);
        QCOMPARE(child->wait(std::chrono::seconds(10)), std::optional<int>(-SIGTERM));

        // Without it, the child lives on (and is ended here).
        std::optional<Process> survivor;
        std::thread other([&survivor] {
            auto spawned = Process::spawn({"sleep", "600"}, {});
            if (spawned)
                survivor = std::move(spawned).value();
        });
        other.join();
        QVERIFY(survivor);
        QVERIFY(!survivor->wait(std::chrono::milliseconds(500)));
        survivor->signal(SIGKILL);
        QCOMPARE(survivor->wait(std::chrono::seconds(10)), std::optional<int>(-SIGKILL));
    }
};

QTEST_GUILESS_MAIN(TestProcess)
#include "tst_process.moc"
