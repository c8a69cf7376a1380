// Terminal throughput: `cat` of a 50 MB text file shown by TerminalWidget and, as the baseline, by
// xterm, both on one Xvfb server in the same run, alternating. Wall time from spawn to exit and
// peak RSS (wait4's ru_maxrss: the terminal or cat, whichever was bigger) for each.
// The widget side is this binary again, `bench_terminal --widget FILE STATS`: a TerminalWidget
// at 80x24 reading `cat FILE` from a pty, which exits once cat has exited and the last bytes are
// parsed and painted, and fails unless the file's last line is on its screen.
// Set BERTH_BENCH_TERMINAL_MB to change 50, BERTH_BENCH_RUNS to change the 3 runs.
#include "BenchMain.h"
#include "TerminalWidget.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <fcntl.h>
#include <pty.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QMap>
#include <QProcess>
#include <QSocketNotifier>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

extern char** environ;

namespace test = berth::test;

namespace {

QByteArray lastLineOf(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly) || file.size() < 2)
        return {};
    file.seek(std::max<qint64>(0, file.size() - 4096));
    QByteArray tail = file.readAll();
    while (tail.endsWith('\n'))
        tail.chop(1);
    return tail.mid(tail.lastIndexOf('\n') + 1);
}

// --- the child: TerminalWidget showing `cat FILE`

// Time spent handling paint events and the update requests that paint and flush the window.
class TimingApplication final : public QApplication
{
public:
    using QApplication::QApplication;

    qint64 paintNs = 0;
    qint64 updateNs = 0;
    int updates = 0;

    bool notify(QObject* receiver, QEvent* event) override
    {
        const auto type = event->type();
        if (type != QEvent::Paint && type != QEvent::UpdateRequest)
            return QApplication::notify(receiver, event);
        QElapsedTimer timer;
        timer.start();
        const bool handled = QApplication::notify(receiver, event);
        if (type == QEvent::Paint) {
            paintNs += timer.nsecsElapsed();
        } else {
            updateNs += timer.nsecsElapsed();
            ++updates;
        }
        return handled;
    }
};

int runWidget(int argc, char* argv[])
{
    const QString path = QString::fromLocal8Bit(argv[2]);
    const QString statsPath = QString::fromLocal8Bit(argv[3]);
    QElapsedTimer total;
    total.start();
    TimingApplication app(argc, argv);
    berth::app::TerminalWidget terminal;
    terminal.resize(terminal.sizeHint());
    terminal.show();
    if (!QTest::qWaitForWindowExposed(&terminal)) {
        std::fprintf(stderr, "the terminal window was never exposed\n");
        return 2;
    }
    if (terminal.rows() != 24 || terminal.columns() != 80)
        std::fprintf(stderr, "grid is %dx%d, not 80x24\n", terminal.columns(), terminal.rows());

    winsize size{};
    size.ws_row = ushort(terminal.rows());
    size.ws_col = ushort(terminal.columns());
    int master = -1;
    const QByteArray file = path.toLocal8Bit();
    const pid_t cat = forkpty(&master, nullptr, nullptr, &size);
    if (cat < 0) {
        std::perror("forkpty");
        return 2;
    }
    if (cat == 0) {
        setenv("TERM", "xterm-256color", 1);
        execlp("cat", "cat", file.constData(), static_cast<char*>(nullptr));
        _exit(127);
    }
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);

    qint64 feedNs = 0;
    qint64 bytes = 0;
    qint64 reads = 0;
    int exitCode = 0;
    QByteArray buffer(1 << 16, Qt::Uninitialized);
    QSocketNotifier notifier(master, QSocketNotifier::Read);
    const auto finish = [&] {
        notifier.setEnabled(false);
        int status = 0;
        waitpid(cat, &status, 0);
        // Whatever the last frame left undrawn is drawn now, before the window goes.
        terminal.viewport()->repaint();
        QCoreApplication::processEvents();
        const QByteArray expected = lastLineOf(path);
        QString shown;
        for (int row = terminal.rows() - 1; row >= 0 && shown.isEmpty(); --row)
            shown = terminal.lineText(row);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            std::fprintf(stderr, "cat failed (status %d)\n", status);
            exitCode = 3;
        } else if (shown != QString::fromUtf8(expected)) {
            std::fprintf(stderr, "the screen's last line is \"%s\", not the file's \"%s\"; the screen:\n%s\n",
                         qPrintable(shown), expected.constData(), qPrintable(terminal.screenText()));
            exitCode = 4;
        }
        QFile stats(statsPath);
        if (stats.open(QIODevice::WriteOnly)) {
            stats.write(QString("%1 %2 %3 %4 %5 %6 %7\n")
                            .arg(feedNs / 1e9)
                            .arg(app.paintNs / 1e9)
                            .arg(app.updateNs / 1e9)
                            .arg(app.updates)
                            .arg(reads)
                            .arg(bytes)
                            .arg(total.elapsed() / 1e3)
                            .toUtf8());
        }
        QCoreApplication::exit(exitCode);
    };
    QObject::connect(&notifier, &QSocketNotifier::activated, &terminal, [&] {
        // Read what is there, but give the event loop (and so the frames) a turn every 8 ms.
        QElapsedTimer slice;
        slice.start();
        for (;;) {
            const ssize_t n = ::read(master, buffer.data(), size_t(buffer.size()));
            if (n > 0) {
                ++reads;
                bytes += n;
                QElapsedTimer fed;
                fed.start();
                terminal.feed(QByteArrayView(buffer.constData(), n));
                feedNs += fed.nsecsElapsed();
                if (slice.elapsed() >= 8)
                    return;
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && errno == EAGAIN)
                return;
            finish(); // EIO: cat exited and the pty is drained
            return;
        }
    });
    const int code = app.exec();
    ::close(master);
    return code;
}

