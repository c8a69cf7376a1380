// Benchmark: published ports and shared folders, on one VM started with `berth start`, each
// figure beside a baseline measured in the same run:
//  (a) throughput through a published port (Berth: a QEMU user-network forward) beside an
//      OpenSSH `ssh -N -L` forward of the same guest port (how SSH-based tools publish ports) and
//      the guest's own loopback (the floor: no host hop at all), with the same curl on each;
//  (b) time from a container's start event, as a `docker events` client sees it, to the first
//      HTTP answer on its published host port, over 50 containers, beside the agent's own figure
//      (start event reached the agent → forward added) from its log;
//  (c) a shared host folder (virtio-9p, or virtiofs where Berth uses it) beside the VM's own data
//      disk (a docker volume), in one container: sequential write and read, and a 20,000-file
//      tree (untar, find, delete).
// Prints each figure as it is measured, then a summary; asserts only that things worked.
// Run: cd build && flock /tmp/berth-vm.lock ctest -R bench_ports -V
// BENCH_PORTS_QUICK=1 shrinks it for debugging: 5 containers, a 64 MiB sequential file, 2,000 files.
// The share is measured over 9p, then (after a restart) over virtiofs where a usable virtiofsd
// is installed. BENCH_PORTS_SHARE_TRANSPORT=9p|virtiofs|auto measures only that one ("auto":
// what Berth picks). The shared-folder column is labelled with the file system the guest
// actually mounted.
#include "BenchMain.h"
#include "BerthHome.h"
#include "Loopback.h"
#include "RunProcess.h"
#include "TestPaths.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTest>
#include <QThread>

using berth::test::BerthHome;
using berth::test::describe;
using berth::test::median;
using berth::test::ProcessRun;
using namespace berth::test; // Loopback.h
using Clock = std::chrono::steady_clock;

namespace {

// printf, flushed at once: each figure shows as soon as it is measured.
__attribute__((format(printf, 1, 2))) void say(const char* format, ...)
{
    va_list args;
    va_start(args, format);
    std::vprintf(format, args);
    va_end(args);
    std::fflush(stdout);
}

// Nearest-rank percentile (q in 0..1).
double percentile(std::vector<double> v, double q)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

double maximum(const std::vector<double>& v)
{
    return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
}

// Polls GET /hostname on 127.0.0.1:`port` every 2 ms from its own thread and keeps the
// steady_clock time of the first HTTP 200 (the moment the whole answer was in).
class Poller final
{
public:
    explicit Poller(quint16 port)
        : m_thread([this, port] {
              while (!m_stop) {
                  auto answer = httpGet(port, "/hostname", 1000);
                  const auto at = Clock::now();
                  if (answers200(answer)) {
                      m_answer = std::move(answer);
                      m_answeredAt = at.time_since_epoch().count();
                      return;
                  }
                  std::this_thread::sleep_for(std::chrono::milliseconds(2));
              }
          })
    {}
    Poller(const Poller&) = delete;
    Poller& operator=(const Poller&) = delete;
    ~Poller() { stop(); }

    bool answered() const { return m_answeredAt != 0; }
    Clock::time_point answeredAt() const { return Clock::time_point(Clock::duration(m_answeredAt.load())); }
    // Only after stop().
    QByteArray answer() const { return m_answer; }
    void stop()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
    }

private:
    std::atomic<bool> m_stop{false};
    std::atomic<Clock::rep> m_answeredAt{0};
    QByteArray m_answer;
    std::thread m_thread; // last: starts once the rest is made
};

// The sizes of the run: full by default, small with BENCH_PORTS_QUICK=1.
struct Sizes
{
    bool quick = false;
    int bigMiB = 64;          // (a) the file GET /big fetches
    int bigRuns = 3;          // (a) GET /big runs per path (the median is kept)
    int smallRequests = 200;  // (a) GET /small, each a new connection, in one curl
    int containers = 50;      // (b)
    int seqMiB = 1024;        // (c) the sequential file
    int treeDirs = 200;       // (c) folders in the small-file tree
    int filesPerDir = 100;    // (c) files in each, about 100 bytes each
};

Sizes sizes()
{
    Sizes s;
    s.quick = qEnvironmentVariableIntValue("BENCH_PORTS_QUICK") > 0;
    if (s.quick) {
        s.containers = 5;
        s.seqMiB = 64;
        s.treeDirs = 20;
    }
    return s;
}

} // namespace

class BenchPorts final : public QObject
{
    Q_OBJECT

private:
    BerthHome m_home{QDir::tempPath() + "/bpb-XXXXXX"};
    const Sizes m_sizes = sizes();
    QString m_share;           // the host folder shared into the VM
    QString m_shareTransport;  // the file system type the guest mounted it with (9p, virtiofs)
    QString m_accelerator;
    bool m_started = false;

