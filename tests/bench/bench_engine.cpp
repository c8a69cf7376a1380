// Benchmark: engine::Client beside the docker CLI (the Go client) on the same forwarded socket of
// the same engine, in one run: (a) receiving and decoding the logs of a container that printed
// 1,000,000 lines, (b) listing 500 containers, (c) the peak memory of (a) for each.
// Prints a table; asserts only that both clients saw the same data.
#include "BenchMain.h"
#include "EngineVm.h"
#include "TestPaths.h"
#include "berth/engine/Client.h"

#include <cstdio>

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace berth::engine;
using berth::test::await;
using berth::test::EngineVm;
using berth::test::median;

namespace {

constexpr int kLines = 1000000;
constexpr int kContainers = 500;

// VmHWM (peak resident set) and VmRSS of this process, in KiB.
long statusKiB(const char* field)
{
    QFile status("/proc/self/status");
    status.open(QIODevice::ReadOnly);
    for (const auto& line : status.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(static_cast<int>(std::strlen(field))).trimmed().split(' ').first().toLong();
    return -1;
}

// Makes VmHWM start again from the current RSS (Linux: clear_refs 5).
void resetPeak()
{
    QFile clear("/proc/self/clear_refs");
    if (clear.open(QIODevice::WriteOnly))
        clear.write("5");
}

struct CliRun
{
    double seconds = 0;
    long peakKiB = 0;
    QByteArray out;
    bool ok = false;
};

// Runs the bundled docker CLI under GNU time, its output into `outFile` (or /dev/null).
CliRun timedCli(const EngineVm& engine, const QStringList& args, const QString& outFile = "/dev/null")
{
    QTemporaryDir dir;
    const auto peakFile = dir.filePath("peak");
    QStringList command{"-f", "%M", "-o", peakFile, berth::test::binDir() + "/docker"};
    command << args;
    QString script = "exec /usr/bin/time \"$@\" > " + outFile;
    QElapsedTimer timer;
    timer.start();
    const auto run = berth::test::runProcess("sh", QStringList{"-c", script, "sh"} + command, {}, 600000,
                                             engine.dockerEnvironment());
    CliRun result;
    result.seconds = timer.nsecsElapsed() / 1e9;
    result.ok = run.exitCode == 0;
    QFile peak(peakFile);
    peak.open(QIODevice::ReadOnly);
    result.peakKiB = peak.readAll().trimmed().split('\n').last().toLong();
    if (outFile != "/dev/null") {
        QFile out(outFile);
        out.open(QIODevice::ReadOnly);
        result.out = out.readAll();
    }
    if (!result.ok)
        qWarning("docker %s: %s", qPrintable(args.join(' ')), run.err.constData());
    return result;
}

} // namespace

class BenchEngine final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<EngineVm> m_engine;
    boost::asio::io_context m_io;
    std::unique_ptr<Client> m_client;

private slots:
    void initTestCase()
    {
        std::setvbuf(stdout, nullptr, _IOLBF, 0); // progress lines show up while it runs
        QVERIFY(m_dir.isValid());
        m_engine =
            std::make_unique<EngineVm>(m_dir.path(), EngineVm::Options{.registry = false, .memoryMiB = 2048});
        const auto error = m_engine->start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_client = std::make_unique<Client>(
            m_io, Client::Options{.endpoint = m_engine->endpoint(), .apiVersion = {}});
    }

    void cleanupTestCase()
    {
        m_client.reset();
        m_engine->stop();
    }