// --- the parent

struct RunResult
{
    bool ok = false;
    double seconds = 0;
    double peakMiB = 0;
    QString failure;
};

// The measured programs are started by a launcher forked at the very start of main(), while this
// process is still small: a child's ru_maxrss starts from what it shared or copied of its parent
// before exec (all of it with posix_spawn's vfork), which would put this process's size into
// every figure.
struct LaunchReply
{
    int spawnError = 0;
    int status = 0;
    double seconds = 0;
    long maxRssKiB = 0;
};

int g_launchRequests = -1;
int g_launchReplies = -1;

bool readFully(int fd, void* data, size_t size)
{
    auto* bytes = static_cast<char*>(data);
    while (size > 0) {
        const ssize_t n = ::read(fd, bytes, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        bytes += n;
        size -= size_t(n);
    }
    return true;
}

bool writeFully(int fd, const void* data, size_t size)
{
    const auto* bytes = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, bytes, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        bytes += n;
        size -= size_t(n);
    }
    return true;
}

// The launcher's loop. A request is its length, then NUL-separated strings: the log path, the
// number of arguments, the arguments, and NAME=value settings for the environment.
[[noreturn]] void serveLaunches(int requests, int replies)
{
    for (;;) {
        uint32_t length = 0;
        if (!readFully(requests, &length, sizeof length))
            _exit(0);
        std::string payload(length, '\0');
        if (!readFully(requests, payload.data(), length))
            _exit(0);
        std::vector<std::string> parts;
        for (size_t from = 0;;) {
            const size_t end = payload.find('\0', from);
            parts.push_back(payload.substr(from, end == std::string::npos ? end : end - from));
            if (end == std::string::npos)
                break;
            from = end + 1;
        }
        const std::string log = parts.at(0);
        const size_t argc = std::stoul(parts.at(1));
        std::vector<char*> argv;
        for (size_t i = 0; i < argc; ++i)
            argv.push_back(parts.at(2 + i).data());
        argv.push_back(nullptr);
        std::vector<std::string> env;
        const auto overridden = [&](const std::string& entry) {
            for (size_t i = 2 + argc; i < parts.size(); ++i)
                if (entry.compare(0, parts[i].find('=') + 1, parts[i], 0, parts[i].find('=') + 1) == 0)
                    return true;
            return false;
        };
        for (char** e = environ; *e; ++e)
            if (!overridden(*e))
                env.emplace_back(*e);
        for (size_t i = 2 + argc; i < parts.size(); ++i)
            env.push_back(parts[i]);
        std::vector<char*> envp;
        for (auto& e : env)
            envp.push_back(e.data());
        envp.push_back(nullptr);

        LaunchReply reply;
        timespec began{}, ended{};
        clock_gettime(CLOCK_MONOTONIC, &began);
        const pid_t pid = fork();
        if (pid == 0) {
            const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (out >= 0) {
                dup2(out, 1);
                dup2(out, 2);
            }
            execvpe(argv[0], argv.data(), envp.data());
            _exit(127);
        }
        if (pid < 0) {
            reply.spawnError = errno;
        } else {
            rusage usage{};
            while (wait4(pid, &reply.status, 0, &usage) < 0 && errno == EINTR) {
            }
            clock_gettime(CLOCK_MONOTONIC, &ended);
            reply.seconds = double(ended.tv_sec - began.tv_sec) + double(ended.tv_nsec - began.tv_nsec) / 1e9;
            reply.maxRssKiB = usage.ru_maxrss;
        }
        if (!writeFully(replies, &reply, sizeof reply))
            _exit(0);
    }
}

