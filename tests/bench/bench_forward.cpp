// Benchmark: the engine socket through Berth's forwarder (vm::SshForwarder, libssh2) beside an
// OpenSSH `ssh -N -L` forward of the same guest socket (what Lima, Colima and Rancher Desktop
// use) and the guest's own socket (the floor), measured in one run on one VM.
// Prints a table; asserts nothing about time.
#include "BenchMain.h"
#include "ForwarderThread.h"
#include "GuestVm.h"
#include "RunProcess.h"
#include "TestPaths.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <cstdio>

using berth::test::GuestVm;

namespace {

struct Stats
{
    double median = 0;
    double p99 = 0;
};

Stats stats(std::vector<double> v)
{
    if (v.empty())
        return {};
    std::sort(v.begin(), v.end());
    const auto at = [&v](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * (v.size() - 1) + 0.5))]; };
    return {at(0.5), at(0.99)};
}

// Per-request seconds printed by curl -w for `count` GET /_ping, each on a new connection.
std::vector<double> parseTimes(const QByteArray& out)
{
    std::vector<double> times;
    for (const auto& line : out.split('\n')) {
        bool ok = false;
        const double t = line.trimmed().toDouble(&ok);
        if (ok)
            times.push_back(t * 1000.0);
    }
    return times;
}

// curl arguments for `count` GETs of `path`, each on a new connection, each printing its time.
// (-o applies to one URL only, so it is repeated per URL.)
QStringList curlArguments(const QString& socket, const QString& path, int count)
{
    QStringList args{"-s", "-w", "%{time_total}\\n", "--unix-socket", socket, "-H", "Connection: close"};
    for (int i = 0; i < count; ++i)
        args << "-o" << "/dev/null" << "http://docker" + path;
    return args;
}

// The same, as one shell command line for the guest.
QString guestCurl(const QString& path, int count)
{
    QString command = "curl -s -w '%{time_total}\\n' --unix-socket /run/docker.sock -H 'Connection: close'";
    for (int i = 0; i < count; ++i)
        command += " -o /dev/null http://docker" + path;
    return command;
}

} // namespace

class BenchForward final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<GuestVm> m_vm;

    QProcessEnvironment dockerEnvironment(const QString& socket) const
    {
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("DOCKER_HOST", "unix://" + socket);
        env.insert("DOCKER_CONFIG", m_dir.filePath("docker-config"));
        return env;
    }

    QByteArray hostRun(const QString& program, const QStringList& args, const QString& socket)
    {
        return berth::test::runProcess(program, args, {}, 600000, dockerEnvironment(socket)).out;
    }

    // Milliseconds for each of `runs` `docker ps` through `socket`.
    std::vector<double> dockerPs(const QString& socket, int runs)
    {
        std::vector<double> times;
        for (int i = 0; i < runs; ++i) {
            QElapsedTimer t;
            t.start();
            hostRun(berth::test::binDir() + "/docker", {"ps"}, socket);
            times.push_back(t.nsecsElapsed() / 1e6);
        }
        return times;
    }

    // MB/s of `docker save IMAGE` read to the end through `socket`.
    double saveRate(const QString& socket, const QString& image, qint64 bytes)
    {
        QElapsedTimer t;
        t.start();
        // Streamed to the null device: runProcess would hold the whole image in memory.
        QProcess p;
        p.setProcessEnvironment(dockerEnvironment(socket));
        p.setStandardOutputFile(QProcess::nullDevice());
        p.start(berth::test::binDir() + "/docker", {"save", image});
        p.waitForFinished(900000);
        return bytes / 1e6 / (t.nsecsElapsed() / 1e9);
    }

