// The `berth` command end to end, as a person at a terminal uses it: berth start, then the
// stock docker CLI through the forwarded socket, then stop/start, a killed QEMU, two starts at
// once, a wrong pinned host key, a full data disk, bad settings and reset. One instance (one VM
// at a time) for the whole file; every boot is the real image under QEMU.
#include "LocalRegistry.h"
#include "Loopback.h"
#include "RunProcess.h"
#include "TestPaths.h"

#include <csignal>
#include <sys/stat.h>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using berth::test::ProcessRun;

class TestBerthCli final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_home;

    QString instanceDir() const { return m_home + "/default"; }
    QString engineSocket() const { return instanceDir() + "/sock/docker.sock"; }
    // A person's home and runtime folder of the test's own: where SDKs look for a socket.
    QString userHome() const { return m_dir.filePath("user-home"); }
    QString runtimeDir() const { return m_dir.filePath("runtime"); }
    QStringList socketLinks() const
    {
        return {runtimeDir() + "/docker.sock", userHome() + "/.docker/run/docker.sock"};
    }

    // The docker context of the default instance in `home`, worked out here the way the
    // README says: "berth-" and 8 hex digits of SHA-256 of the home's path (not the user's
    // data folder, so not plain "berth").
    static QString contextOf(const QString& home)
    {
        const auto path = QFileInfo(home).canonicalFilePath().toUtf8();
        return "berth-" + QCryptographicHash::hash(path, QCryptographicHash::Sha256).toHex().left(8);
    }

    QProcessEnvironment environment(const QString& home = {}) const
    {
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("BERTH_HOME", home.isEmpty() ? m_home : home);
        env.insert("HOME", userHome());
        env.insert("XDG_RUNTIME_DIR", runtimeDir());
        env.insert("BERTH_IMAGE_DIR", berth::test::imageDir());
        env.insert("DOCKER_CONFIG", m_dir.filePath("docker-config"));
        env.insert("PATH", berth::test::binDir() + ":" + env.value("PATH"));
        env.remove("DOCKER_HOST");
        env.remove("DOCKER_CONTEXT");
        env.remove("BERTH_INSTANCE");
        return env;
    }

    ProcessRun berth(const QStringList& args, int timeoutMs = 300000, const QString& home = {})
    {
        return berth::test::runProcess(berth::test::binDir() + "/berth", args, {}, timeoutMs, environment(home));
    }

    // docker with no -H and no DOCKER_HOST: it must find the engine through the berth context.
    ProcessRun docker(const QStringList& args, const QByteArray& input = {}, int timeoutMs = 180000)
    {
        return berth::test::runProcess(berth::test::binDir() + "/docker", args, input, timeoutMs,
                                       environment());
    }

    static QString describe(const ProcessRun& run)
    {
        return QString("exit %1\nstdout: %2\nstderr: %3")
            .arg(run.exitCode)
            .arg(QString::fromUtf8(run.out), QString::fromUtf8(run.err));
    }

    QJsonObject status()
    {
        const auto run = berth({"status", "--json"});
        if (run.exitCode != 0)
            return {};
        return QJsonDocument::fromJson(run.out).object();
    }

    // QEMU processes running this instance's data disk.
    int qemuCount() const
    {
        int count = 0;
        const auto disk = (instanceDir() + "/data.img").toUtf8();
        for (const auto& pid : QDir("/proc").entryList(QDir::Dirs)) {
            QFile cmdline("/proc/" + pid + "/cmdline");
            if (!pid.toInt() || !cmdline.open(QIODevice::ReadOnly))
                continue;
            const auto text = cmdline.readAll();
            if (text.startsWith("qemu-system") && text.contains(disk))
                ++count;
        }
        return count;
    }

    static unsigned modeOf(const QString& path)
    {
        struct stat st
        {
        };
        return ::lstat(path.toLocal8Bit().constData(), &st) == 0 ? (st.st_mode & 07777) : 0xffff;
    }

    // Helpers that check; callers wrap them in QVERIFY so a failure ends the test function.
    bool mustStart(const QStringList& extra = {})
    {
        const auto run = berth(QStringList{"start"} + extra);
        if (run.exitCode != 0)
            qWarning("berth start failed: %s", qPrintable(describe(run)));
        return run.exitCode == 0 && status().value("state").toString() == "running";
    }

    bool mustRun(const QStringList& args, const QByteArray& expectedOut, const QByteArray& input = {})
    {
        const auto run = docker(args, input);
        if (run.exitCode != 0 || run.out.trimmed() != expectedOut) {
            qWarning("docker %s: expected \"%s\"; %s", qPrintable(args.join(' ')), expectedOut.constData(),
                     qPrintable(describe(run)));
            // For the post-mortem: what the agent and the guest console said last.
            qWarning("berth logs:\n%s", berth({"logs", "-n", "40"}).out.constData());
        }
        return run.exitCode == 0 && run.out.trimmed() == expectedOut;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        berth::test::keepIfAsked(m_dir);
        m_home = m_dir.filePath("home");
        QVERIFY(QDir().mkpath(userHome()) && QDir().mkpath(runtimeDir()));
        QVERIFY(QFile::setPermissions(runtimeDir(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                        QFileDevice::ExeOwner));
        QVERIFY(QFileInfo::exists(berth::test::binDir() + "/berth"));
        QVERIFY(QFileInfo::exists(berth::test::binDir() + "/docker"));
    }

    void refusesBadSettingsAndChangesNothing()
    {
        QVERIFY(QDir().mkpath(instanceDir()));
        const QByteArray bad = "{\"cpus\": 99, \"memory_mib\": 2048}\n";
        QFile file(instanceDir() + "/settings.json");
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bad);
        file.close();
        auto run = berth({"start"});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("'cpus'") && run.err.contains("must be from 1 to"),
                 qPrintable(describe(run)));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), bad);
        file.close();
        QCOMPARE(qemuCount(), 0);

        // A bad flag value names the flag's field and its range; no file is written.
        QVERIFY(file.remove());
        run = berth({"start", "--memory", "12"});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("'memory_mib' is 12"), qPrintable(describe(run)));
        QVERIFY(!file.exists());
        run = berth({"start", "--cpus", "two"});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("--cpus takes a whole number"), qPrintable(describe(run)));
        run = berth({"start", "--accel", "vmware"});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("kvm, hvf, whpx or tcg"), qPrintable(describe(run)));
        QCOMPARE(status().value("state").toString(), QString("stopped"));
    }

    void startsAndReportsStatus()
    {
        // Folders travel over virtiofs in this VM, which needs a usable virtiofsd (QEMU's own
        // when the tests run as root, or virtiofsd 1.x); tst_portsshares covers the default,
        // 9p where the open-file limit is low, as on the build machines.
        // A read-only share goes over 9p even so (see hostFolderOverVirtiofs).
        QVERIFY(QDir().mkpath(m_dir.filePath("share")) && QDir().mkpath(m_dir.filePath("share-ro")));
        QFile settings(instanceDir() + "/settings.json");
        QVERIFY(settings.open(QIODevice::WriteOnly));
        settings.write(QString("{\"share_transport\": \"virtiofs\", \"shares\": [{\"path\": \"%1\"}, "
                               "{\"path\": \"%2\", \"read_only\": true}]}\n")
                           .arg(m_dir.filePath("share"), m_dir.filePath("share-ro"))
                           .toUtf8());
        settings.close();
        const auto run = berth({"start"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        for (const char* phase :
             {"initramfs", "data-disk", "engine-socket", "Engine ready in", "DOCKER_HOST=unix://"})
            QVERIFY2(run.out.contains(phase), qPrintable(describe(run)));

        const auto s = status();
        QCOMPARE(s.value("state").toString(), QString("running"));
        QCOMPARE(s.value("docker_host").toString(), "unix://" + engineSocket());
        QVERIFY(!s.value("accelerator").toString().isEmpty());
        QVERIFY(!s.value("accelerator_reason").toString().isEmpty());
        QCOMPARE(s.value("cpus").toInt(), 2);
        QCOMPARE(s.value("memory_mib").toInt(), 2048);
        QVERIFY(s.value("uptime_s").toDouble() >= 0);
        QCOMPARE(s.value("last_error").toString(), QString());
        // The data disk as the guest measures it (the agent asks over its SSH session): the file
        // system fills nearly the whole disk, and a fresh engine uses little of it.
        const double size = s.value("disk_size_bytes").toDouble(), used = s.value("disk_used_bytes").toDouble();
        const double configured = s.value("disk_gib").toDouble() * (1 << 30);
        QVERIFY2(configured > 0 && size > 0.9 * configured && size <= configured,
                 qPrintable(QString("disk_size_bytes %1 of %2 configured").arg(size).arg(configured)));
        QVERIFY2(used > 0 && used < 0.1 * size, qPrintable(QString("disk_used_bytes %1").arg(used)));
        QCOMPARE(s.value("disk_full").toBool(), false);
        const int pid = s.value("pid").toInt();
        QVERIFY(pid > 0 && ::kill(pid, 0) == 0);
        QCOMPARE(qemuCount(), 1);
        // The human form carries the DOCKER_HOST line too.
        const auto text = berth({"status"});
        QVERIFY2(text.out.contains("DOCKER_HOST=unix://" + engineSocket().toUtf8()),
                 qPrintable(describe(text)));
        QVERIFY(text.out.contains("Data disk:"));
    }

    void keepsFilesAndSocketsPrivate()
    {
        // m_home itself was made by this test, so its mode is not Berth's to change (tst_instance
        // and tst_recovery check that); everything below it is Berth's, and private.
        QCOMPARE(modeOf(instanceDir()), 0700u);
        QCOMPARE(modeOf(instanceDir() + "/sock"), 0700u);
        QCOMPARE(modeOf(instanceDir() + "/ssh"), 0700u);
        QCOMPARE(modeOf(instanceDir() + "/log"), 0700u);
        QCOMPARE(modeOf(engineSocket()), 0600u);
        QCOMPARE(modeOf(instanceDir() + "/sock/control.sock"), 0600u);
        for (const char* file : {"/ssh/client", "/ssh/host_key", "/data.img", "/status.json",
                                 "/log/agent.log", "/log/console.log"})
            QVERIFY2(modeOf(instanceDir() + file) == 0600u, file);
        // The only TCP listener Berth's QEMU opens is the SSH forward, on 127.0.0.1.
        const int qemuPid = status().value("vm_pid").toInt();
        QVERIFY(qemuPid > 0);
        const auto ss = berth::test::runProcess("ss", {"-Hltnp"});
        QCOMPARE(ss.exitCode, 0);
        int listeners = 0;
        for (const auto& line : QString::fromUtf8(ss.out).split('\n')) {
            if (!line.contains(QString("pid=%1,").arg(qemuPid)))
                continue;
            ++listeners;
            QVERIFY2(line.contains(QString("127.0.0.1:%1").arg(status().value("ssh_port").toInt())),
                     qPrintable(line));
        }
        QCOMPARE(listeners, 1);
    }

    void dockerCliWorksThroughTheSocket()
    {
        // The instance's context is there and, with no other engine on this host, current.
        const auto context = contextOf(m_home).toUtf8();
        const auto contexts =
            docker({"context", "ls", "--format", "{{.Name}} {{.Current}} {{.DockerEndpoint}}"});
        QVERIFY2(contexts.out.contains(context + " "), qPrintable(describe(contexts)));
        if (!QFileInfo::exists("/var/run/docker.sock"))
            QVERIFY2(contexts.out.contains(context + " true unix://" + engineSocket().toUtf8()),
                     qPrintable(describe(contexts)));

        // Where SDKs look without DOCKER_HOST or contexts, the engine answers too.
        QStringList offered;
        for (const auto link : status().value("socket_links").toArray())
            offered << link.toString();
        QCOMPARE(offered, socketLinks());
        for (const auto& link : socketLinks())
            QVERIFY(mustRun({"-H", "unix://" + link, "version", "--format", "{{.Server.APIVersion}}"}, "1.45"));
        const auto text = berth({"status"});
        QVERIFY2(text.out.contains("Socket links: " + socketLinks().join(", ").toUtf8()), qPrintable(describe(text)));

        QVERIFY(mustRun({"version", "--format", "{{.Server.APIVersion}}"}, "1.45"));
        QFile tar(berth::test::testImagesDir() + "/busybox.tar");
        QVERIFY(tar.open(QIODevice::ReadOnly));
        auto run = docker({"import", "-", "bb:1"}, tar.readAll());
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY(mustRun({"run", "--rm", "bb:1", "echo", "hello from the guest"}, "hello from the guest"));
        // stdin EOF must reach the container, or cat would never exit.
        QVERIFY(mustRun({"run", "--rm", "-i", "bb:1", "sh", "-c", "cat; echo EOF-seen"}, "piped in\nEOF-seen",
                        "piped in\n"));
        run = docker({"run", "-d", "--name", "sleeper", "bb:1", "sleep", "600"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY(docker({"exec", "sleeper", "sh", "-c", "echo exec-ok"}).out.contains("exec-ok"));
        QCOMPARE(docker({"rm", "-f", "sleeper"}).exitCode, 0);

        // logs -f follows a running container and ends when it exits.
        run = docker({"run", "-d", "--name", "talker", "bb:1", "sh", "-c",
                      "for i in 1 2 3; do echo line $i; sleep 1; done"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        run = docker({"logs", "-f", "talker"}, {}, 60000);
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QCOMPARE(run.out.trimmed(), QByteArray("line 1\nline 2\nline 3"));
        QCOMPARE(docker({"rm", "talker"}).exitCode, 0);

        // 20 docker ps at once, each its own connection through the one SSH session.
        for (const auto& ps :
             berth::test::runConcurrently(berth::test::binDir() + "/docker",
                                          {"ps", "-a", "--format", "{{.ID}}"}, 20, 120000, environment()))
            QVERIFY2(ps.exitCode == 0, qPrintable(describe(ps)));
    }

    // A shared folder over virtiofs: the guest mounts it at the host's path, and a container reads the
    // host's file and writes one the host reads, owned by the host user.
    void hostFolderOverVirtiofs()
    {
        const auto share = m_dir.filePath("share");
        const auto mounts = berth({"shell", "--", "mount"});
        // Where no virtiofsd can run (QEMU's own needs root), the VM falls back to 9p.
        const bool virtiofsd = (::getuid() == 0 && QFileInfo::exists("/usr/lib/qemu/virtiofsd")) ||
                               !QStandardPaths::findExecutable("virtiofsd").isEmpty();
        const auto expected = QString("berth0 on %1 type %2").arg(share, virtiofsd ? "virtiofs" : "9p");
        QVERIFY2(mounts.out.contains(expected.toUtf8()), qPrintable(expected + "\n" + describe(mounts)));
        QFile in(share + "/in.txt");
        QVERIFY(in.open(QIODevice::WriteOnly));
        in.write("host to guest\n");
        in.close();
        QVERIFY(mustRun({"run", "--rm", "-v", share + ":/s", "bb:1", "sh", "-c",
                         "cat /s/in.txt && echo guest to host > /s/out.txt"},
                        "host to guest"));
        QFile out(share + "/out.txt");
        QVERIFY(out.open(QIODevice::ReadOnly));
        QCOMPARE(out.readAll(), QByteArray("guest to host\n"));
        QCOMPARE(QFileInfo(out).ownerId(), ::getuid());

        // Read-only is enforced on the host, not only by the guest's mount: the share travels over
        // 9p (QEMU refuses writes), since QEMU's virtiofsd has no read-only mode. A privileged
        // container that remounts it read-write in the VM still cannot write.
        const auto ro = m_dir.filePath("share-ro");
        const auto roMount = QString("berth1 on %1 type 9p").arg(ro);
        QVERIFY2(mounts.out.contains(roMount.toUtf8()), qPrintable(roMount + "\n" + describe(mounts)));
        const auto escape = docker({"run", "--rm", "--privileged", "--pid=host", "bb:1", "nsenter", "-t", "1", "-m",
                                    "sh", "-c", QString("mount -o remount,rw %1 && echo escaped > %1/w").arg(ro)});
        QVERIFY2(escape.exitCode != 0 && escape.err.contains("Read-only file system"), qPrintable(describe(escape)));
        QVERIFY(!QFileInfo::exists(ro + "/w"));
    }

    void secondStartSaysAlreadyRunning()
    {
        const auto run = berth({"start"});
        QVERIFY2(run.exitCode == 0 && run.out.contains("already running"), qPrintable(describe(run)));
        QCOMPARE(qemuCount(), 1);
    }

    // A second instance, in another home, started while the first runs: it gets a context of
    // its own and leaves plain `docker` commands, and the SDK socket places, with the first.
    // `berth default-socket on` (as root here, so without pkexec's password): /var/run/docker.sock
    // leads to this engine, and Debian's docker-py 5 (which reads neither contexts nor
    // XDG_RUNTIME_DIR) finds it with no DOCKER_HOST. Another program's link there is left alone;
    // `off` removes the link and its reboot entry.
    void defaultSocketServesDockerPy()
    {
        const QString link = "/var/run/docker.sock", tmpfiles = "/etc/tmpfiles.d/berth-docker-socket.conf";
        QVERIFY2(!QFileInfo::exists(link) && !QFileInfo(link).isSymLink(),
                 "this computer already has /var/run/docker.sock (Docker Engine?); the test needs it free");
        QVERIFY(!QFileInfo::exists(tmpfiles));
        const auto cleanup = qScopeGuard([&] {
            berth({"default-socket", "off"});
            if (QFileInfo(link).isSymLink() && QFileInfo(link).symLinkTarget() == m_dir.filePath("elsewhere"))
                QFile::remove(link);
        });
        // Somebody else's link (to something that exists) stays as it is.
        QFile elsewhere(m_dir.filePath("elsewhere"));
        QVERIFY(elsewhere.open(QIODevice::WriteOnly));
        elsewhere.close();
        QVERIFY(QFile::link(elsewhere.fileName(), link));
        auto run = berth({"default-socket", "on"});
        QVERIFY2(run.exitCode != 0 && run.err.contains("which is not Berth's engine for you"), qPrintable(describe(run)));
        QCOMPARE(QFileInfo(link).symLinkTarget(), elsewhere.fileName());
        QVERIFY(QFile::remove(link));

        run = berth({"default-socket", "on"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QCOMPARE(QFileInfo(link).symLinkTarget(), engineSocket());
        QFile entry(tmpfiles);
        QVERIFY(entry.open(QIODevice::ReadOnly));
        QVERIFY2(entry.readAll().contains("L /run/docker.sock - - - - " + engineSocket().toUtf8()), "reboot entry");
        QVERIFY(status().value("socket_links").toArray().contains(link));
        QVERIFY(berth({"default-socket"}).out.contains("on, leads to this instance's engine"));

        QVERIFY(docker({"run", "-d", "--name", "pyseen", "bb:1", "sleep", "600"}).exitCode == 0);
        auto env = environment();
        env.remove("DOCKER_HOST");
        env.remove("XDG_RUNTIME_DIR");
        env.insert("HOME", m_dir.filePath("no-such-home")); // no context, no ~/.docker/run
        run = berth::test::runProcess("/usr/bin/python3",
                                      {"-c", "import docker; print(docker.__version__); "
                                             "print(' '.join(c.name for c in docker.from_env().containers.list()))"},
                                      {}, 60000, env);
        QVERIFY2(run.exitCode == 0 && run.out.split('\n').value(1).split(' ').contains("pyseen"),
                 qPrintable(describe(run)));
        QVERIFY(docker({"rm", "-f", "pyseen"}).exitCode == 0);

        run = berth({"default-socket", "off"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY(!QFileInfo(link).isSymLink() && !QFileInfo::exists(link));
        QVERIFY(!QFileInfo::exists(tmpfiles));
        QVERIFY(!status().value("socket_links").toArray().contains(link));
    }

    void secondInstanceLeavesDockerWhereItWas()
    {
        const auto first = contextOf(m_home).toUtf8();
        QVERIFY(docker({"run", "-d", "--name", "first-only", "bb:1", "sleep", "600"}).exitCode == 0);
        const auto otherHome = m_dir.filePath("other-home");
        QVERIFY(QDir().mkpath(otherHome));
        const auto second = contextOf(otherHome).toUtf8();
        QVERIFY(first != second);
        // A registry on this computer, with an image the first instance pushed there.
        berth::test::LocalRegistry hostService(m_dir.filePath("host-service"));
        QVERIFY2(hostService.start(), qPrintable(hostService.errorString()));
        const auto port = QString::number(hostService.port());
        QVERIFY(docker({"tag", "bb:1", "host.docker.internal:" + port + "/proxied/bb:1"}).exitCode == 0);
        auto run = docker({"push", "host.docker.internal:" + port + "/proxied/bb:1"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        // An HTTP proxy on this computer's loopback that wants a password, and knows the name
        // registry.berth.test (nothing else does).
        const auto proxyLog = m_dir.filePath("proxy.log");
        QProcess proxy;
        proxy.start(QString(BERTH_TESTS_SOURCE_DIR) + "/support/http-proxy", {proxyLog, "berth:secret-word"});
        QVERIFY(proxy.waitForReadyRead(10000));
        const auto proxyPort = proxy.readLine().trimmed();
        const auto stopProxy = qScopeGuard([&] { proxy.kill(); proxy.waitForFinished(); });

        // This one keeps containers away from this computer (settings: host access off) and
        // pulls through the proxy.
        QVERIFY(QDir().mkpath(otherHome + "/default"));
        QFile settings(otherHome + "/default/settings.json");
        QVERIFY(settings.open(QIODevice::WriteOnly));
        settings.write("{\"host_access\": false, \"host_registries\": false, "
                       "\"http_proxy\": \"http://berth:secret-word@127.0.0.1:" +
                       proxyPort + "\"}");
        settings.close();
        QFile daemonJson(otherHome + "/default/daemon.json");
        QVERIFY(daemonJson.open(QIODevice::WriteOnly));
        daemonJson.write("{\"insecure-registries\": [\"registry.berth.test:" + port.toUtf8() + "\"]}");
        daemonJson.close();
        run = berth({"start"}, 300000, otherHome);
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const auto cleanup = qScopeGuard([&] { berth({"stop"}, 300000, otherHome); });

        run = docker({"context", "show"});
        QCOMPARE(run.out.trimmed(), first);
        run = docker({"ps", "--format", "{{.Names}}"});
        QVERIFY2(run.exitCode == 0 && run.out.split('\n').contains("first-only"), qPrintable(describe(run)));
        run = docker({"--context", QString::fromUtf8(second), "ps", "-a", "--format", "{{.Names}}"});
        QVERIFY2(run.exitCode == 0 && run.out.trimmed().isEmpty(), qPrintable(describe(run)));
        // The places SDKs look stay the first's.
        const auto otherStatus = QJsonDocument::fromJson(berth({"status", "--json"}, 300000, otherHome).out).object();
        QCOMPARE(otherStatus.value("state").toString(), QString("running"));
        QVERIFY(otherStatus.value("socket_links").toArray().isEmpty());
        for (const auto& link : socketLinks())
            QCOMPARE(QFileInfo(link).symLinkTarget(), engineSocket());

        // The engine pulls through the proxy, which saw the requests; containers get it as
        // their proxy environment (from the docker CLI's config, for this engine only).
        const auto ctx = QString::fromUtf8(second);
        run = docker({"--context", ctx, "pull", "registry.berth.test:" + port + "/proxied/bb:1"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QFile seen(proxyLog);
        QVERIFY(seen.open(QIODevice::ReadOnly));
        const auto requests = seen.readAll();
        const auto base = " http://registry.berth.test:" + port.toUtf8() + "/v2/proxied/bb/";
        QVERIFY2(requests.contains(base + "manifests/1") && requests.contains("GET" + base + "blobs/sha256:") &&
                     !requests.contains("REFUSED"),
                 requests.constData());
        run = docker({"--context", ctx, "tag", "registry.berth.test:" + port + "/proxied/bb:1", "bb:1"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        run = docker({"--context", ctx, "run", "--rm", "bb:1", "sh", "-c", "echo $HTTP_PROXY $http_proxy"});
        QCOMPARE(run.out.trimmed(), "http://berth:secret-word@10.0.2.2:" + proxyPort + " http://berth:secret-word@10.0.2.2:" +
                                        proxyPort);
        run = docker({"run", "--rm", "bb:1", "sh", "-c", "echo \"[$HTTP_PROXY]\""});
        QCOMPARE(run.out.trimmed(), QByteArray("[]")); // the first instance has no proxy
        // The password is in no log and no diagnostics bundle.
        run = berth({"diagnose", "--output", m_dir.filePath("proxy-diag.tar.gz")}, 300000, otherHome);
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        run = berth::test::runProcess("sh", {"-c", "tar -xzOf \"$1\" | grep -c secret-word; grep -rl secret-word \"$2\"/log",
                                             "sh", m_dir.filePath("proxy-diag.tar.gz"), otherHome + "/default"});
        QVERIFY2(run.out.trimmed() == "0", qPrintable(describe(run)));

        // Host access off: host.docker.internal is unknown, host-gateway is not the host, and a
        // service on this computer's loopback cannot be reached at 10.0.2.2 either.
        run = docker({"--context", ctx, "run", "--rm", "--add-host", "gw:host-gateway", "bb:1", "sh", "-c",
                      "nslookup host.docker.internal; grep -w gw /etc/hosts; wget -T 5 -qO- http://10.0.2.2:" + port +
                          "/v2/ && echo REACHED"});
        QVERIFY2(run.exitCode != 0 && !run.out.contains("REACHED") && !run.out.contains("10.0.2.2") &&
                     (run.out + run.err).contains("NXDOMAIN"),
                 qPrintable(describe(run)));
        // Nor from a container on the VM's own network, which the first instance (host access
        // on) lets through.
        const QStringList hostNetwork{"run", "--rm", "--network", "host", "bb:1", "sh", "-c",
                                      "wget -T 5 -qO- http://10.0.2.2:" + port + "/v2/ && echo REACHED"};
        run = docker(QStringList{"--context", ctx} + hostNetwork);
        QVERIFY2(run.exitCode != 0 && !run.out.contains("REACHED"), qPrintable(describe(run)));
        run = docker(hostNetwork);
        QVERIFY2(run.exitCode == 0 && run.out.contains("REACHED"), qPrintable(describe(run)));

        run = berth({"stop"}, 300000, otherHome);
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QCOMPARE(docker({"context", "show"}).out.trimmed(), first);
        QCOMPARE(docker({"rm", "-f", "first-only"}).exitCode, 0);
    }

    void shellLogsAndVersion()
    {
        auto run = berth({"shell", "--", "sh", "-c", "id -un; echo \"$1\"", "sh", "it's quoted"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QCOMPARE(run.out.trimmed(), QByteArray("berth\nit's quoted"));
        run = berth({"version"});
        QVERIFY2(run.exitCode == 0 && run.out.contains("Engine:      Docker 26.1.5"),
                 qPrintable(describe(run)));
        run = berth({"logs", "-n", "500"});
        QVERIFY2(run.out.contains("state: running") &&
                     run.out.contains("Daemon has completed initialization"),
                 qPrintable(describe(run)));
        // dockerd colours its console lines (the console is a terminal to it); into a pipe, as
        // here, berth logs prints them plain.
        QVERIFY2(!run.out.contains('\x1b'), qPrintable(describe(run)));
        for (const char* command :
             {"start", "stop", "restart", "status", "logs", "shell", "reset", "version"}) {
            run = berth({command, "--help"});
            QVERIFY2(run.exitCode == 0 && run.out.startsWith("Usage: berth "), command);
        }
    }

    // Also: a container with a restart policy comes back with the engine, before the agent
    // follows its events; the agent's reconciliation publishes its port again.
    void volumeSurvivesStopAndStart()
    {
        QVERIFY(mustRun(
            {"run", "--rm", "-v", "keep:/v", "bb:1", "sh", "-c", "echo kept > /v/f && sync && cat /v/f"},
            "kept"));
        const auto port = berth::test::freeTcpPort();
        auto web = docker({"run", "-d", "--name", "always", "--restart", "always", "-p", QString("%1:80").arg(port),
                           "bb:1", "httpd", "-f", "-p", "80", "-h", "/etc"});
        QVERIFY2(web.exitCode == 0, qPrintable(describe(web)));
        QVERIFY(berth::test::waitFor([&] { return berth::test::answers200(berth::test::httpGet(port, "/hostname")); },
                                     10000));
        const auto run = berth({"stop"});
        QVERIFY2(run.exitCode == 0 && run.out.contains("powered off cleanly"), qPrintable(describe(run)));
        const auto s = status();
        QCOMPARE(s.value("state").toString(), QString("stopped"));
        QCOMPARE(s.value("stop_method").toString(), QString("powerdown"));
        QVERIFY(!QFileInfo::exists(engineSocket()));
        QVERIFY(!QFileInfo::exists(instanceDir() + "/sock/control.sock"));
        for (const auto& link : socketLinks())
            QVERIFY2(!QFileInfo(link).isSymLink(), qPrintable(link + " was left after berth stop"));
        QCOMPARE(qemuCount(), 0);
        QVERIFY(docker({"ps"}).exitCode != 0);
        QVERIFY(!berth::test::acceptsOnLoopback(port));
        QVERIFY(mustStart());
        QVERIFY(mustRun({"run", "--rm", "-v", "keep:/v", "bb:1", "cat", "/v/f"}, "kept"));
        QVERIFY2(berth::test::waitFor(
                     [&] { return berth::test::answers200(berth::test::httpGet(port, "/hostname")); }, 15000),
                 "the restarted container's port was not published again");
        QCOMPARE(docker({"rm", "-f", "always"}).exitCode, 0);
    }

    void recoversFromAKilledQemu()
    {
        // Written and fsync'd (sync returned) before QEMU dies.
        QVERIFY(
            mustRun({"run", "--rm", "-v", "keep:/v", "bb:1", "sh", "-c", "echo synced > /v/g && sync"}, {}));
        const int qemuPid = status().value("vm_pid").toInt();
        QVERIFY(qemuPid > 0);
        QCOMPARE(::kill(qemuPid, SIGKILL), 0);
        QTRY_COMPARE_WITH_TIMEOUT(status().value("state").toString(), QString("error"), 20000);
        const auto s = status();
        QVERIFY2(s.value("last_error").toString().contains("killed by signal 9"),
                 qPrintable(s.value("last_error").toString()));
        QTRY_VERIFY_WITH_TIMEOUT(!QFileInfo::exists(engineSocket()), 10000);
        QVERIFY(QFileInfo::exists(instanceDir() + "/data.img"));
        // The next start recovers, here also growing the disk from 64 to 72 GiB.
        QVERIFY(mustStart({"--disk", "72"}));
        QVERIFY(mustRun({"run", "--rm", "-v", "keep:/v", "bb:1", "cat", "/v/f", "/v/g"}, "kept\nsynced"));
        const auto grown = status();
        QCOMPARE(grown.value("disk_gib").toInt(), 72);
        QVERIFY2(grown.value("disk_size_bytes").toDouble() > 70.0 * (1 << 30),
                 qPrintable(QString::number(grown.value("disk_size_bytes").toDouble())));
    }

    void fullDataDiskIsReportedAndRecovers()
    {
        // Fill the data filesystem (fallocate takes what it can, leaving it at 100%).
        docker({"run", "--rm", "-v", "filler:/f", "bb:1", "sh", "-c",
                "fallocate -l $(df -B1 /f | awk 'END {print $4}') /f/big"});
        QFile tar(berth::test::testImagesDir() + "/busybox.tar");
        QVERIFY(tar.open(QIODevice::ReadOnly));
        const auto busybox = tar.readAll();
        auto run = docker({"import", "-", "bb:full"}, busybox);
        QVERIFY2(run.exitCode != 0 && run.err.contains("no space left on device"), qPrintable(describe(run)));
        const auto text = berth({"status"});
        QVERIFY2(text.out.contains("FULL") && text.out.contains("docker system prune"),
                 qPrintable(describe(text)));
        QCOMPARE(status().value("disk_full").toBool(), true);

        QCOMPARE(docker({"volume", "rm", "filler"}).exitCode, 0);
        run = docker({"import", "-", "bb:full"}, busybox);
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QCOMPARE(status().value("disk_full").toBool(), false);
    }

    // The containerd image store, chosen and confirmed with `berth image-store`: the classic
    // store's images and containers are hidden, not deleted (twoSimultaneousStartsMakeOneVm
    // finds them again after switching back); volumes are shared; and buildx builds one image
    // for two CPUs, its arm64 steps run through the guest's user-mode emulation.
    void containerdImageStoreBuildsForTwoCpus()
    {
        auto run = berth({"image-store"});
        QVERIFY2(run.exitCode == 0 && run.out == "Image store: classic\n", qPrintable(describe(run)));
        run = berth({"image-store", "containerd"});
        QVERIFY2(run.exitCode == 2 && run.err.contains("hidden until you switch back") &&
                     run.err.contains("berth image-store containerd --yes"),
                 qPrintable(describe(run)));
        QCOMPARE(berth({"image-store"}).out, QByteArray("Image store: classic\n"));
        run = berth({"image-store", "containerd", "--yes"});
        QVERIFY2(run.exitCode == 0 && run.out.contains("run `berth restart` to switch now"), qPrintable(describe(run)));
        QCOMPARE(docker({"create", "--name", "classic-kept", "bb:1", "true"}).exitCode, 0);

        run = berth({"restart"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QCOMPARE(status().value("image_store").toString(), QString("containerd"));
        QVERIFY2(berth({"status"}).out.contains("Image store:  containerd"), "berth status does not name the store");
        run = docker({"info", "--format", "{{json .DriverStatus}}"});
        QVERIFY2(run.out.contains("io.containerd.snapshotter.v1"), qPrintable(describe(run)));
        run = docker({"image", "ls", "--format", "{{.Repository}}:{{.Tag}}"});
        QVERIFY2(run.exitCode == 0 && !run.out.contains("bb:1"), qPrintable(describe(run)));
        run = docker({"ps", "-a", "--format", "{{.Names}}"});
        QVERIFY2(run.exitCode == 0 && !run.out.contains("classic-kept"), qPrintable(describe(run)));

        const auto images = berth::test::testImagesDir();
        QCOMPARE(docker({"import", images + "/busybox.tar", "bb:amd64"}).exitCode, 0);
        QCOMPARE(docker({"import", "--platform", "linux/arm64", images + "/busybox-arm64.tar", "bb:arm64"}).exitCode, 0);
        QVERIFY(mustRun({"run", "--rm", "-v", "keep:/v", "bb:amd64", "cat", "/v/f"}, "kept"));

        QTemporaryDir context;
        QVERIFY(context.isValid());
        QFile dockerfile(context.filePath("Dockerfile"));
        QVERIFY(dockerfile.open(QIODevice::WriteOnly));
        dockerfile.write("FROM --platform=$TARGETPLATFORM bb:$TARGETARCH\n"
                         "RUN uname -m > /arch\n"
                         "CMD [\"cat\", \"/arch\"]\n");
        dockerfile.close();
        run = docker({"buildx", "build", "--platform", "linux/amd64,linux/arm64", "-t", "multi:1", context.path()}, {},
                     600000);
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY(mustRun({"run", "--rm", "--platform", "linux/arm64", "multi:1"}, "aarch64"));
        QVERIFY(mustRun({"run", "--rm", "--platform", "linux/amd64", "multi:1"}, "x86_64"));

        run = berth({"image-store", "classic", "--yes"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    }

    void twoSimultaneousStartsMakeOneVm()
    {
        QCOMPARE(berth({"stop"}).exitCode, 0);
        for (const auto& run : berth::test::runConcurrently(berth::test::binDir() + "/berth", {"start"}, 2,
                                                            300000, environment()))
            QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QCOMPARE(qemuCount(), 1);
        // Back on the classic image store: its image and container are there again.
        QCOMPARE(status().value("image_store").toString(), QString("classic"));
        QVERIFY(mustRun({"run", "--rm", "-v", "keep:/v", "bb:1", "cat", "/v/f"}, "kept"));
        QVERIFY(mustRun({"rm", "classic-kept"}, "classic-kept"));
    }

    void refusesAWrongPinnedHostKey()
    {
        QCOMPARE(berth({"stop"}).exitCode, 0);
        const QString pinned = instanceDir() + "/ssh/host_key.pub";
        QFile::remove(pinned + ".saved");
        QVERIFY(QFile::copy(pinned, pinned + ".saved"));
        QVERIFY(QFile::remove(pinned));
        QVERIFY(QFile::copy(instanceDir() + "/ssh/client.pub", pinned)); // any other key
        const auto run = berth({"start"});
        QVERIFY(QFile::remove(pinned));
        QVERIFY(QFile::rename(pinned + ".saved", pinned));
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("does not match the key pinned"), qPrintable(describe(run)));
        QVERIFY(!QFileInfo::exists(engineSocket()));
        QCOMPARE(qemuCount(), 0);
        QCOMPARE(status().value("state").toString(), QString("error"));
    }

    void resetNeedsConfirmationThenDeletesTheDisk()
    {
        auto run = berth({"reset"});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(QFileInfo::exists(instanceDir() + "/data.img"));
        run = berth({"reset", "--yes"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY(!QFileInfo::exists(instanceDir() + "/data.img"));
        QVERIFY(QFileInfo::exists(instanceDir() + "/ssh/client")); // keys and settings stay
    }

    void cleanupTestCase()
    {
        berth({"stop"});
        QCOMPARE(qemuCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestBerthCli)
#include "tst_berthcli.moc"
