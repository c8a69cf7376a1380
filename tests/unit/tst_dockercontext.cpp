// The docker context Berth writes, read back by the real docker CLI, and the rules for making
// it current: only when asked or when the current context's engine is gone; other contexts and
// every other field of config.json are kept.
#include "RunProcess.h"
#include "TestPaths.h"
#include "berth/vm/DockerContext.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <filesystem>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace berth::vm;

class TestDockerContext final : public QObject
{
    Q_OBJECT

private:
    static QJsonObject readJson(const QString& file)
    {
        QFile f(file);
        f.open(QIODevice::ReadOnly);
        return QJsonDocument::fromJson(f.readAll()).object();
    }

    static void writeFile(const QString& file, const QByteArray& bytes, unsigned mode)
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(bytes);
        f.close();
        ::chmod(file.toLocal8Bit().constData(), mode);
    }

    // The docker CLI's own view of a context's endpoint.
    static QString endpointSeenByDocker(const QString& config, const QString& name)
    {
        const auto run = berth::test::runProcess(berth::test::binDir() + "/docker",
                                                 {"--config", config, "context", "inspect", "--format",
                                                  "{{.Endpoints.docker.Host}}", name});
        return run.exitCode == 0 ? QString::fromUtf8(run.out).trimmed() : "error: " + QString::fromUtf8(run.err);
    }

    // Makes a context the way `docker context create` does.
    static void dockerCreate(const QString& config, const QString& name, const QString& host)
    {
        const auto run = berth::test::runProcess(berth::test::binDir() + "/docker",
                                                 {"--config", config, "context", "create", name, "--docker",
                                                  "host=" + host});
        QVERIFY2(run.exitCode == 0, run.err.constData());
    }