    // (a) one row per path
    struct PathFigures
    {
        QString name;
        double mbps = -1;  // GET /big, median of the runs
        double reqps = -1; // GET /small, sequential, a new connection each
    };
    std::vector<PathFigures> m_paths;

    // (b) milliseconds per container
    std::vector<double> m_firstAnswerMs, m_agentMs;
    std::vector<double> m_agentEngineMs, m_agentForwardMs; // the agent's split, when it logs one

    // (c) one column per place a container writes to; seconds per workload, -1 if not measured
    struct FsFigures
    {
        QString label;
        double write = -1, read = -1, untar = -1, find = -1, remove = -1;
    };
    std::vector<FsFigures> m_fs;

    ProcessRun docker(const QStringList& args, int timeoutMs = 180000) const { return m_home.docker(args, timeoutMs); }
    ProcessRun berth(const QStringList& args, int timeoutMs = 300000) const { return m_home.berth(args, timeoutMs); }

    bool mustDocker(const QStringList& args, QByteArray* out = nullptr, int timeoutMs = 180000) const
    {
        const auto run = docker(args, timeoutMs);
        if (run.exitCode != 0) {
            qWarning("docker %s: %s", qPrintable(args.join(' ')), qPrintable(describe(run)));
            qWarning("berth logs:\n%s", berth({"logs", "-n", "30"}).out.constData());
        }
        if (out)
            *out = run.out.trimmed();
        return run.exitCode == 0;
    }

    QJsonObject status() const { return QJsonDocument::fromJson(berth({"status", "--json"}).out).object(); }

    // ---- (a) helpers ----

    // A place curl runs and the port it reaches the container's httpd on.
    struct Path
    {
        QString name;
        quint16 port = 0;
        bool inGuest = false; // curl in the VM (through `berth shell`), else on this computer
    };

    static QString url(const Path& p, const QString& file)
    {
        return QString("http://127.0.0.1:%1/%2").arg(p.port).arg(file);
    }

    // MB/s (10^6 bytes) of one GET /big by curl's own figure, -1 if it failed. In the guest the
    // ssh set-up of `berth shell` is outside curl's figure.
    double bigRun(const Path& p, qint64 expectedBytes)
    {
        const QStringList args{"-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{speed_download}\\n",
                               url(p, "big")};
        const auto run = p.inGuest ? berth(QStringList{"shell", "--", "curl"} + args, 600000)
                                   : berth::test::runProcess("curl", args, {}, 600000);
        const auto fields = run.out.trimmed().split(' ');
        if (run.exitCode != 0 || fields.size() != 3 || fields[0] != "200" || fields[1].toLongLong() != expectedBytes) {
            qWarning("GET /big on %s: %s", qPrintable(p.name), qPrintable(describe(run)));
            return -1;
        }
        return fields[2].toDouble() / 1e6;
    }

    // Requests/s of `n` sequential GET /small, each on a new connection, in one curl process
    // timed as a whole (on the host around the process; in the guest inside the guest, so the
    // ssh set-up is not counted); -1 if any of them failed.
    double smallRun(const Path& p, int n)
    {
        QStringList args{"-s", "-w", "%{http_code}\\n", "-H", "Connection: close"};
        for (int i = 0; i < n; ++i)
            args << "-o" << "/dev/null" << url(p, "small");
        ProcessRun run;
        double seconds = -1;
        if (!p.inGuest) {
            QElapsedTimer timer;
            timer.start();
            run = berth::test::runProcess("curl", args, {}, 600000);
            seconds = timer.nsecsElapsed() / 1e9;
        } else {
            QString command = "s=$(date +%s%N); curl";
            for (const auto& a : args)
                command += " '" + a + "'"; // none holds a quote
            command += "; e=$(date +%s%N); echo elapsed_ns $((e - s))";
            run = berth({"shell", "--", "sh", "-c", command}, 600000);
        }
        int ok = 0;
        for (const auto& line : run.out.split('\n')) {
            if (line.trimmed() == "200")
                ++ok;
            else if (line.startsWith("elapsed_ns "))
                seconds = line.mid(11).trimmed().toDouble() / 1e9;
        }
        if (run.exitCode != 0 || ok != n || seconds <= 0) {
            qWarning("%d GET /small on %s: %d answered 200; %s", n, qPrintable(p.name), ok, qPrintable(describe(run)));
            return -1;
        }
        return n / seconds;
    }

    // ---- (b) helpers ----