bool startLauncher()
{
    int requests[2];
    int replies[2];
    if (pipe2(requests, O_CLOEXEC) != 0 || pipe2(replies, O_CLOEXEC) != 0)
        return false;
    const pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        ::close(requests[1]);
        ::close(replies[0]);
        serveLaunches(requests[0], replies[1]);
    }
    ::close(requests[0]);
    ::close(replies[1]);
    g_launchRequests = requests[1];
    g_launchReplies = replies[0];
    return true;
}

// Runs argv through the launcher with the environment changes, output to logPath, and times it.
RunResult timedRun(const QStringList& argv, const QMap<QByteArray, QByteArray>& setEnv, const QString& logPath)
{
    QByteArray payload = logPath.toLocal8Bit() + '\0' + QByteArray::number(argv.size()) + '\0';
    for (const auto& a : argv)
        payload += a.toLocal8Bit() + '\0';
    for (auto it = setEnv.begin(); it != setEnv.end(); ++it)
        payload += it.key() + '=' + it.value() + '\0';
    payload.chop(1);
    RunResult result;
    const auto length = uint32_t(payload.size());
    LaunchReply reply;
    if (!writeFully(g_launchRequests, &length, sizeof length) ||
        !writeFully(g_launchRequests, payload.constData(), length) ||
        !readFully(g_launchReplies, &reply, sizeof reply)) {
        result.failure = "the launcher is gone";
        return result;
    }
    if (reply.spawnError != 0) {
        result.failure = QString("cannot start %1: %2").arg(argv[0], QString::fromLocal8Bit(strerror(reply.spawnError)));
        return result;
    }
    result.seconds = reply.seconds;
    result.peakMiB = reply.maxRssKiB / 1024.0;
    result.ok = WIFEXITED(reply.status) && WEXITSTATUS(reply.status) == 0;
    if (!result.ok) {
        QFile logFile(logPath);
        logFile.open(QIODevice::ReadOnly);
        result.failure = QString("%1 ended with status %2: %3")
                             .arg(argv[0])
                             .arg(reply.status)
                             .arg(QString::fromLocal8Bit(logFile.readAll().right(2000)));
    }
    return result;
}

