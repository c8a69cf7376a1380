// Published ports and host folders as a person at a terminal meets them: `docker run -p` answers
// on this computer's localhost, `docker run -v "$PWD":…` sees this computer's files, a taken
// host port is reported, and the guest's clock catches up after the VM was paused. One VM for
// the whole file: the real image under QEMU, the stock docker CLI and compose plugin, through
// `berth start`.
#include "BerthHome.h"
#include "LocalRegistry.h"
#include "Loopback.h"
#include "RunProcess.h"
#include "TestPaths.h"
#include "berth/vm/QmpClient.h"

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <functional>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTcpServer>
#include <QTest>
#include <QThread>
#include <QUdpSocket>

using berth::test::BerthHome;
using berth::test::describe;
using namespace berth::test; // Loopback.h
using berth::test::ProcessRun;
using Clock = std::chrono::steady_clock;

namespace {

double secondsNow()
{
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

} // namespace

class TestPortsShares final : public QObject
{
    Q_OBJECT

private:
    BerthHome m_home{QDir::tempPath() + "/bps-XXXXXX"};
    QString m_rw, m_ro;

    ProcessRun docker(const QStringList& args, int timeoutMs = 180000) const { return m_home.docker(args, timeoutMs); }
    ProcessRun berth(const QStringList& args) const { return m_home.berth(args); }

    bool mustDocker(const QStringList& args, QByteArray* out = nullptr)
    {
        const auto run = docker(args);
        if (run.exitCode != 0) {
            qWarning("docker %s: %s", qPrintable(args.join(' ')), qPrintable(describe(run)));
            qWarning("berth logs:\n%s", berth({"logs", "-n", "30"}).out.constData());
        }
        if (out)
            *out = run.out.trimmed();
        return run.exitCode == 0;
    }

    QJsonObject status() const
    {
        return QJsonDocument::fromJson(berth({"status", "--json"}).out).object();
    }

    // The agent's published ports for `container` (from `berth ports --json`).
    QJsonArray portsOf(const QString& container) const
    {
        QJsonArray found;
        for (const auto p : QJsonDocument::fromJson(berth({"ports", "--json"}).out).array()) {
            if (p.toObject().value("container").toString() == container)
                found.append(p);
        }
        return found;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        m_rw = m_home.path("rw");
        m_ro = m_home.path("ro");
        QVERIFY(QDir().mkpath(m_rw) && QDir().mkpath(m_ro));
        QFile settings(m_home.instanceDir() + "/settings.json");
        QVERIFY(settings.open(QIODevice::WriteOnly));
        settings.write(QJsonDocument(QJsonObject{{"shares", QJsonArray{QJsonObject{{"path", m_rw}},
                                                                        QJsonObject{{"path", m_ro}, {"read_only", true}}}}})
                           .toJson());
        settings.close();
        // The bundled compose plugin, as a person's docker config finds it.
        QVERIFY(QDir().mkpath(m_home.path("docker-config")));
        QFile config(m_home.path("docker-config/config.json"));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(QJsonDocument(QJsonObject{{"cliPluginsExtraDirs",
                                                QJsonArray{berth::test::binDir() + "/cli-plugins"}}})
                         .toJson());
        config.close();

        const auto start = berth({"start"});
        QVERIFY2(start.exitCode == 0, qPrintable(describe(start)));
        QVERIFY(mustDocker({"import", berth::test::testImagesDir() + "/busybox.tar", "bb:1"}));
    }