    // What the agent logged for publishing `port` of `container`, in milliseconds: from the start
    // event reaching it to the forward being added (total; -1 if it logged none), and when the
    // agent logs the split, the engine's answer to its look-up and adding the forward over QMP
    // (-1 when not logged). Lines look like
    //   ports: published 127.0.0.1:P/tcp → container 'N' port 80 (16.0 ms after its start event
    //   arrived[: the engine's answer 12.0 ms, the forward 4.0 ms])
    struct AgentFigure
    {
        double total = -1, engine = -1, forward = -1;
    };
    AgentFigure agentFigure(const QString& container, quint16 port) const
    {
        const QRegularExpression line(
            QString("ports: published 127\\.0\\.0\\.1:%1/tcp \\S+ container '%2' port \\d+ "
                    "\\(([0-9.]+) ms after its start event arrived"
                    "(?:: the engine's answer ([0-9.]+) ms, the forward ([0-9.]+) ms)?\\)")
                .arg(port)
                .arg(QRegularExpression::escape(container)));
        AgentFigure figure;
        const QDir logs(m_home.instanceDir() + "/log");
        for (const auto& name : logs.entryList({"agent*.log"}, QDir::Files, QDir::Time | QDir::Reversed)) {
            QFile log(logs.filePath(name));
            if (!log.open(QIODevice::ReadOnly))
                continue;
            auto it = line.globalMatch(QString::fromUtf8(log.readAll()));
            while (it.hasNext()) {
                const auto m = it.next();
                figure.total = m.captured(1).toDouble();
                figure.engine = m.captured(2).isEmpty() ? -1 : m.captured(2).toDouble();
                figure.forward = m.captured(3).isEmpty() ? -1 : m.captured(3).toDouble();
            }
        }
        return figure;
    }

    // ---- (c) helpers ----

    // Runs `script` in the fsbench container after writing back and dropping the guest's caches,
    // timed inside the container (/proc/uptime: 10 ms steps; every workload here takes far
    // longer). The seconds it took, -1 if it failed; `output` gets what the script printed.
    double timedStep(const QString& script, QByteArray* output = nullptr)
    {
        const QString wrapped = "sync && echo 3 > /proc/sys/vm/drop_caches && read s rest < /proc/uptime && { " +
                                script + " ; } && read e rest < /proc/uptime && echo elapsed $s $e";
        const auto run = docker({"exec", "fsbench", "sh", "-c", wrapped}, 3600000);
        auto lines = run.out.trimmed().split('\n');
        const auto last = lines.isEmpty() ? QByteArray() : lines.takeLast().trimmed();
        const auto fields = last.split(' ');
        if (run.exitCode != 0 || fields.size() != 3 || fields[0] != "elapsed") {
            qWarning("in the container: %s: %s", qPrintable(script), qPrintable(describe(run)));
            return -1;
        }
        if (output)
            *output = lines.join('\n').trimmed();
        return std::max(0.01, fields[2].toDouble() - fields[1].toDouble());
    }

    // The file-system workload in one place the container sees (`dir`), labelled `label` in the
    // tables. Call it once per share transport and once for the VM's own disk (the baseline).
    void measureFolder(const QString& label, const QString& dir, bool smallFiles = true)
    {
        const QString seq = dir + "/bench-seq", tree = dir + "/tree";
        const qint64 seqBytes = qint64(m_sizes.seqMiB) << 20;
        const int entries = 1 + m_sizes.treeDirs + m_sizes.treeDirs * m_sizes.filesPerDir;
        QVERIFY(mustDocker({"exec", "fsbench", "rm", "-rf", seq, tree}));
        FsFigures f;
        f.label = label;

        // Sequential write, to the file's end on storage (conv=fsync).
        f.write = timedStep(QString("dd if=/dev/zero of=%1 bs=1M count=%2 conv=fsync").arg(seq).arg(m_sizes.seqMiB));
        QVERIFY(f.write > 0);
        QByteArray size;
        QVERIFY(mustDocker({"exec", "fsbench", "stat", "-c", "%s", seq}, &size));
        QCOMPARE(size.toLongLong(), seqBytes);
        say("  [%s] sequential write %d MiB: %.2f s, %.1f MB/s\n", qPrintable(label), m_sizes.seqMiB, f.write,
            seqBytes / 1e6 / f.write);

        // Sequential read with the guest's caches dropped. Both places then read from the host's
        // page cache (the data disk is a file QEMU opens with cache=writeback; the share's files
        // are host files), so this compares the transports, not the host's storage.
        f.read = timedStep(QString("dd if=%1 of=/dev/null bs=1M").arg(seq));
        QVERIFY(f.read > 0);
        say("  [%s] sequential read %d MiB: %.2f s, %.1f MB/s\n", qPrintable(label), m_sizes.seqMiB, f.read,
            seqBytes / 1e6 / f.read);
        QVERIFY(mustDocker({"exec", "fsbench", "rm", "-f", seq}));

        if (!smallFiles) {
            m_fs.push_back(f);
            return;
        }
        // Small files: untar the tree (from the container's own /tmp, so the source costs the
        // same for every place) and write it back, list it cold, delete it.
        f.untar = timedStep(QString("tar -xof /tmp/tree.tar -C %1 && sync").arg(dir));
        QVERIFY(f.untar > 0);
        say("  [%s] untar %d entries (+ sync): %.2f s, %.0f entries/s\n", qPrintable(label), entries, f.untar,
            entries / f.untar);
        QByteArray listed;
        f.find = timedStep(QString("find %1 | wc -l").arg(tree), &listed);
        QVERIFY(f.find > 0);
        QCOMPARE(listed.toInt(), entries);
        say("  [%s] find | wc -l over %d entries (cold): %.2f s, %.0f entries/s\n", qPrintable(label), entries, f.find,
            entries / f.find);
        f.remove = timedStep(QString("rm -rf %1 && sync").arg(tree));
        QVERIFY(f.remove > 0);
        say("  [%s] rm -rf %d entries (+ sync): %.2f s, %.0f entries/s\n", qPrintable(label), entries, f.remove,
            entries / f.remove);
        m_fs.push_back(f);
    }