    void logsAndListing()
    {
        const int runs = berth::test::benchRuns();

        // (a) A container that printed 1,000,000 lines, on stdout and stderr alternately every
        // 1,000 lines so that both streams are in the frames.
        QElapsedTimer timer;
        timer.start();
        ContainerSpec spec;
        spec.image = "bb:1";
        spec.name = "million";
        spec.cmd = {"awk",
                    "BEGIN { for (i = 1; i <= 1000000; i++) { line = \"line \" i \" of the logs benchmark\"; "
                    "if (int(i / 1000) % 2) print line > \"/dev/stderr\"; else print line } }"};
        const auto id =
            await<std::string>(m_io, [&](auto cb) { return m_client->createContainer(spec, cb); });
        QVERIFY2(id.ok(), id.ok() ? "" : id.error().message.c_str());
        QVERIFY(await<Ok>(m_io, [&](Done cb) { return m_client->startContainer(*id, cb); }).ok());
        const auto code = await<int>(
            m_io, [&](auto cb) { return m_client->waitContainer(*id, "", cb); }, std::chrono::minutes(30));
        QVERIFY(code.ok() && *code == 0);
        std::printf("(the container printed %d lines in %.0f s under TCG)\n", kLines,
                    timer.nsecsElapsed() / 1e9);

        std::vector<double> ours, theirs;
        std::uint64_t bytes = 0;
        long ourPeak = 0, cliPeak = 0, baseRss = 0;
        for (int run = 0; run < runs; ++run) {
            // engine/: receive, de-chunk, de-multiplex and count the lines of both streams.
            std::uint64_t outBytes = 0, errBytes = 0, lines = 0;
            std::optional<Status> end;
            baseRss = statusKiB("VmRSS:");
            resetPeak();
            timer.restart();
            m_client->logs(
                *id, {},
                [&](StreamKind kind, std::string_view data) {
                    (kind == StreamKind::Stdout ? outBytes : errBytes) += data.size();
                    lines += static_cast<std::uint64_t>(std::count(data.begin(), data.end(), '\n'));
                },
                [&](Status s) { end = s; });
            QVERIFY(berth::test::runUntil(
                m_io, [&] { return end.has_value(); }, std::chrono::minutes(30)));
            ours.push_back(timer.nsecsElapsed() / 1e9);
            ourPeak = std::max(ourPeak, statusKiB("VmHWM:") - baseRss);
            QVERIFY2(end->ok(), end->ok() ? "" : end->error().message.c_str());
            QCOMPARE(lines, std::uint64_t(kLines));
            bytes = outBytes + errBytes;

            // The docker CLI, its output to files so that it, too, writes every byte somewhere.
            const auto cli = timedCli(*m_engine, {"logs", QString::fromStdString(*id)});
            QVERIFY(cli.ok);
            theirs.push_back(cli.seconds);
            cliPeak = std::max(cliPeak, cli.peakKiB);
        }
        const double mb = bytes / 1e6;

        // (b) 500 containers, created by 8 chains of requests at once.
        std::size_t created = 0, next = 0;
        std::function<void()> createNext = [&] {
            if (next == kContainers)
                return;
            ContainerSpec box;
            box.image = "bb:1";
            box.name = "listed-" + std::to_string(next++);
            box.cmd = {"true"};
            box.labels = {{"berth.bench", "list"}, {"com.docker.compose.project", "bench"}};
            m_client->createContainer(box, [&](Result<std::string> r) {
                if (!r)
                    qFatal("create: %s", r.error().message.c_str());
                ++created;
                createNext();
            });
        };
        timer.restart();
        for (int chain = 0; chain < 8; ++chain)
            createNext();
        QVERIFY(berth::test::runUntil(
            m_io, [&] { return created == kContainers; }, std::chrono::minutes(30)));
        std::printf("(created %d containers in %.0f s)\n", kContainers, timer.nsecsElapsed() / 1e9);

        std::vector<double> listWarm, listCold, listCli;
        std::size_t listed = 0;
        for (int run = 0; run < std::max(runs, 5); ++run) {
            timer.restart();
            auto all = await<std::vector<Container>>(
                m_io, [&](auto cb) { return m_client->listContainers({}, cb); });
            listWarm.push_back(timer.nsecsElapsed() / 1e6);
            QVERIFY(all.ok());
            listed = all->size();
            {
                timer.restart();
                Client fresh(m_io, Client::Options{.endpoint = m_engine->endpoint(), .apiVersion = {}});
                auto again = await<std::vector<Container>>(
                    m_io, [&](auto cb) { return fresh.listContainers({}, cb); });
                listCold.push_back(timer.nsecsElapsed() / 1e6);
                QVERIFY(again.ok() && again->size() == listed);
            }
            const auto cli = timedCli(*m_engine, {"ps", "-a", "--format", "json"}, m_dir.filePath("ps.json"));
            QVERIFY(cli.ok);
            listCli.push_back(cli.seconds * 1000);
            QCOMPARE(static_cast<std::size_t>(cli.out.count('\n')), listed);
        }
        QVERIFY(listed >= kContainers);

        std::printf("\nengine/ vs the docker CLI 26.1.5, same forwarded socket, same engine (TCG guest); "
                    "median of %d runs\n\n",
                    runs);
        std::printf(
            "| measurement                               |   engine/ |  docker CLI | CLI / engine/ |\n");
        std::printf(
            "|-------------------------------------------|-----------|-------------|---------------|\n");
        std::printf("| (a) logs, %d lines (%.1f MB), seconds  | %9.2f | %11.2f | %12.2fx |\n", kLines, mb,
                    median(ours), median(theirs), median(theirs) / median(ours));
        std::printf("| (a) logs throughput, MB/s                 | %9.1f | %11.1f |               |\n",
                    mb / median(ours), mb / median(theirs));
        std::printf("| (b) list %zu containers, ms, reused conn. | %9.1f | %11.1f | %12.2fx |\n", listed,
                    median(listWarm), median(listCli), median(listCli) / median(listWarm));
        std::printf("| (b) same, new client (connect + /_ping)   | %9.1f |             | %12.2fx |\n",
                    median(listCold), median(listCli) / median(listCold));
        std::printf("| (c) peak memory during (a), MiB           | %9.1f | %11.1f |               |\n",
                    ourPeak / 1024.0, cliPeak / 1024.0);
        std::printf("\n(c) engine/: growth of this process's peak RSS over its RSS before the logs call; "
                    "CLI: the whole process's peak RSS (GNU time %%M).\n");

        await<PruneReport>(
            m_io, [&](auto cb) { return m_client->pruneContainers({}, cb); }, std::chrono::minutes(20));
    }
};

BERTH_BENCH_MAIN(BenchEngine)
#include "bench_engine.moc"