// Lines of 20 to 120 characters of words, a few with a coloured word, ending in a marker line.
qint64 writeTextFile(const QString& path, qint64 targetBytes, qint64* lineCount)
{
    static const char* const words[] = {"container", "image",  "volume", "network", "layer",   "pull",
                                        "the",       "quick",  "brown",  "fox",     "jumps",   "over",
                                        "lazy",      "dog",    "lorem",  "ipsum",   "dolor",   "sit",
                                        "amet",      "sha256", "berth",  "engine",  "started", "exited"};
    std::mt19937 random(1);
    std::uniform_int_distribution<int> length(20, 120);
    std::uniform_int_distribution<int> word(0, int(std::size(words)) - 1);
    std::uniform_int_distribution<int> percent(0, 99);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return -1;
    QByteArray chunk;
    qint64 written = 0;
    qint64 lines = 0;
    while (written < targetBytes) {
        QByteArray line = QByteArray::number(++lines).rightJustified(8) + ' ';
        const int want = length(random);
        while (line.size() < want)
            line += QByteArray(words[word(random)]) + ' ';
        line.truncate(want);
        while (line.endsWith(' '))
            line.chop(1);
        if (percent(random) < 3)
            line += " \x1b[32mok\x1b[0m";
        chunk += line + '\n';
        if (chunk.size() >= (1 << 20)) {
            written += file.write(chunk);
            chunk.clear();
        }
    }
    chunk += "END OF FILE: " + QByteArray::number(lines) + " lines\n";
    written += file.write(chunk);
    *lineCount = lines + 1;
    return written;
}

} // namespace

class BenchTerminal final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir{QDir::tempPath() + "/berth-bench-terminal-XXXXXX"};
    QString m_file;
    qint64 m_bytes = 0;
    qint64 m_lines = 0;
    QProcess m_xvfb;
    QString m_display;