    // ---- the summary ----

    void printSummary() const
    {
        say("\n==== bench_ports summary (accelerator: %s%s) ====\n", qPrintable(m_accelerator),
            m_sizes.quick ? ", QUICK sizes" : "");

        // (a)
        say("\n(a) Published-port throughput, the same curl on each path\n");
        say("| %-34s | %14s | %16s |\n", "path", "GET /big MB/s", "GET /small req/s");
        say("|%s|%s|%s|\n", std::string(36, '-').c_str(), std::string(16, '-').c_str(), std::string(18, '-').c_str());
        for (const auto& p : m_paths)
            say("| %-34s | %14.1f | %16.1f |\n", qPrintable(p.name), p.mbps, p.reqps);
        if (m_paths.size() >= 2 && m_paths[1].mbps > 0 && m_paths[1].reqps > 0) {
            const double mbRatio = m_paths[0].mbps / m_paths[1].mbps;
            const double reqRatio = m_paths[0].reqps / m_paths[1].reqps;
            say("| %-34s | %13.2fx | %15.2fx |\n", "Berth / OpenSSH", mbRatio, reqRatio);
            if (m_paths.size() >= 3 && m_paths[2].mbps > 0 && m_paths[2].reqps > 0)
                say("| %-34s | %13.2fx | %15.2fx |\n", "Berth / guest loopback", m_paths[0].mbps / m_paths[2].mbps,
                    m_paths[0].reqps / m_paths[2].reqps);
            say("goal: Berth >= 1.5x OpenSSH throughput: %.2fx (%s)\n", mbRatio, mbRatio >= 1.5 ? "met" : "NOT met");
        }
        say("(GET /big: %d MiB, median of %d curl runs by curl's speed_download; GET /small: %d requests, a new\n"
            " connection each, one curl timed as a whole; guest loopback: curl in the VM on the port the engine\n"
            " published on the guest's 127.0.0.1)\n",
            m_sizes.bigMiB, m_sizes.bigRuns, m_sizes.smallRequests);

        // (b)
        say("\n(b) Start event to a published port answering, %zu containers\n", m_firstAnswerMs.size());
        say("| %-8s | %34s | %34s |\n", "", "first HTTP 200 after the event, ms", "agent: event -> forward added, ms");
        say("|%s|%s|%s|\n", std::string(10, '-').c_str(), std::string(36, '-').c_str(), std::string(36, '-').c_str());
        say("| %-8s | %34.1f | %34.1f |\n", "median", median(m_firstAnswerMs), median(m_agentMs));
        say("| %-8s | %34.1f | %34.1f |\n", "p90", percentile(m_firstAnswerMs, 0.9), percentile(m_agentMs, 0.9));
        say("| %-8s | %34.1f | %34.1f |\n", "max", maximum(m_firstAnswerMs), maximum(m_agentMs));
        if (!m_agentEngineMs.empty())
            say("agent's split (n=%zu): the engine's answer to its look-up median %.1f ms, max %.1f ms; adding the\n"
                " forward over QMP median %.1f ms, max %.1f ms\n",
                m_agentEngineMs.size(), median(m_agentEngineMs), maximum(m_agentEngineMs), median(m_agentForwardMs),
                maximum(m_agentForwardMs));
        if (!m_firstAnswerMs.empty())
            say("goal: 100 ms from the start event to an answer: median %.1f ms (%s), p90 %.1f ms (%s)\n",
                median(m_firstAnswerMs), median(m_firstAnswerMs) <= 100 ? "met" : "NOT met",
                percentile(m_firstAnswerMs, 0.9), percentile(m_firstAnswerMs, 0.9) <= 100 ? "met" : "NOT met");
        say("(event time: when a `docker events` client on this computer printed the start; the agent's figure\n"
            " starts when the event reached the agent and ends when QMP added the forward)\n");

        // (c): one column per place; the last one measured is the baseline (the VM's own disk).
        if (m_fs.empty())
            return;
        const auto baseIt = std::find_if(m_fs.begin(), m_fs.end(), [](const FsFigures& f) { return f.label == "VM disk"; });
        if (baseIt == m_fs.end())
            return;
        const auto& base = *baseIt;
        const double seqMB = (qint64(m_sizes.seqMiB) << 20) / 1e6;
        const double entries = 1 + m_sizes.treeDirs + m_sizes.treeDirs * m_sizes.filesPerDir;
        struct Row
        {
            QString name;
            double FsFigures::*field;
            double amount; // MB or entries
            const char* unit;
        };
        const std::vector<Row> rows{
            {QString("seq write %1 MiB (fsync)").arg(m_sizes.seqMiB), &FsFigures::write, seqMB, "MB/s"},
            {QString("seq read %1 MiB (cold)").arg(m_sizes.seqMiB), &FsFigures::read, seqMB, "MB/s"},
            {QString("untar %1 entries (+ sync)").arg(static_cast<int>(entries)), &FsFigures::untar, entries, "ent/s"},
            {QString("find | wc -l (cold)"), &FsFigures::find, entries, "ent/s"},
            {QString("rm -rf tree (+ sync)"), &FsFigures::remove, entries, "ent/s"},
        };
        QStringList transports;
        for (const auto& f : m_fs) {
            if (&f != &base)
                transports << f.label;
        }
        say("\n(c) Shared folder (%s) vs the VM's own disk, one --privileged busybox container\n",
            qPrintable(transports.join(", ")));
        QString header = QString("| %1 |").arg("workload", -30);
        QString rule = "|" + QString(32, '-') + "|";
        for (const auto& f : m_fs) {
            header += QString(" %1 |").arg(f.label + " s / rate", 24);
            rule += QString(26, '-') + "|";
        }
        for (const auto& f : m_fs) {
            if (&f != &base) {
                header += QString(" %1 |").arg(f.label + " / " + base.label + " (speed)", 24);
                rule += QString(26, '-') + "|";
            }
        }
        say("%s\n%s\n", qPrintable(header), qPrintable(rule));
        for (const auto& r : rows) {
            QString line = QString("| %1 |").arg(r.name, -30);
            for (const auto& f : m_fs) {
                const double t = f.*r.field;
                line += QString(" %1 |").arg(t > 0 ? QString("%1 s / %2 %3")
                                                         .arg(t, 0, 'f', 2)
                                                         .arg(r.amount / t, 0, 'f', r.unit[0] == 'M' ? 1 : 0)
                                                         .arg(r.unit)
                                                   : QString("-"),
                                               24);
            }
            for (const auto& f : m_fs) {
                if (&f == &base)
                    continue;
                const double t = f.*r.field, b = base.*r.field;
                line += QString(" %1 |").arg(t > 0 && b > 0 ? QString("%1x").arg(b / t, 0, 'f', 2) : QString("-"), 24);
            }
            say("%s\n", qPrintable(line));
        }
        for (const auto& f : m_fs) {
            if (&f != &base && f.read > 0 && base.read > 0)
                say("goal: %s sequential read >= 0.5x the VM disk: %.2fx (%s)\n", qPrintable(f.label),
                    base.read / f.read, base.read / f.read >= 0.5 ? "met" : "NOT met");
        }
        say("(timed inside the container, guest caches dropped before each step; speed ratio > 1: faster than\n"
            " the VM disk)\n\n");
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        m_share = m_home.path("share");
        QVERIFY(QDir().mkpath(m_share));
        QVERIFY(QDir().mkpath(m_home.path("docker-config")));
        QFile settings(m_home.instanceDir() + "/settings.json");
        QVERIFY(settings.open(QIODevice::WriteOnly));
        QJsonObject values{{"shares", QJsonArray{QJsonObject{{"path", m_share}, {"read_only", false}}}}};
        const auto transport = qEnvironmentVariable("BENCH_PORTS_SHARE_TRANSPORT", "9p");
        values.insert("share_transport", transport);
        settings.write(QJsonDocument(values).toJson());
        settings.close();
        say("bench_ports: %s sizes; shared folder %s (share_transport: %s)\n", m_sizes.quick ? "QUICK" : "full",
            qPrintable(m_share), qPrintable(transport));

        QElapsedTimer timer;
        timer.start();
        m_started = true; // from here on the VM may be running: stop it at the end whatever happens
        const auto start = berth({"start"}, 900000);
        QVERIFY2(start.exitCode == 0, qPrintable(describe(start)));
        m_accelerator = status().value("accelerator").toString();
        say("berth start: %.1f s (accelerator %s)\n", timer.nsecsElapsed() / 1e9, qPrintable(m_accelerator));
        // How the share reached the guest: the type of its mount there (/proc/mounts: source,
        // mount point, type, ...).
        const auto mounts = berth({"shell", "--", "cat", "/proc/mounts"});
        QVERIFY2(mounts.exitCode == 0, qPrintable(describe(mounts)));
        for (const auto& line : mounts.out.split('\n')) {
            const auto fields = line.split(' ');
            if (fields.size() >= 3 && QString::fromUtf8(fields[1]) == m_share)
                m_shareTransport = QString::fromUtf8(fields[2]);
        }
        QVERIFY2(!m_shareTransport.isEmpty(), qPrintable("the guest has not mounted " + m_share + ":\n" + mounts.out));
        if (transport != "auto")
            QCOMPARE(m_shareTransport, transport);
        say("shared folder mounted in the guest as %s\n", qPrintable(m_shareTransport));
        QVERIFY(mustDocker({"import", berth::test::testImagesDir() + "/busybox.tar", "bb:1"}));
    }