private slots:
    void forwarding()
    {
        const int pings = qEnvironmentVariableIntValue("BERTH_BENCH_PINGS") > 0
                              ? qEnvironmentVariableIntValue("BERTH_BENCH_PINGS")
                              : 300;
        const int psRuns = 20;
        const int imageMiB = qEnvironmentVariableIntValue("BERTH_BENCH_IMAGE_MIB") > 0
                                 ? qEnvironmentVariableIntValue("BERTH_BENCH_IMAGE_MIB")
                                 : 500;
        QDir().mkpath(m_dir.filePath("vm"));
        QDir().mkpath(m_dir.filePath("docker-config"));
        GuestVm::Options options;
        options.memoryMiB = 3072;
        m_vm = std::make_unique<GuestVm>(m_dir.filePath("vm"), options);
        QVERIFY2(m_vm->boot(std::chrono::seconds(300)), qPrintable(m_vm->errorString()));
        QFile tar(berth::test::testImagesDir() + "/busybox.tar");
        QVERIFY(tar.open(QIODevice::ReadOnly));
        QCOMPARE(m_vm->ssh("docker import - bb:1", tar.readAll()).exitCode, 0);

        // Berth's forwarder on its own io_context thread.
        const auto berthSocket = m_dir.filePath("berth.sock");
        auto forwarder = std::make_unique<berth::test::ForwarderThread>();
        const auto error = forwarder->start(m_vm->forwarderConfig(berthSocket));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // OpenSSH's forward of the same socket.
        const auto opensshSocket = m_dir.filePath("openssh.sock");
        QProcess openssh;
        openssh.start("ssh", QStringList{"-N", "-o", "ExitOnForwardFailure=yes", "-L", opensshSocket + ":/run/docker.sock"} +
                                 m_vm->sshArguments());
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(opensshSocket), 20000);

        // (b) GET /_ping, a new connection each, and docker ps.
        const auto berthPing = stats(parseTimes(hostRun("curl", curlArguments(berthSocket, "/_ping", pings), berthSocket)));
        const auto opensshPing = stats(parseTimes(hostRun("curl", curlArguments(opensshSocket, "/_ping", pings), opensshSocket)));
        const auto guestPing = stats(parseTimes(m_vm->ssh(guestCurl("/_ping", pings)).out));
        const QString list = "/v1.45/containers/json?all=1";
        const auto berthList = stats(parseTimes(hostRun("curl", curlArguments(berthSocket, list, pings), berthSocket)));
        const auto opensshList = stats(parseTimes(hostRun("curl", curlArguments(opensshSocket, list, pings), opensshSocket)));
        const auto guestList = stats(parseTimes(m_vm->ssh(guestCurl(list, pings)).out));
        const auto berthPs = stats(dockerPs(berthSocket, psRuns));
        const auto opensshPs = stats(dockerPs(opensshSocket, psRuns));
        const auto guestPsRun = m_vm->ssh(QString("for i in $(seq %1); do s=$(date +%s%N); docker ps >/dev/null; "
                                                  "e=$(date +%s%N); echo $(( (e - s) / 1000 )); done")
                                              .arg(psRuns));
        std::vector<double> guestPsTimes;
        for (const auto& line : guestPsRun.out.split('\n')) {
            bool ok = false;
            const double us = line.trimmed().toDouble(&ok);
            if (ok)
                guestPsTimes.push_back(us / 1000.0);
        }
        const auto guestPs = stats(guestPsTimes);

        // (c) docker save of a large image.
        const auto made = m_vm->ssh(QString("docker run --name big bb:1 sh -c 'head -c %1 /dev/urandom > /big' && "
                                            "docker commit big big:1 >/dev/null && docker rm big >/dev/null && "
                                            "docker save big:1 | wc -c")
                                        .arg(qint64(imageMiB) << 20),
                                    {}, 900000);
        QVERIFY2(made.exitCode == 0, made.err.constData());
        const auto bytes = made.out.trimmed().toLongLong();
        const auto guestSaveRun =
            m_vm->ssh("s=$(date +%s%N); docker save big:1 >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000 ))", {},
                      900000);
        const double guestRate = bytes / 1e6 / (guestSaveRun.out.trimmed().toDouble() / 1e6);
        const double berthRate = saveRate(berthSocket, "big:1", bytes);
        const double opensshRate = saveRate(opensshSocket, "big:1", bytes);

        std::printf("\nEngine socket forwarding under %s, one VM, one run\n",
                    qEnvironmentVariable("BERTH_TEST_ACCEL", "tcg").toUtf8().constData());
        std::printf("| %-40s | %12s | %12s | %12s |\n", "measure", "Berth", "OpenSSH -L", "in guest");
        std::printf("|%s|%s|%s|%s|\n", std::string(42, '-').c_str(), std::string(14, '-').c_str(),
                    std::string(14, '-').c_str(), std::string(14, '-').c_str());
        std::printf("| %-40s | %12.2f | %12.2f | %12.2f |\n", qPrintable(QString("GET /_ping median ms (n=%1)").arg(pings)),
                    berthPing.median, opensshPing.median, guestPing.median);
        std::printf("| %-40s | %12.2f | %12.2f | %12.2f |\n", "GET /_ping p99 ms", berthPing.p99, opensshPing.p99,
                    guestPing.p99);
        std::printf("| %-40s | %12.2f | %12.2f | %12.2f |\n",
                    qPrintable(QString("GET /containers/json median ms (n=%1)").arg(pings)), berthList.median,
                    opensshList.median, guestList.median);
        std::printf("| %-40s | %12.2f | %12.2f | %12.2f |\n", "GET /containers/json p99 ms", berthList.p99,
                    opensshList.p99, guestList.p99);
        std::printf("| %-40s | %12.1f | %12.1f | %12.1f |\n", qPrintable(QString("docker ps median ms (n=%1)").arg(psRuns)),
                    berthPs.median, opensshPs.median, guestPs.median);
        std::printf("| %-40s | %12.1f | %12.1f | %12.1f |\n", "docker ps p99 ms", berthPs.p99, opensshPs.p99, guestPs.p99);
        std::printf("| %-40s | %12.1f | %12.1f | %12.1f |\n",
                    qPrintable(QString("docker save %1 MB, MB/s").arg(bytes / 1000000)), berthRate, opensshRate,
                    guestRate);
        std::printf("(curl: a new connection per request, as the docker CLI makes; in guest: curl on /run/docker.sock.\n"
                    " docker ps in guest is the guest's own CLI, which also pays its start-up under emulation)\n\n");
        std::fflush(stdout);

        openssh.terminate();
        openssh.waitForFinished(5000);
        forwarder.reset();
        QVERIFY(m_vm->powerdown(std::chrono::seconds(90)));
    }
};

BERTH_BENCH_MAIN(BenchForward)
#include "bench_forward.moc"