private slots:
    void createsAContextDockerReads()
    {
        QTemporaryDir dir;
        const auto config = dir.filePath("docker");
        const std::string socket = dir.filePath("berth.sock").toStdString();
        // The current context points at an engine that is not running: Berth takes over.
        dockerCreate(config, "other", "unix://" + dir.filePath("gone.sock"));
        writeFile(config + "/config.json", R"({"currentContext":"other","auths":{"r.example":{"auth":"eA=="}}})", 0640);
        const auto update = ensureDockerContext(config.toStdString(), "berth", socket, false);
        QVERIFY2(update.ok(), update.ok() ? "" : update.error().message.c_str());
        QVERIFY(update->madeCurrent);
        QCOMPARE(QString::fromStdString(update->previous), QString("other"));
        QCOMPARE(endpointSeenByDocker(config, "berth"), "unix://" + QString::fromStdString(socket));
        const auto json = readJson(config + "/config.json");
        QCOMPARE(json.value("currentContext").toString(), QString("berth"));
        QVERIFY(json.value("auths").toObject().contains("r.example"));
        struct stat st{};
        QCOMPARE(::stat((config + "/config.json").toLocal8Bit().constData(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0640u);
        QCOMPARE(endpointSeenByDocker(config, "other"), "unix://" + dir.filePath("gone.sock"));

        // Idempotent; a moved socket updates the endpoint.
        const auto again = ensureDockerContext(config.toStdString(), "berth", socket + "2", false);
        QVERIFY(again.ok() && !again->madeCurrent);
        QCOMPARE(endpointSeenByDocker(config, "berth"), "unix://" + QString::fromStdString(socket) + "2");
    }

    void leavesALiveContextCurrentUnlessAsked()
    {
        QTemporaryDir dir;
        const auto config = dir.filePath("docker");
        const auto live = dir.filePath("live.sock");
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, live.toLocal8Bit().constData(), sizeof address.sun_path - 1);
        QCOMPARE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
        QCOMPARE(::listen(fd, 4), 0);
        dockerCreate(config, "desktop", "unix://" + live);
        writeFile(config + "/config.json", R"({"currentContext":"desktop"})", 0600);

        auto update = ensureDockerContext(config.toStdString(), "berth", dir.filePath("b.sock").toStdString(), false);
        QVERIFY(update.ok() && !update->madeCurrent);
        QVERIFY(update->note.find("stays current") != std::string::npos);
        QCOMPARE(readJson(config + "/config.json").value("currentContext").toString(), QString("desktop"));

        update = ensureDockerContext(config.toStdString(), "berth", dir.filePath("b.sock").toStdString(), true);
        QVERIFY(update.ok() && update->madeCurrent);
        QCOMPARE(readJson(config + "/config.json").value("currentContext").toString(), QString("berth"));
        ::close(fd);
    }

    void leavesABrokenConfigAlone()
    {
        QTemporaryDir dir;
        const auto config = dir.filePath("docker");
        QVERIFY(std::filesystem::create_directories(config.toStdString()));
        const QByteArray broken = "{\"currentContext\": ";
        writeFile(config + "/config.json", broken, 0600);
        const auto update = ensureDockerContext(config.toStdString(), "berth", dir.filePath("b.sock").toStdString(), true);
        QVERIFY(!update.ok());
        QVERIFY2(update.error().message.find("not valid JSON") != std::string::npos, update.error().message.c_str());
        QFile f(config + "/config.json");
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), broken);
    }

    // Berth's plugin folder joins cliPluginsExtraDirs; the real docker CLI then finds compose and
    // buildx. Every other key and folder stays, the mode stays, and a second call writes nothing.
    void addsThePluginFolderDockerUses()
    {
        QTemporaryDir dir;
        const auto config = dir.filePath("docker");
        QVERIFY(std::filesystem::create_directories(config.toStdString()));
        const auto file = config + "/config.json";
        writeFile(file, R"({"auths": {"r.example": {"auth": "eDp5"}}, "cliPluginsExtraDirs": ["/opt/other"]})", 0640);
        const auto plugins = berth::test::binDir() + "/cli-plugins";
        auto added = ensureCliPluginsDir(config.toStdString(), plugins.toStdString());
        QVERIFY2(added.ok() && *added, added.ok() ? "" : added.error().message.c_str());
        const auto json = readJson(file);
        QCOMPARE(json.value("auths").toObject().value("r.example").toObject().value("auth").toString(), QString("eDp5"));
        const auto dirs = json.value("cliPluginsExtraDirs").toArray();
        QCOMPARE(dirs.size(), 2);
        QCOMPARE(dirs.at(0).toString(), QString("/opt/other"));
        QCOMPARE(dirs.at(1).toString(), plugins);
        struct stat st
        {
        };
        QCOMPARE(::stat(file.toLocal8Bit().constData(), &st), 0);
        QCOMPARE(st.st_mode & 07777, 0640u);

        const auto inode = st.st_ino;
        added = ensureCliPluginsDir(config.toStdString(), (plugins + "/").toStdString());
        QVERIFY(added.ok() && !*added);
        QCOMPARE(::stat(file.toLocal8Bit().constData(), &st), 0);
        QCOMPARE(st.st_ino, inode); // not rewritten

        for (const QString plugin : {"compose", "buildx"}) {
            const auto run = berth::test::runProcess(berth::test::binDir() + "/docker",
                                                     {"--config", config, plugin, "version"});
            QVERIFY2(run.exitCode == 0, qPrintable(plugin + ": " + QString::fromUtf8(run.out + run.err)));
        }
    }

    // The proxies entry for one engine: set, left alone when unchanged, replaced, removed; other
    // engines' entries and other fields stay. (The docker CLI handing it to containers is checked
    // against the real engine in tst_berthcli.)
    void proxiesForOneEngineOnly()
    {
        QTemporaryDir dir;
        const auto config = dir.filePath("docker");
        QVERIFY(std::filesystem::create_directories(config.toStdString()));
        const auto file = config + "/config.json";
        writeFile(file, "{\"auths\": {}, \"proxies\": {\"default\": {\"httpProxy\": \"http://corp:3128\"}}}", 0600);
        const std::string host = "unix:///home/u/.local/share/berth/default/sock/docker.sock";
        auto changed = ensureCliProxies(config.toStdString(), host, "http://10.0.2.2:3128", "", "localhost");
        QVERIFY2(changed.ok() && *changed, changed.ok() ? "" : changed.error().message.c_str());
        auto proxies = readJson(file).value("proxies").toObject();
        QCOMPARE(proxies.value("default").toObject().value("httpProxy").toString(), QString("http://corp:3128"));
        const auto mine = proxies.value(QString::fromStdString(host)).toObject();
        QCOMPARE(mine.value("httpProxy").toString(), QString("http://10.0.2.2:3128"));
        QVERIFY(!mine.contains("httpsProxy"));
        QCOMPARE(mine.value("noProxy").toString(), QString("localhost"));
        QVERIFY(readJson(file).contains("auths"));

        changed = ensureCliProxies(config.toStdString(), host, "http://10.0.2.2:3128", "", "localhost");
        QVERIFY(changed.ok() && !*changed);
        changed = ensureCliProxies(config.toStdString(), host, "", "", "");
        QVERIFY(changed.ok() && *changed);
        proxies = readJson(file).value("proxies").toObject();
        QVERIFY(!proxies.contains(QString::fromStdString(host)));
        QVERIFY(proxies.contains("default"));

        writeFile(file, R"({"proxies": "corp"})", 0600);
        changed = ensureCliProxies(config.toStdString(), host, "http://10.0.2.2:3128", "", "");
        QVERIFY(!changed.ok());
        QCOMPARE(readJson(file).value("proxies").toString(), QString("corp")); // left as it is
    }

    void startsAConfigWithThePluginFolder()
    {
        QTemporaryDir dir;
        const auto config = dir.filePath("fresh/docker");
        const auto added = ensureCliPluginsDir(config.toStdString(), "/usr/lib/berth/cli-plugins");
        QVERIFY(added.ok() && *added);
        QCOMPARE(readJson(config + "/config.json").value("cliPluginsExtraDirs").toArray().at(0).toString(),
                 QString("/usr/lib/berth/cli-plugins"));
        QCOMPARE(QFile::permissions(config + "/config.json"), QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser | QFile::WriteUser);
    }

    void leavesABrokenPluginListAlone()
    {
        QTemporaryDir dir;
        const auto config = dir.filePath("docker");
        QVERIFY(std::filesystem::create_directories(config.toStdString()));
        for (const QByteArray& text : {QByteArray("{\"cliPluginsExtraDirs\": "), QByteArray("{\"cliPluginsExtraDirs\": \"/opt\"}"),
                                       QByteArray("{\"cliPluginsExtraDirs\": [1]}")}) {
            writeFile(config + "/config.json", text, 0600);
            const auto added = ensureCliPluginsDir(config.toStdString(), "/usr/lib/berth/cli-plugins");
            QVERIFY(!added.ok());
            QVERIFY2(added.error().message.find("left the file as it is") != std::string::npos ||
                         added.error().message.find("left it as it is") != std::string::npos,
                     added.error().message.c_str());
            QVERIFY2(added.error().message.find("compose") != std::string::npos, added.error().message.c_str());
            QFile f(config + "/config.json");
            QVERIFY(f.open(QIODevice::ReadOnly));
            QCOMPARE(f.readAll(), text);
        }
    }
};

QTEST_GUILESS_MAIN(TestDockerContext)
#include "tst_dockercontext.moc"