    // (a) MB/s of a 64 MiB GET and requests/s of small GETs through three paths to the same
    // httpd. OpenSSH's `ssh -L` is the baseline Berth's forward is meant to beat: the same
    // container port, reached from this computer, through the instance's own ssh server. The
    // guest's loopback is the floor: what the container and the VM's CPU allow with no host hop.
    void portThroughput()
    {
        const auto port = freeTcpPort();
        QVERIFY(mustDocker({"run", "-d", "--name", "web", "-p", QString("127.0.0.1:%1:80").arg(port), "bb:1", "sh",
                            "-c",
                            QString("mkdir -p /www && dd if=/dev/urandom of=/www/big bs=1M count=%1 2>/dev/null && "
                                    "echo hi > /www/small && exec httpd -f -p 80 -h /www")
                                .arg(m_sizes.bigMiB)}));
        QVERIFY2(waitFor([&] { return answers200(httpGet(port, "/small")); }, 300000),
                 "the httpd on the published port did not answer GET /small within 5 minutes");

        // OpenSSH's forward of the same guest port, with the instance's key and pinned host key.
        const int sshPort = status().value("ssh_port").toInt();
        QVERIFY(sshPort > 0);
        quint16 localPort = freeTcpPort();
        while (localPort == port)
            localPort = freeTcpPort();
        const QString sshDir = m_home.instanceDir() + "/ssh";
        QProcess openssh;
        openssh.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        openssh.start("ssh", {"-i", sshDir + "/client", "-o", "IdentitiesOnly=yes", "-o",
                              "UserKnownHostsFile=" + sshDir + "/known_hosts", "-o", "StrictHostKeyChecking=yes", "-o",
                              "BatchMode=yes", "-o", "ExitOnForwardFailure=yes", "-p", QString::number(sshPort), "-N",
                              "-L", QString("%1:127.0.0.1:%2").arg(localPort).arg(port), "berth@127.0.0.1"});
        QVERIFY(openssh.waitForStarted());
        QVERIFY2(waitFor([&] { return openssh.state() != QProcess::Running || acceptsOnLoopback(localPort); }, 30000) &&
                     openssh.state() == QProcess::Running,
                 "ssh -L did not listen within 30 s");

        const std::vector<Path> paths{{"Berth (QEMU forward, host curl)", port, false},
                                      {"OpenSSH ssh -N -L (host curl)", localPort, false},
                                      {"guest loopback (curl in the VM)", port, true}};
        const qint64 bigBytes = qint64(m_sizes.bigMiB) << 20;
        for (const auto& p : paths) {
            std::vector<double> rates;
            for (int i = 0; i < m_sizes.bigRuns; ++i) {
                const double mbps = bigRun(p, bigBytes);
                QVERIFY2(mbps > 0, qPrintable("GET /big failed on " + p.name));
                rates.push_back(mbps);
                say("  [%s] GET /big %d MiB run %d: %.1f MB/s\n", qPrintable(p.name), m_sizes.bigMiB, i + 1, mbps);
            }
            const double reqps = smallRun(p, m_sizes.smallRequests);
            QVERIFY2(reqps > 0, qPrintable("GET /small failed on " + p.name));
            m_paths.push_back({p.name, median(rates), reqps});
            say("  [%s] GET /big median %.1f MB/s; %d GET /small: %.1f req/s\n", qPrintable(p.name), median(rates),
                m_sizes.smallRequests, reqps);
        }
        say("  Berth / OpenSSH: %.2fx MB/s, %.2fx req/s (goal: >= 1.5x throughput)\n",
            m_paths[0].mbps / m_paths[1].mbps, m_paths[0].reqps / m_paths[1].reqps);

        openssh.terminate();
        QVERIFY(openssh.waitForFinished(10000));
        QVERIFY(mustDocker({"rm", "-f", "web"}));
        QVERIFY(waitFor([&] { return !acceptsOnLoopback(port); }, 5000));
    }

