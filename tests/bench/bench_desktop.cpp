// berth-desktop's own costs, against the real engine in the real VM (one Berth instance):
//   (a) memory of the real berth-desktop process, idle, with the engine's containers listed:
//       with 0 containers (the baseline) and with 500;
//   (b) event-to-row latency for 200 containers started in a burst: from the moment a
//       `docker events` client (the baseline) prints a container's start event to the moment the
//       dashboard's row shows it running, median and max;
//   (c) the logs view ingesting a container's output: lines/s into the view beside `docker logs`
//       reading the same output, and the longest GUI-thread stall meanwhile.
// Set BERTH_BENCH_CONTAINERS to change 500 and BERTH_BENCH_BURST to change 200.
#include "BenchMain.h"
#include "BerthHome.h"
#include "ContainerModel.h"
#include "Desktop.h"
#include "EngineService.h"
#include "LogsView.h"
#include "MainWindow.h"
#include "RunProcess.h"
#include "TestPaths.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QPlainTextEdit>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>
#include <QTextBlock>
#include <QTimer>

using namespace berth;
using test::ProcessRun;

namespace {

using Clock = std::chrono::steady_clock;

double ms(Clock::duration d)
{
    return std::chrono::duration<double, std::milli>(d).count();
}

// A process's resident and proportional set sizes, in MiB.
std::pair<double, double> memoryOf(qint64 pid)
{
    double rss = 0, pss = 0;
    QFile rollup(QString("/proc/%1/smaps_rollup").arg(pid));
    if (rollup.open(QIODevice::ReadOnly)) {
        for (const auto& line : rollup.readAll().split('\n')) {
            const auto fields = line.simplified().split(' ');
            if (fields.size() >= 2 && fields[0] == "Rss:")
                rss = fields[1].toDouble() / 1024;
            if (fields.size() >= 2 && fields[0] == "Pss:")
                pss = fields[1].toDouble() / 1024;
        }
    }
    return {rss, pss};
}

// The longest gap between ticks of a 5 ms timer on the GUI thread: how long it did not answer.
class StallMeter final : public QObject
{
public:
    StallMeter()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(5);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const auto now = Clock::now();
            m_longest = std::max(m_longest, now - m_last);
            m_last = now;
        });
    }
    void start()
    {
        m_longest = {};
        m_last = Clock::now();
        m_timer.start();
    }
    double stop()
    {
        m_timer.stop();
        return ms(m_longest);
    }

private:
    QTimer m_timer;
    Clock::time_point m_last;
    Clock::duration m_longest{};
};

} // namespace

class BenchDesktop final : public QObject
{
    Q_OBJECT

private:
    test::BerthHome m_berth{"/tmp/berth-bench-XXXXXX"};

    QProcessEnvironment environment() const { return m_berth.environment(); }
    ProcessRun docker(const QStringList& args, int timeoutMs = 600000)
    {
        return m_berth.docker(args, timeoutMs);
    }