    // -p 127.0.0.1:PORT:80: busybox httpd answers on this computer, timed from the start event
    // as a `docker events` client saw it.
    void publishedPortAnswersSoonAfterItsStartEvent()
    {
        const auto port = freeTcpPort();
        QProcess events;
        events.setProcessEnvironment(m_home.environment());
        events.start(berth::test::binDir() + "/docker",
                     {"events", "--filter", "event=start", "--filter", "container=web", "--format", "{{.ID}}"});
        QVERIFY(events.waitForStarted());
        QThread::msleep(1500); // let the events stream reach the engine

        std::atomic<bool> stop{false};
        std::atomic<std::int64_t> answeredAt{0};
        QByteArray answer;
        std::thread poller([&] {
            while (!stop) {
                auto a = httpGet(port, "/hostname", 1000);
                if (a.contains("200 OK")) {
                    answeredAt = Clock::now().time_since_epoch().count();
                    answer = a;
                    return;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            }
        });
        QByteArray id;
        const bool ran = mustDocker({"run", "-d", "--name", "web", "-p", QString("127.0.0.1:%1:80").arg(port), "bb:1",
                                     "httpd", "-f", "-p", "80", "-h", "/etc"},
                                    &id);
        std::int64_t eventAt = 0;
        if (ran && events.waitForReadyRead(30000))
            eventAt = Clock::now().time_since_epoch().count();
        const QByteArray eventLine = events.readAll().trimmed();
        QElapsedTimer wait;
        wait.start();
        while (answeredAt == 0 && wait.elapsed() < 10000)
            QThread::msleep(10);
        stop = true;
        poller.join();
        events.kill();
        events.waitForFinished();
        QVERIFY(ran);
        QCOMPARE(eventLine, id);
        QVERIFY2(answeredAt != 0, "nothing answered on the published port within 10 s of the start event");
        // httpd serves the container's /etc/hostname: its short ID.
        QVERIFY2(answer.contains(id.left(12)), answer.constData());
        const double ms = std::chrono::duration<double, std::milli>(Clock::duration(answeredAt - eventAt)).count();
        qInfo("first HTTP answer on 127.0.0.1:%u came %.1f ms after the start event (goal: 100 ms)", port, ms);

        const auto published = portsOf("web");
        QCOMPARE(published.size(), 1);
        QCOMPARE(published[0].toObject().value("host_port").toInt(), int(port));
        QCOMPARE(published[0].toObject().value("host_address").toString(), QString("127.0.0.1"));
        QCOMPARE(published[0].toObject().value("container_port").toInt(), 80);
    }

    // A port published on all the engine's addresses answers on both of this computer's
    // loopbacks (clients that resolve localhost to ::1 first), and takes parallel connections:
    // 200 requests 50 at a time to a server with a full listen queue all get their answer.
    void publishedPortAnswersOnBothLoopbacksAndInParallel()
    {
        const auto port = QString::number(freeTcpPort());
        QVERIFY(mustDocker({"create", "--name", "hello", "-p", port + ":8080", "bb:1", "/http-hello", "8080"}));
        QVERIFY(mustDocker({"cp", BERTH_HTTP_HELLO, "hello:/http-hello"}));
        QVERIFY(mustDocker({"start", "hello"}));
        // Until the server in the container listens, QEMU takes the connection and then closes
        // it (the guest refused it): wait for the first answer.
        QVERIFY(waitFor([&] { return httpGet(port.toUShort(), "/").endsWith("hello\n"); }, 20000));
        const auto curl = [&](const QString& url) {
            return berth::test::runProcess("curl", {"-sS", "-m", "10", url});
        };
        auto run = curl("http://127.0.0.1:" + port + "/");
        QVERIFY2(run.exitCode == 0 && run.out == "hello\n", qPrintable(describe(run)));
        run = curl("http://[::1]:" + port + "/");
        QVERIFY2(run.exitCode == 0 && run.out == "hello\n", qPrintable(describe(run)));
        run = berth::test::runProcess("curl", {"-sS", "-m", "10", "http://localhost:" + port + "/"});
        QVERIFY2(run.exitCode == 0 && run.out == "hello\n", qPrintable(describe(run)));

        for (const QString address : {"127.0.0.1", "::1"}) {
            run = berth::test::runProcess(BERTH_HTTP_LOAD, {address, port, "200", "50"}, {}, 300000);
            qInfo("%s", run.out.trimmed().constData());
            const auto ok = QRegularExpression(" ok=(\\d+) ").match(QString::fromUtf8(run.out)).captured(1).toInt();
            // Under emulation QEMU may still lose the odd connection to the guest itself; the
            // path from this computer must carry at least 98% of them.
            QVERIFY2(ok >= 196, qPrintable(describe(run)));
        }
        QVERIFY(mustDocker({"rm", "-f", "hello"}));
    }

    // -P: the engine picks the host port; `docker port` and `berth ports` agree, and it answers.
    void randomPortIsDiscoveredAndReachable()
    {
        QVERIFY(mustDocker({"run", "-d", "--name", "anyport", "--expose", "80", "-P", "bb:1", "httpd", "-f", "-p", "80",
                            "-h", "/etc"}));
        QByteArray mapping;
        QVERIFY(mustDocker({"port", "anyport", "80/tcp"}, &mapping));
        const auto port = static_cast<quint16>(mapping.split('\n').first().split(':').last().toUInt());
        QVERIFY2(port != 0, mapping.constData());
        QVERIFY(waitFor([&] { return httpGet(port, "/hostname").contains("200 OK"); }, 5000));
        const auto published = portsOf("anyport");
        QCOMPARE(published.size(), 1);
        QCOMPARE(published[0].toObject().value("host_port").toInt(), int(port));
    }

    // UDP: an echo server in a container answers through a published UDP port, on 127.0.0.1
    // and ::1.
    void udpEchoThroughAPublishedUdpPort()
    {
        const auto port = freeTcpPort();
        QVERIFY(mustDocker({"create", "--name", "echo", "-p", QString("127.0.0.1:%1:9000/udp").arg(port), "bb:1",
                            "/udp-echo", "9000"}));
        QVERIFY(mustDocker({"cp", BERTH_UDP_ECHO, "echo:/udp-echo"}));
        QVERIFY(mustDocker({"start", "echo"}));
        // Sends until the echo comes back (the forward may take a moment after start).
        const auto echoes = [port](const QHostAddress& address, const QByteArray& text) {
            QUdpSocket socket;
            QByteArray echoed;
            return waitFor(
                [&] {
                    socket.writeDatagram(text, address, port);
                    if (socket.waitForReadyRead(300)) {
                        echoed.resize(static_cast<int>(socket.pendingDatagramSize()));
                        socket.readDatagram(echoed.data(), echoed.size());
                    }
                    return echoed == text;
                },
                10000);
        };
        QVERIFY(echoes(QHostAddress::LocalHost, "berth-udp"));
        // And on ::1, through the agent's relay to QEMU's IPv4 forward.
        QVERIFY(echoes(QHostAddress::LocalHostIPv6, "berth-udp6"));
        const auto published = portsOf("echo");
        QCOMPARE(published.size(), 1);
        QCOMPARE(published[0].toObject().value("protocol").toString(), QString("udp"));
    }

    // After stop the host port closes and `berth ports` forgets it; start brings it back.
    void forwardGoesAwayAfterStop()
    {
        const auto port = static_cast<quint16>(portsOf("web").at(0).toObject().value("host_port").toInt());
        QVERIFY(acceptsOnLoopback(port));
        QVERIFY(mustDocker({"stop", "-t", "0", "web"}));
        QVERIFY2(waitFor([&] { return !acceptsOnLoopback(port); }, 3000), "the host port still accepts after docker stop");
        QVERIFY(portsOf("web").isEmpty());
        QVERIFY(mustDocker({"start", "web"}));
        QVERIFY(waitFor([&] { return httpGet(port, "/hostname").contains("200 OK"); }, 5000));
        QVERIFY(mustDocker({"rm", "-f", "web"}));
        QVERIFY(waitFor([&] { return !acceptsOnLoopback(port); }, 3000));
    }

    // A host port another program holds: the container runs, and Berth names the container and
    // the port in `berth status`, `berth ports` and its log; once the port is free it publishes it.
    void takenHostPortIsReportedWithTheContainer()
    {
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
        const auto port = squatter.serverPort();
        QVERIFY(mustDocker({"run", "-d", "--name", "clash", "-p", QString("%1:80").arg(port), "bb:1", "httpd", "-f",
                            "-p", "80", "-h", "/etc"}));
        QByteArray running;
        QVERIFY(mustDocker({"inspect", "-f", "{{.State.Running}}", "clash"}, &running));
        QCOMPARE(running, QByteArray("true"));
        QVERIFY(waitFor([&] { return !portsOf("clash").isEmpty(); }, 5000));
        const auto entry = portsOf("clash").at(0).toObject();
        QVERIFY2(entry.value("error").toString().contains(QString("another program on this computer is using "
                                                                  "127.0.0.1:%1/tcp")
                                                              .arg(port)),
                 qPrintable(entry.value("error").toString()));
        const auto text = QString::fromUtf8(berth({"status"}).out);
        QVERIFY2(text.contains(QString("Warning:      container 'clash' publishes port %1/tcp, but it is not "
                                       "reachable on this computer")
                                   .arg(port)),
                 qPrintable(text));
        const auto ports = QString::fromUtf8(berth({"ports"}).out);
        QVERIFY2(ports.contains("NOT PUBLISHED: another program on this computer is using"), qPrintable(ports));
        QFile log(m_home.instanceDir() + "/log/agent.log");
        QVERIFY(log.open(QIODevice::ReadOnly));
        QVERIFY(log.readAll().contains(QString("container 'clash' publishes port %1/tcp").arg(port).toUtf8()));

        squatter.close();
        QVERIFY2(waitFor([&] { return httpGet(port, "/hostname").contains("200 OK"); }, 12000),
                 "the port was not published after the other program let it go");
        QVERIFY(portsOf("clash").at(0).toObject().value("error").toString().isEmpty());
        QVERIFY(status().value("warnings").toArray().isEmpty());
        QVERIFY(mustDocker({"rm", "-f", "clash"}));
    }

    // Both ways through a bind mount of a shared folder, with the ownership rule: what a
    // container writes belongs to the host user; the host user's files are writable by a root
    // container. A read-only share refuses writes.
    void bindMountsSeeTheHostsFiles()
    {
        QFile hostFile(m_rw + "/from-host.txt");
        QVERIFY(hostFile.open(QIODevice::WriteOnly));
        hostFile.write("written on the host\n");
        hostFile.close();
        QVERIFY(QFile::setPermissions(hostFile.fileName(), QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup |
                                                               QFile::ReadOther));
        QByteArray out;
        QVERIFY(mustDocker({"run", "--rm", "-v", m_rw + ":/src", "bb:1", "sh", "-c",
                            "cat /src/from-host.txt && echo 'written in a container' > /src/from-container.txt && "
                            "echo 'appended by root' >> /src/from-host.txt"},
                           &out));
        QCOMPARE(out, QByteArray("written on the host"));
        QFile written(m_rw + "/from-container.txt");
        QVERIFY(written.open(QIODevice::ReadOnly));
        QCOMPARE(written.readAll(), QByteArray("written in a container\n"));
        struct stat st{};
        QCOMPARE(::stat(QFile::encodeName(written.fileName()).constData(), &st), 0);
        QCOMPARE(st.st_uid, ::getuid());
        QVERIFY(hostFile.open(QIODevice::ReadOnly));
        QCOMPARE(hostFile.readAll(), QByteArray("written on the host\nappended by root\n"));
        hostFile.close();

        QFile readOnly(m_ro + "/keep.txt");
        QVERIFY(readOnly.open(QIODevice::WriteOnly));
        readOnly.write("keep\n");
        readOnly.close();
        const auto refused = docker({"run", "--rm", "-v", m_ro + ":/ro", "bb:1", "sh", "-c",
                                     "cat /ro/keep.txt; echo changed > /ro/keep.txt"});
        QVERIFY2(refused.exitCode != 0, qPrintable(describe(refused)));
        QVERIFY2(refused.out.contains("keep") && refused.err.contains("Read-only file system"),
                 qPrintable(describe(refused)));
        QVERIFY(readOnly.open(QIODevice::ReadOnly));
        QCOMPARE(readOnly.readAll(), QByteArray("keep\n"));
    }

    // A bind mount of a folder the VM does not share is explained, with how to share it.
    void unsharedBindMountIsExplained()
    {
        const QString elsewhere = "/var/tmp/berth-unshared-" + QString::number(::getpid());
        QVERIFY(mustDocker({"run", "-d", "--name", "unshared", "-v", elsewhere + ":/data", "bb:1", "sleep", "600"}));
        QVERIFY(waitFor(
            [&] {
                for (const auto w : status().value("warnings").toArray()) {
                    if (w.toString().contains("container 'unshared' mounts " + elsewhere + ", which is not shared"))
                        return true;
                }
                return false;
            },
            5000));
        const auto text = QString::fromUtf8(berth({"status"}).out);
        QVERIFY2(text.contains("berth shares add " + elsewhere) && text.contains("Shared folders: " + m_rw + ", " + m_ro),
                 qPrintable(text));
        QVERIFY(mustDocker({"rm", "-f", "unshared"}));
        QVERIFY(waitFor([&] { return status().value("warnings").toArray().isEmpty(); }, 5000));

        // `berth shares` edits the list the next start uses; nesting is refused with a reason.
        QVERIFY(QDir().mkpath(elsewhere));
        const auto added = berth({"shares", "add", elsewhere, "--read-only"});
        QVERIFY2(added.exitCode == 0 && added.out.contains("applies after `berth restart`"), qPrintable(describe(added)));
        const auto listed = QString::fromUtf8(berth({"shares"}).out);
        QVERIFY2(listed.contains(elsewhere + "  (read-only)") && listed.contains(m_rw), qPrintable(listed));
        const auto nested = berth({"shares", "add", m_rw + "/inner"});
        QVERIFY2(nested.exitCode != 0 && nested.err.contains("does not exist"), qPrintable(describe(nested)));
        QVERIFY(QDir().mkpath(m_rw + "/inner"));
        const auto inside = berth({"shares", "add", m_rw + "/inner"});
        QVERIFY2(inside.exitCode != 0 && QString::fromUtf8(inside.err).contains("is inside '" + m_rw + "', which is shared too"),
                 qPrintable(describe(inside)));
        QVERIFY(berth({"shares", "remove", elsewhere}).exitCode == 0);
        QVERIFY(!QString::fromUtf8(berth({"shares"}).out).contains(elsewhere));
        QDir(elsewhere).removeRecursively();
    }

    // docker compose (the bundled plugin): a published port and a bind mount of the project's
    // own folder, end to end.
    void composeProjectWithAPortAndABindMount()
    {
        const auto port = freeTcpPort();
        const QString project = m_rw + "/shop";
        QVERIFY(QDir().mkpath(project + "/site"));
        QFile page(project + "/site/index.html");
        QVERIFY(page.open(QIODevice::WriteOnly));
        page.write("hello from the host's folder\n");
        page.close();
        QFile compose(project + "/compose.yaml");
        QVERIFY(compose.open(QIODevice::WriteOnly));
        compose.write(QString("services:\n"
                              "  web:\n"
                              "    image: bb:1\n"
                              "    command: [\"httpd\", \"-f\", \"-p\", \"80\", \"-h\", \"/site\"]\n"
                              "    ports: [\"127.0.0.1:%1:80\"]\n"
                              "    volumes: [\"./site:/site:ro\"]\n")
                          .arg(port)
                          .toUtf8());
        compose.close();
        QVERIFY(mustDocker({"compose", "-f", project + "/compose.yaml", "-p", "shop", "up", "-d"}));
        QByteArray answer;
        QVERIFY2(waitFor(
                     [&] {
                         answer = httpGet(port, "/index.html");
                         return answer.contains("hello from the host's folder");
                     },
                     5000),
                 answer.constData());
        // An edit on the host shows at once (no cache in the way).
        QVERIFY(page.open(QIODevice::WriteOnly | QIODevice::Truncate));
        page.write("edited on the host\n");
        page.close();
        QVERIFY(httpGet(port, "/index.html").contains("edited on the host"));
        QVERIFY(mustDocker({"compose", "-f", project + "/compose.yaml", "-p", "shop", "down"}));
        QVERIFY(waitFor([&] { return !acceptsOnLoopback(port); }, 3000));
    }

    // After QMP stop, 5 s, cont, the guest's clock is back within 2 s of the host's 2 s later.
    // host.docker.internal, gateway.docker.internal and --add-host NAME:host-gateway reach a
    // service on this computer's loopback, from the default bridge and from a user network, as
    // compose files written for Docker Desktop expect. The engine pushes to and pulls from that
    // registry without TLS as localhost:PORT and host.docker.internal:PORT.
    void containersAndTheEngineReachTheHost()
    {
        berth::test::LocalRegistry registry(m_home.path("registry"));
        QVERIFY2(registry.start(), qPrintable(registry.errorString()));
        const auto port = QString::number(registry.port());
        QVERIFY(mustDocker({"network", "create", "hostnet"}));
        for (const QString network : {"bridge", "hostnet"}) {
            QByteArray out;
            QVERIFY(mustDocker({"run", "--rm", "--network", network, "--add-host", "viagw:host-gateway", "bb:1", "sh",
                                "-c",
                                QString("for h in host.docker.internal gateway.docker.internal viagw; do "
                                        "wget -T 10 -qO- http://$h:%1/v2/ && echo ' '$h; done")
                                    .arg(port)},
                               &out));
            QCOMPARE(out, QByteArray("{} host.docker.internal\n{} gateway.docker.internal\n{} viagw"));
        }
        QVERIFY(mustDocker({"network", "rm", "hostnet"}));

        for (const QString host : {"localhost", "host.docker.internal"}) {
            const auto ref = QString("%1:%2/berth/bb:%3").arg(host, port, host == "localhost" ? "local" : "named");
            QVERIFY(mustDocker({"tag", "bb:1", ref}));
            QVERIFY(mustDocker({"push", ref}));
            QVERIFY(mustDocker({"rmi", ref}));
        }
        const auto tags = registry.get("/v2/berth/bb/tags/list");
        QVERIFY2(tags.first == 200 && tags.second.contains("\"local\"") && tags.second.contains("\"named\""),
                 tags.second.constData());
        QByteArray out;
        const auto pulled = QString("localhost:%1/berth/bb:named").arg(port);
        QVERIFY(mustDocker({"pull", pulled}));
        QVERIFY(mustDocker({"run", "--rm", pulled, "echo", "pulled from the host"}, &out));
        QCOMPARE(out, QByteArray("pulled from the host"));
        QVERIFY(mustDocker({"rmi", pulled}));
    }

    // An arm64 image runs through the guest's QEMU user-mode emulation, as on Docker Desktop.
    void arm64ImageRunsThroughEmulation()
    {
        QVERIFY(mustDocker({"import", "--platform", "linux/arm64", berth::test::testImagesDir() + "/busybox-arm64.tar",
                            "bb-arm64:1"}));
        QByteArray out;
        QVERIFY(mustDocker({"run", "--rm", "--platform", "linux/arm64", "bb-arm64:1", "uname", "-m"}, &out));
        QCOMPARE(out, QByteArray("aarch64"));
        QVERIFY(mustDocker({"image", "inspect", "--format", "{{.Architecture}}", "bb-arm64:1"}, &out));
        QCOMPARE(out, QByteArray("arm64"));
    }

    void guestClockFollowsTheHostAfterAPause()
    {
        const auto qmpSocket = (m_home.instanceDir() + "/sock/qmp.sock").toStdString();
        {
            auto qmp = berth::vm::QmpClient::connect(qmpSocket, std::chrono::seconds(5));
            QVERIFY2(qmp.ok(), qmp.ok() ? "" : qmp.error().message.c_str());
            QVERIFY(qmp->execute("stop").ok());
        }
        QThread::sleep(5);
        {
            auto qmp = berth::vm::QmpClient::connect(qmpSocket, std::chrono::seconds(5));
            QVERIFY(qmp.ok());
            QVERIFY(qmp->execute("cont").ok());
        }
        QThread::sleep(2);
        const double before = secondsNow();
        const auto run = berth({"shell", "--", "date", "+%s.%N"});
        const double after = secondsNow();
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const double guest = run.out.trimmed().toDouble();
        qInfo("guest clock %.3f; host clock %.3f to %.3f around the read", guest, before, after);
        QVERIFY2(guest > before - 2.0 && guest < after + 2.0, run.out.constData());
    }

    // The agent's one io thread never waits on QEMU or on the SSH server. While a container's
    // twenty ports are published (eighty private QEMU forwards, each a QMP round trip), `docker ps`
    // through the socket keeps answering. While the SSH session is made again against a guest
    // whose sshd cannot be reached (new connections to port 22 dropped for 8 s), the control
    // socket answers at once, and `docker ps` answers as soon as sshd can be reached again.
    void answersWhileForwardsAreAddedAndWhileTheSessionReconnects()
    {
        QStringList publish;
        for (int i = 0; i < 20; ++i)
            publish << "-p" << QString("127.0.0.1:%1:80").arg(freeTcpPort());
        std::atomic<bool> publishing{true};
        std::vector<qint64> latencies;
        bool allAnswered = true;
        std::thread poller([&] {
            while (publishing) {
                QElapsedTimer t;
                t.start();
                const auto ps = docker({"ps", "-q"}, 30000);
                latencies.push_back(t.elapsed());
                allAnswered = allAnswered && ps.exitCode == 0;
            }
        });
        // A failed check returns at once: the poller still ends and is joined (not std::terminate).
        auto stopPolling = qScopeGuard([&] {
            publishing = false;
            if (poller.joinable())
                poller.join();
        });
        QVERIFY(mustDocker(QStringList{"run", "-d", "--name", "many"} + publish + QStringList{"bb:1", "httpd", "-f", "-p",
                                                                                             "80", "-h", "/etc"}));
        QTRY_COMPARE_WITH_TIMEOUT(portsOf("many").size(), 20, 60000);
        stopPolling.dismiss();
        publishing = false;
        poller.join();
        QVERIFY(allAnswered);
        QVERIFY(!latencies.empty());
        std::sort(latencies.begin(), latencies.end());
        qInfo("docker ps while 20 ports were published: %zu calls, median %lld ms, max %lld ms", latencies.size(),
              latencies[latencies.size() / 2], latencies.back());
        for (const auto p : portsOf("many"))
            QVERIFY2(p.toObject().value("error").toString().isEmpty(), qPrintable(p.toObject().value("error").toString()));
        QVERIFY(mustDocker({"rm", "-f", "many"}));

        // In the guest, a second after this command returns: drop new connections to sshd, end
        // every SSH session of user berth (the agent's), and let sshd be reached again 8 s later.
        QVERIFY(mustDocker({"run", "-d", "--rm", "--privileged", "--pid=host", "--net=host", "bb:1", "nsenter", "-t", "1",
                            "-m", "-n", "sh", "-c",
                            "sleep 1; iptables -I INPUT -p tcp --dport 22 --syn -j DROP; "
                            "for p in $(pgrep -u berth -x sshd-session); do kill $p; done; sleep 8; "
                            "iptables -D INPUT -p tcp --dport 22 --syn -j DROP"}));
        QElapsedTimer sinceCut;
        sinceCut.start();
        QThread::msleep(2500); // the session is gone by now, and the agent is making a new one
        QElapsedTimer t;
        t.start();
        const auto ports = berth({"ports", "--json"});
        const auto controlMs = t.elapsed();
        const auto controlDoneAt = sinceCut.elapsed();
        QVERIFY2(ports.exitCode == 0, qPrintable(describe(ports)));
        t.restart();
        const auto ps = docker({"ps", "-q"}, 60000);
        const auto psMs = t.elapsed();
        QVERIFY2(ps.exitCode == 0, qPrintable(describe(ps)));
        qInfo("while the SSH session was made again: the control socket answered in %lld ms; docker ps, started "
              "%lld ms after the session was cut, answered in %lld ms (sshd could be reached again about 9000 ms "
              "after the cut)",
              controlMs, controlDoneAt, psMs);
        // The control socket answered while sshd still could not be reached.
        QVERIFY2(controlDoneAt < 8000, qPrintable(QString::number(controlDoneAt)));
        const auto logs = berth({"logs", "-n", "200"}).out;
        QVERIFY2(logs.contains("ssh forward: reconnected to the VM"), logs.constData());
    }

    void cleanupTestCase()
    {
        const auto stop = berth({"stop"});
        QVERIFY2(stop.exitCode == 0, qPrintable(describe(stop)));
    }
};

QTEST_GUILESS_MAIN(TestPortsShares)
#include "tst_portsshares.moc"