    // (b) How soon a published port answers after its container started, as a person sees it:
    // the start event printed by a `docker events` client on this computer, then the first HTTP
    // 200 on the host port. The agent's own log figure (event in → forward added) is the part of
    // that Berth controls; the rest is the event's trip to the client and httpd starting.
    void startEventToListening()
    {
        const auto env = m_home.environment();
        const QString dockerBin = berth::test::binDir() + "/docker";
        QProcess events;
        events.setProcessEnvironment(env);
        events.start(dockerBin, {"events", "--filter", "type=container", "--filter", "event=start", "--format",
                                 "{{.ID}}"});
        QVERIFY(events.waitForStarted());
        QThread::msleep(1500); // let the events stream reach the engine
        QVERIFY2(events.state() == QProcess::Running, events.readAllStandardError().constData());

        for (int i = 1; i <= m_sizes.containers; ++i) {
            const QString name = QString("lat-%1").arg(i);
            const auto port = freeTcpPort();
            Poller poller(port);
            QProcess run;
            run.setProcessEnvironment(env);
            run.start(dockerBin, {"run", "-d", "--name", name, "-p", QString("127.0.0.1:%1:80").arg(port), "bb:1",
                                  "httpd", "-f", "-p", "80", "-h", "/etc"});
            QVERIFY(run.waitForStarted());

            // The events client's line for this start, timed as it arrives.
            Clock::time_point eventAt{};
            QElapsedTimer waited;
            waited.start();
            while (waited.elapsed() < 120000) {
                if (events.canReadLine()) {
                    eventAt = Clock::now();
                    break;
                }
                if (!events.waitForReadyRead(500)) {
                    run.waitForFinished(0);
                    if (run.state() == QProcess::NotRunning && run.exitCode() != 0)
                        break; // docker run failed: no event is coming
                }
            }
            const QByteArray eventLine = events.readLine().trimmed();
            QVERIFY(run.waitForFinished(180000));
            const QByteArray id = run.readAllStandardOutput().trimmed();
            QVERIFY2(run.exitCode() == 0, run.readAllStandardError().constData());
            QCOMPARE(eventLine, id);

            QVERIFY(waitFor([&] { return poller.answered(); }, 10000) || poller.answered());
            poller.stop();
            // httpd serves the container's /etc/hostname: its short ID.
            QVERIFY2(poller.answer().contains(id.left(12)), poller.answer().constData());
            const double ms = std::chrono::duration<double, std::milli>(poller.answeredAt() - eventAt).count();
            m_firstAnswerMs.push_back(ms);

            QVERIFY(mustDocker({"rm", "-f", name}));
            QVERIFY2(waitFor([&] { return !acceptsOnLoopback(port); }, 5000), "the host port still accepts after docker rm -f");
            const auto agent = agentFigure(name, port);
            QVERIFY2(agent.total >= 0,
                     qPrintable("no 'ports: published' line with a time for " + name + " in agent.log"));
            m_agentMs.push_back(agent.total);
            QString split;
            if (agent.engine >= 0 && agent.forward >= 0) {
                m_agentEngineMs.push_back(agent.engine);
                m_agentForwardMs.push_back(agent.forward);
                split = QString(" (engine's answer %1 ms, forward %2 ms)").arg(agent.engine, 0, 'f', 1).arg(
                    agent.forward, 0, 'f', 1);
            }
            say("  container %2d/%d (127.0.0.1:%u): first HTTP 200 %.1f ms after the start event; agent %.1f ms%s\n",
                i, m_sizes.containers, port, ms, agent.total, qPrintable(split));
        }
        events.kill();
        events.waitForFinished();
        say("  start event -> answer: median %.1f ms, p90 %.1f ms, max %.1f ms (goal 100 ms); agent: median %.1f ms, "
            "max %.1f ms\n",
            median(m_firstAnswerMs), percentile(m_firstAnswerMs, 0.9), maximum(m_firstAnswerMs), median(m_agentMs),
            maximum(m_agentMs));
    }

