// Where the agent offers the engine socket to SDKs that read neither DOCKER_HOST nor contexts:
// only where nothing else is, never over another program's socket or file, and withdrawn only
// when the link is still Berth's. Real Unix sockets (QLocalServer) stand for other engines.
#include "berth/vm/LocalEndpoint.h"
#include "berth/vm/SocketLinks.h"

#include <sys/stat.h>

#include <QFile>
#include <QLocalServer>
#include <QTemporaryDir>
#include <QTest>

using namespace berth::vm;
namespace fs = std::filesystem;

class TestSocketLinks final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    fs::path at(const char* name) const { return fs::path(m_dir.filePath(name).toStdString()); }

    static QString target(const fs::path& link)
    {
        std::error_code ec;
        return QString::fromStdString(fs::read_symlink(link, ec).string());
    }

private slots:
    void conventionalPathsFollowTheEnvironment()
    {
        qputenv("HOME", m_dir.path().toUtf8());
        qputenv("XDG_RUNTIME_DIR", m_dir.path().toUtf8());
        auto paths = conventionalSocketPaths();
        QCOMPARE(paths.size(), std::size_t(2));
        QCOMPARE(paths[0], at("docker.sock"));
        QCOMPARE(paths[1], at(".docker/run/docker.sock"));
        qputenv("XDG_RUNTIME_DIR", m_dir.filePath("missing").toUtf8());
        paths = conventionalSocketPaths();
        QCOMPARE(paths.size(), std::size_t(1));
        QCOMPARE(paths[0], at(".docker/run/docker.sock"));
    }

    void aFreePlaceGetsALinkAndItsFolder()
    {
        QLocalServer engine;
        QVERIFY(engine.listen(m_dir.filePath("engine.sock")));
        const auto link = at("home/.docker/run/docker.sock");
        QVERIFY(fs::create_directories(at("home/.docker")));
        const auto offered = offerSocketAt(link, at("engine.sock"));
        QVERIFY2(offered, offered ? "" : offered.error().message.c_str());
        QCOMPARE(target(link), m_dir.filePath("engine.sock"));
        QVERIFY(localEndpointAnswers(link));
        struct stat st{};
        QCOMPARE(::stat(at("home/.docker/run").c_str(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0700u);
        // Offering again (a restart) is fine; withdrawing removes it.
        QVERIFY(offerSocketAt(link, at("engine.sock")));
        withdrawSocketAt(link, at("engine.sock"));
        QVERIFY(!fs::exists(fs::symlink_status(link)));
    }

    void anotherProgramsSocketOrFileStays()
    {
        QLocalServer other;
        QVERIFY(other.listen(m_dir.filePath("rootless.sock")));
        auto offered = offerSocketAt(at("rootless.sock"), at("engine.sock"));
        QVERIFY(!offered);
        QVERIFY2(offered.error().message.find("a socket") != std::string::npos, offered.error().message.c_str());
        QVERIFY(localEndpointAnswers(at("rootless.sock")));

        QFile file(m_dir.filePath("file.sock"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("mine");
        file.close();
        offered = offerSocketAt(at("file.sock"), at("engine.sock"));
        QVERIFY(!offered);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("mine"));
        withdrawSocketAt(at("file.sock"), at("engine.sock"));
        QVERIFY(QFile::exists(file.fileName()));
    }

    void aLinkToARunningEngineStaysAndADeadOneIsReplaced()
    {
        QLocalServer other;
        QVERIFY(other.listen(m_dir.filePath("desktop.sock")));
        const auto link = at("taken.sock");
        fs::create_symlink(at("desktop.sock"), link);
        auto offered = offerSocketAt(link, at("engine.sock"));
        QVERIFY(!offered);
        QVERIFY2(offered.error().message.find("another engine that is running") != std::string::npos,
                 offered.error().message.c_str());
        QCOMPARE(target(link), m_dir.filePath("desktop.sock"));
        withdrawSocketAt(link, at("engine.sock"));
        QCOMPARE(target(link), m_dir.filePath("desktop.sock"));

        other.close(); // that engine stopped: its link now leads nowhere that answers
        offered = offerSocketAt(link, at("engine.sock"));
        QVERIFY2(offered, offered ? "" : offered.error().message.c_str());
        QCOMPARE(target(link), m_dir.filePath("engine.sock"));

        const auto dangling = at("dangling.sock");
        fs::create_symlink(at("gone.sock"), dangling);
        QVERIFY(offerSocketAt(dangling, at("engine.sock")));
        QCOMPARE(target(dangling), m_dir.filePath("engine.sock"));
    }
};

QTEST_GUILESS_MAIN(TestSocketLinks)
#include "tst_socketlinks.moc"