private slots:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable("xterm").isEmpty() || QStandardPaths::findExecutable("Xvfb").isEmpty())
            QSKIP("needs xterm and Xvfb (scripts/install-deps)");
        QVERIFY(m_dir.isValid());
        const int megabytes = qEnvironmentVariableIntValue("BERTH_BENCH_TERMINAL_MB") > 0
                                  ? qEnvironmentVariableIntValue("BERTH_BENCH_TERMINAL_MB")
                                  : 50;
        m_file = m_dir.filePath("text.txt");
        m_bytes = writeTextFile(m_file, qint64(megabytes) << 20, &m_lines);
        QVERIFY(m_bytes > 0);

        int number = 90;
        while (number < 400 && (QFileInfo::exists(QString("/tmp/.X11-unix/X%1").arg(number)) ||
                                QFileInfo::exists(QString("/tmp/.X%1-lock").arg(number))))
            ++number;
        m_display = QString(":%1").arg(number);
        m_xvfb.setProcessChannelMode(QProcess::MergedChannels);
        m_xvfb.start("Xvfb", {m_display, "-screen", "0", "1280x1024x24", "-nolisten", "tcp"});
        QVERIFY2(m_xvfb.waitForStarted(10000), qPrintable(m_xvfb.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(QString("/tmp/.X11-unix/X%1").arg(number)) ||
                                     m_xvfb.state() != QProcess::Running,
                                 15000);
        QVERIFY2(m_xvfb.state() == QProcess::Running, m_xvfb.readAll().constData());
    }

    void cleanupTestCase()
    {
        if (m_xvfb.state() == QProcess::Running) {
            m_xvfb.terminate();
            if (!m_xvfb.waitForFinished(5000))
                m_xvfb.kill();
        }
    }

    void throughput()
    {
        const int runs = test::benchRuns();
        const QMap<QByteArray, QByteArray> env{{"DISPLAY", m_display.toLocal8Bit()}, {"QT_QPA_PLATFORM", "xcb"}};
        const double mb = m_bytes / 1e6;
        std::vector<double> widgetSeconds, widgetPeak, xtermSeconds, xtermPeak, feedSeconds, paintSeconds;
        struct Row
        {
            RunResult widget, xterm;
            QStringList stats;
        };
        std::vector<Row> rows;
        for (int run = 0; run < runs; ++run) {
            Row row;
            const QString statsPath = m_dir.filePath("stats.txt");
            QFile::remove(statsPath);
            row.widget = timedRun({QCoreApplication::applicationFilePath(), "--widget", m_file, statsPath}, env,
                                  m_dir.filePath("widget.log"));
            QVERIFY2(row.widget.ok, qPrintable(row.widget.failure));
            QFile stats(statsPath);
            QVERIFY(stats.open(QIODevice::ReadOnly));
            row.stats = QString::fromUtf8(stats.readAll()).simplified().split(' ');
            QCOMPARE(row.stats.size(), 7);
            QCOMPARE(row.stats[5].toLongLong(), m_bytes + m_lines); // every LF came with a CR

            row.xterm = timedRun({"xterm", "-geometry", "80x24", "-e", "cat", m_file}, env, m_dir.filePath("xterm.log"));
            QVERIFY2(row.xterm.ok, qPrintable(row.xterm.failure));

            std::printf("run %d: TerminalWidget %.2f s %.1f MiB (in feed %.2f s, painting %.2f s in %s frames, "
                        "%s reads) | xterm %.2f s %.1f MiB\n",
                        run + 1, row.widget.seconds, row.widget.peakMiB, row.stats[0].toDouble(),
                        row.stats[2].toDouble(), qPrintable(row.stats[3]), qPrintable(row.stats[4]),
                        row.xterm.seconds, row.xterm.peakMiB);
            std::fflush(stdout);
            widgetSeconds.push_back(row.widget.seconds);
            widgetPeak.push_back(row.widget.peakMiB);
            xtermSeconds.push_back(row.xterm.seconds);
            xtermPeak.push_back(row.xterm.peakMiB);
            feedSeconds.push_back(row.stats[0].toDouble());
            paintSeconds.push_back(row.stats[2].toDouble());
            rows.push_back(row);
        }

        std::printf("\nTerminal throughput: `cat` of a %.1f MB text file (%lld lines of 20-120 characters), "
                    "80x24, Xvfb %s, %d runs alternating (%s)\n",
                    mb, m_lines, qPrintable(m_display), runs,
                    qPrintable(QDateTime::currentDateTime().toString(Qt::ISODate)));
        std::printf("| run | TerminalWidget s | MB/s | peak RSS MiB | xterm s | MB/s | peak RSS MiB |\n"
                    "|---|---|---|---|---|---|---|\n");
        for (size_t i = 0; i < rows.size(); ++i)
            std::printf("| %zu | %.2f | %.1f | %.1f | %.2f | %.1f | %.1f |\n", i + 1, rows[i].widget.seconds,
                        mb / rows[i].widget.seconds, rows[i].widget.peakMiB, rows[i].xterm.seconds,
                        mb / rows[i].xterm.seconds, rows[i].xterm.peakMiB);
        const double widgetMedian = test::median(widgetSeconds);
        const double xtermMedian = test::median(xtermSeconds);
        std::printf("| median | %.2f | %.1f | %.1f | %.2f | %.1f | %.1f |\n", widgetMedian, mb / widgetMedian,
                    test::median(widgetPeak), xtermMedian, mb / xtermMedian, test::median(xtermPeak));
        std::printf("TerminalWidget/xterm time: %.2f (goal <= 1); peak RSS: %.1fx. Inside the widget's process "
                    "(median): %.2f s in feed() (libvterm and scrollback), %.2f s painting and flushing.\n",
                    widgetMedian / xtermMedian, test::median(widgetPeak) / test::median(xtermPeak),
                    test::median(feedSeconds), test::median(paintSeconds));
        std::fflush(stdout);
    }
};

int main(int argc, char* argv[])
{
    if (argc == 4 && qstrcmp(argv[1], "--widget") == 0)
        return runWidget(argc, argv);
    if (!startLauncher()) {
        std::perror("bench_terminal: cannot start the launcher");
        return 1;
    }
    if (qEnvironmentVariableIsEmpty("QTEST_FUNCTION_TIMEOUT"))
        qputenv("QTEST_FUNCTION_TIMEOUT", "1800000");
    QCoreApplication app(argc, argv);
    BenchTerminal bench;
    return QTest::qExec(&bench, argc, argv);
}

#include "bench_terminal.moc"