    // (c) A shared host folder beside the VM's own data disk, in one container that mounts both.
    // The docker volume lives on the VM's data disk, where images and containers live too: the
    // speed a container gets when it keeps its files in the VM, which is what a shared folder
    // costs against.
    void sharedFolderVsVmDisk()
    {
        // The small-file tree, made on this computer and archived into the shared folder.
        const QString source = m_home.path("tree-src");
        for (int d = 0; d < m_sizes.treeDirs; ++d) {
            const QString folder = QString("%1/tree/d%2").arg(source).arg(d, 3, 10, QChar('0'));
            QVERIFY(QDir().mkpath(folder));
            for (int n = 0; n < m_sizes.filesPerDir; ++n) {
                QFile file(QString("%1/f%2.txt").arg(folder).arg(n, 3, 10, QChar('0')));
                QVERIFY(file.open(QIODevice::WriteOnly));
                QByteArray content = QString("file %1 of folder %2 ").arg(n).arg(d).toUtf8();
                content = content.leftJustified(99, '.') + '\n';
                QVERIFY(file.write(content) == content.size());
            }
        }
        const auto tar =
            berth::test::runProcess("tar", {"--format=ustar", "-cf", m_share + "/tree.tar", "-C", source, "tree"});
        QVERIFY2(tar.exitCode == 0, qPrintable(describe(tar)));
        QDir(source).removeRecursively();

        // --privileged: the container may drop the guest's caches before each step.
        QVERIFY(mustDocker({"run", "-d", "--name", "fsbench", "--privileged", "-v", m_share + ":/share", "-v",
                            "benchvol:/disk", "bb:1", "sleep", "86400"}));
        QVERIFY(mustDocker({"exec", "fsbench", "cp", "/share/tree.tar", "/tmp/tree.tar"}));

        measureFolder(m_shareTransport, "/share"); // labelled 9p or virtiofs, as mounted
        if (QTest::currentTestFailed())
            return;
        measureFolder("VM disk", "/disk"); // the baseline: last, as the summary expects
        if (QTest::currentTestFailed())
            return;

        QVERIFY(mustDocker({"rm", "-f", "fsbench"}));
        QVERIFY(mustDocker({"volume", "rm", "benchvol"}));
    }