    // Runs the real berth-desktop (no tray, no start) until it has listed `containers`, lets it
    // idle, and returns its memory.
    std::pair<double, double> desktopMemory(int containers)
    {
        QProcess desktop;
        auto env = environment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        env.insert("QT_LOGGING_RULES", "berth.desktop.engine.info=true");
        desktop.setProcessEnvironment(env);
        desktop.setProcessChannelMode(QProcess::MergedChannels);
        desktop.start(test::binDir() + "/berth-desktop", {"--no-start", "--no-tray"});
        if (!desktop.waitForStarted(10000))
            return {-1, -1};
        const QString ready = QString("listed %1 containers").arg(containers);
        QByteArray output;
        QElapsedTimer waited;
        waited.start();
        while (!output.contains(ready.toUtf8()) && waited.elapsed() < 300000 &&
               desktop.state() == QProcess::Running) {
            desktop.waitForReadyRead(1000);
            output += desktop.readAll();
        }
        if (!output.contains(ready.toUtf8())) {
            qWarning() << "berth-desktop never said" << ready << ":" << output.right(2000);
            return {-1, -1};
        }
        QTest::qWait(10000); // idle: stats samples and a settled heap
        const auto memory = memoryOf(desktop.processId());
        desktop.terminate();
        desktop.waitForFinished(10000);
        return memory;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_berth.isValid());
        const auto start = m_berth.berth({"start", "--memory", "3072"}, 600000);
        QVERIFY2(start.exitCode == 0, qPrintable(test::describe(start)));
        const auto imported = docker({"import", test::testImagesDir() + "/busybox.tar", "bb:1"});
        QVERIFY2(imported.exitCode == 0, qPrintable(test::describe(imported)));
    }

    void cleanupTestCase() { m_berth.berth({"stop"}); }

    void dashboard()
    {
        const int total = qEnvironmentVariableIntValue("BERTH_BENCH_CONTAINERS") > 0
                              ? qEnvironmentVariableIntValue("BERTH_BENCH_CONTAINERS")
                              : 500;
        const int burst = std::min(total, qEnvironmentVariableIntValue("BERTH_BENCH_BURST") > 0
                                              ? qEnvironmentVariableIntValue("BERTH_BENCH_BURST")
                                              : 200);

        // (a) the baseline: berth-desktop idle with the engine running and nothing in it.
        const auto empty = desktopMemory(0);
        QVERIFY(empty.first > 0);

        // 500 containers, made four at a time.
        QElapsedTimer made;
        made.start();
        std::vector<std::thread> makers;
        std::atomic<int> failures{0};
        constexpr int kMakers = 4;
        for (int m = 0; m < kMakers; ++m)
            makers.emplace_back([&, m] {
                for (int i = m; i < total; i += kMakers) {
                    const auto name = QString("bench-%1").arg(i, 3, 10, QChar('0'));
                    if (docker({"create", "--name", name, "bb:1", "sleep", "100000"}).exitCode != 0)
                        ++failures;
                }
            });
        for (auto& t : makers)
            t.join();
        QCOMPARE(failures.load(), 0);
        qInfo() << "created" << total << "containers in" << made.elapsed() / 1000.0 << "s";

        // (a) with them listed.
        const auto full = desktopMemory(total);
        QVERIFY(full.first > 0);
        qInfo("(a) RSS %.1f MiB (PSS %.1f) with %d containers; %.1f MiB (PSS %.1f) with 0", full.first,
              full.second, total, empty.first, empty.second);

        // (b) the dashboard in this process, following the engine.
        auto instance = vm::Instance::open(m_berth.home().toStdString(), "default");
        QVERIFY(instance);
        app::Desktop::Options options;
        options.agentProgram = (test::binDir() + "/berth").toStdString();
        options.startEngine = false;
        options.useTray = false;
        app::Desktop desktop(std::move(instance).value(), options);
        desktop.start();
        QTRY_COMPARE_WITH_TIMEOUT(desktop.containers()->containerCount(), total, 120000);

        std::map<QString, Clock::time_point> shown; // id → row first showed running
        QObject::connect(desktop.containers(), &QAbstractItemModel::dataChanged, &desktop,
                         [&](const QModelIndex& topLeft) {
                             const auto id = topLeft.data(app::ContainerModel::IdRole).toString();
                             if (!id.isEmpty() && !shown.count(id) &&
                                 topLeft.data(app::ContainerModel::StateRole).toString() == "running")
                                 shown[id] = Clock::now();
                         });

        // The baseline client: `docker events`, read on a thread of its own so that its times
        // do not wait for the GUI thread.
        std::mutex seenLock;
        std::map<QString, Clock::time_point> seen; // id → the CLI printed its start event
        const auto dockerHost = ("unix://" + m_berth.engineSocket()).toStdString();
        // `echo $$` first: the shell's pid, which exec hands to the CLI, so that it can be ended.
        const auto command =
            QString("echo $$; DOCKER_HOST=%1 DOCKER_CONFIG=%2 exec %3/docker events --filter "
                    "type=container --filter event=start --format '{{.ID}}'")
                .arg(QString::fromStdString(dockerHost), m_berth.path("docker-config"), test::binDir())
                .toStdString();
        FILE* events = ::popen(command.c_str(), "r");
        QVERIFY(events);
        char pidLine[32] = {};
        QVERIFY(std::fgets(pidLine, sizeof pidLine, events));
        const pid_t eventsPid = std::atoi(pidLine);
        QVERIFY(eventsPid > 0);
        std::thread reader([&] {
            char line[256];
            while (std::fgets(line, sizeof line, events)) {
                const auto id = QString::fromLatin1(line).trimmed();
                std::lock_guard lock(seenLock);
                seen.emplace(id, Clock::now());
            }
        });
        QTest::qWait(2000); // the events client is listening

        StallMeter stall;
        stall.start();
        QStringList names;
        for (int i = 0; i < burst; ++i)
            names << QString("bench-%1").arg(i, 3, 10, QChar('0'));
        std::vector<std::thread> starters;
        for (int s = 0; s < kMakers; ++s)
            starters.emplace_back([&, s] {
                QStringList mine{"start"};
                for (int i = s; i < burst; i += kMakers)
                    mine << names[i];
                // Under TCG a start takes seconds of the guest's one emulation thread.
                if (docker(mine, 3600000).exitCode != 0)
                    ++failures;
            });
        QElapsedTimer burstTime;
        burstTime.start();
        QTRY_VERIFY_WITH_TIMEOUT(int(shown.size()) >= burst || failures > 0, 3600000);
        const double burstStall = stall.stop();
        const double burstSeconds = burstTime.elapsed() / 1000.0;
        for (auto& t : starters)
            t.join();
        QCOMPARE(failures.load(), 0);
        QTest::qWait(1000);
        ::kill(eventsPid, SIGTERM);
        reader.join();
        ::pclose(events);
        std::vector<double> latencies;
        {
            std::lock_guard lock(seenLock);
            for (const auto& [id, at] : shown)
                if (const auto printed = seen.find(id); printed != seen.end())
                    latencies.push_back(ms(at - printed->second));
        }
        QVERIFY2(int(latencies.size()) >= burst * 9 / 10,
                 qPrintable(QString("matched %1 of %2 start events").arg(latencies.size()).arg(burst)));
        const double maxLatency = *std::max_element(latencies.begin(), latencies.end());
        qInfo("(b) start event to row: median %.1f ms, max %.1f ms over %zu; stall %.1f ms; burst %.0f s",
              test::median(latencies), maxLatency, latencies.size(), burstStall, burstSeconds);

        // (c) logs: a container that prints as fast as it can, read by the view and by the CLI.
        const int lines = qEnvironmentVariableIntValue("BERTH_BENCH_LOG_LINES") > 0
                              ? qEnvironmentVariableIntValue("BERTH_BENCH_LOG_LINES")
                              : 300000;
        const auto printer =
            docker({"run", "--name", "bench-printer", "bb:1", "sh", "-c",
                    QString("seq 1 %1 | sed 's/$/ the quick brown fox jumps over the lazy dog/'").arg(lines)},
                   900000);
        QVERIFY2(printer.exitCode == 0, qPrintable(test::describe(printer).left(300)));
        QElapsedTimer cli;
        cli.start();
        // The view reads the last LogsView::kMaxLines lines (all it keeps); so does the CLI here.
        const int shownLines = std::min(lines, app::LogsView::kMaxLines);
        const auto cliLogs = docker({"logs", "--tail", QString::number(shownLines), "bench-printer"}, 900000);
        const double cliSeconds = cli.elapsed() / 1000.0;
        QCOMPARE(cliLogs.out.count('\n'), shownLines);

        auto* window = desktop.window();
        const auto printerId =
            QString::fromUtf8(docker({"inspect", "-f", "{{.Id}}", "bench-printer"}).out).trimmed();
        qint64 received = 0;
        bool ended = false;
        QObject::connect(desktop.engine(), &app::EngineService::logLines, &desktop,
                         [&](int, const QVector<app::LogLine>& batch) { received += batch.size(); });
        QObject::connect(desktop.engine(), &app::EngineService::logEnded, &desktop, [&] { ended = true; });
        stall.start();
        QElapsedTimer view;
        view.start();
        window->openLogs(printerId, "bench-printer");
        QTRY_VERIFY_WITH_TIMEOUT(ended && received >= shownLines, 900000);
        auto* logs = window->logsView(printerId);
        QVERIFY(logs);
        auto* text = logs->findChild<QPlainTextEdit*>("logsText");
        // The view has shown the last line once its batches are flushed.
        QTRY_VERIFY_WITH_TIMEOUT(
            text->document()->lastBlock().text().startsWith(QString::number(lines) + " "), 60000);
        const double viewSeconds = view.elapsed() / 1000.0;
        const double logsStall = stall.stop();
        const auto withLogs = memoryOf(QCoreApplication::applicationPid());
        QVERIFY(text->document()->blockCount() <= app::LogsView::kMaxLines + 1);

        std::printf("\nberth-desktop (%s)\n", qPrintable(QDateTime::currentDateTime().toString(Qt::ISODate)));
        std::printf("| measurement | berth-desktop | baseline |\n|---|---|---|\n");
        std::printf("| (a) RSS idle, %d containers listed, MiB | %.1f (PSS %.1f) | %.1f (PSS %.1f) with 0 "
                    "containers |\n",
                    total, full.first, full.second, empty.first, empty.second);
        std::printf("| (b) start event → row shows running, %d started at once, ms | median %.1f, max %.1f | "
                    "0 = when `docker events` printed it |\n",
                    burst, test::median(latencies), maxLatency);
        std::printf("| (b) longest GUI-thread stall during the burst (%.0f s under TCG), ms | %.1f | |\n",
                    burstSeconds, burstStall);
        std::printf(
            "| (c) the last %d of %d lines into the view, lines/s | %.0f (%.1f s) | `docker logs --tail`: "
            "%.0f (%.1f s) |\n",
            shownLines, lines, shownLines / viewSeconds, viewSeconds, shownLines / cliSeconds, cliSeconds);
        std::printf("| (c) longest GUI-thread stall while ingesting, ms | %.1f | goal ≤ 50 |\n", logsStall);
        std::printf("| (c) RSS of this process with the logs view full, MiB | %.1f | cap %d lines |\n",
                    withLogs.first, app::LogsView::kMaxLines);
        std::fflush(stdout);
    }
};

int main(int argc, char* argv[])
{
    if (qEnvironmentVariableIsEmpty("QTEST_FUNCTION_TIMEOUT"))
        qputenv("QTEST_FUNCTION_TIMEOUT", "7200000");
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    BenchDesktop bench;
    return QTest::qExec(&bench, argc, argv);
}

#include "bench_desktop.moc"