    // (c) again over virtiofs, when the first boot used 9p and this computer has a usable
    // virtiofsd: the VM restarts with "share_transport": "virtiofs" (same VM disk, same run).
    void sharedFolderOverVirtiofs()
    {
        if (m_shareTransport != "9p" || qEnvironmentVariableIsSet("BENCH_PORTS_SHARE_TRANSPORT")) {
            say("(c) virtiofs: not measured separately (the first boot used %s)\n", qPrintable(m_shareTransport));
            return;
        }
        QVERIFY(berth({"stop"}).exitCode == 0);
        QFile settings(m_home.instanceDir() + "/settings.json");
        QVERIFY(settings.open(QIODevice::ReadOnly));
        auto values = QJsonDocument::fromJson(settings.readAll()).object();
        settings.close();
        values.insert("share_transport", "virtiofs");
        QVERIFY(settings.open(QIODevice::WriteOnly | QIODevice::Truncate));
        settings.write(QJsonDocument(values).toJson());
        settings.close();
        const auto start = berth({"start"}, 900000);
        QVERIFY2(start.exitCode == 0, qPrintable(describe(start)));
        const auto mounts = berth({"shell", "--", "cat", "/proc/mounts"});
        QString mounted;
        for (const auto& line : mounts.out.split('\n')) {
            const auto fields = line.split(' ');
            if (fields.size() >= 3 && QString::fromUtf8(fields[1]) == m_share)
                mounted = QString::fromUtf8(fields[2]);
        }
        if (mounted != "virtiofs") {
            say("(c) virtiofs: no usable virtiofsd on this computer; the share came up as %s\n", qPrintable(mounted));
            return;
        }
        QVERIFY(mustDocker({"run", "-d", "--name", "fsbench", "--privileged", "-v", m_share + ":/share", "bb:1",
                            "sleep", "86400"}));
        QVERIFY(mustDocker({"exec", "fsbench", "cp", "/share/tree.tar", "/tmp/tree.tar"}));
        // QEMU's C virtiofsd keeps a descriptor open for every file the guest has looked up: a
        // tree larger than the open-file limit fails part-way ("Too many open files").
        rlimit files{};
        ::getrlimit(RLIMIT_NOFILE, &files);
        const rlim_t entries = 1 + m_sizes.treeDirs + rlim_t(m_sizes.treeDirs) * m_sizes.filesPerDir;
        const bool smallFiles = files.rlim_max == RLIM_INFINITY || files.rlim_max > entries + 1024;
        if (!smallFiles)
            say("  [virtiofs] small-file steps left out: the open-file limit here is %lu (RLIMIT_NOFILE, not raisable),\n"
                "  and virtiofsd needs one per file of the %lu-entry tree\n",
                static_cast<unsigned long>(files.rlim_max), static_cast<unsigned long>(entries));
        measureFolder("virtiofs", "/share", smallFiles);
        QVERIFY(mustDocker({"rm", "-f", "fsbench"}));
    }

    void cleanupTestCase()
    {
        printSummary();
        if (!m_started)
            return;
        m_started = false;
        const auto stop = berth({"stop"});
        QVERIFY2(stop.exitCode == 0, qPrintable(describe(stop)));
    }

public:
    ~BenchPorts() override
    {
        // Qt Test skips cleanupTestCase in some failures of initTestCase: never leave a VM behind.
        if (m_started)
            berth({"stop"});
    }
};

BERTH_BENCH_MAIN(BenchPorts)
#include "bench_ports.moc"
