#include "TestPaths.h"
#include "berth/vm/ImageManifest.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

// The docker CLI and plugins bundled for the host come from the same Debian release as the
// guest's engine, and run from the build tree without docker installed on the host.
class TestHostCli final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_config;

    QString run(const QStringList& args)
    {
        QProcess p;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("DOCKER_CONFIG", m_config.path());
        p.setProcessEnvironment(env);
        p.start(berth::test::binDir() + "/docker", args);
        if (!p.waitForFinished(60000) || p.exitCode() != 0)
            return "FAILED: " + QString::fromUtf8(p.readAllStandardError());
        return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    }

    // Debian's version "26.1.5+dfsg1-9+deb13u1" → the upstream part "26.1.5".
    static QString upstream(const std::string& debianVersion)
    {
        auto v = QString::fromStdString(debianVersion);
        v = v.mid(v.indexOf(':') + 1);
        return v.left(v.indexOf(QRegularExpression("[+~-]")));
    }

private slots:
    void initTestCase()
    {
        QFile config(m_config.filePath("config.json"));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(QString(R"({"cliPluginsExtraDirs": ["%1/cli-plugins"]})").arg(berth::test::binDir()).toUtf8());
    }

    void cliMatchesTheGuestEngine()
    {
        const auto manifest = berth::vm::ImageManifest::load(berth::test::imageDir().toStdString());
        QVERIFY(manifest.ok());
        const auto engine = upstream(manifest->packageVersion("docker-cli").value());
        // "Docker version 26.1.5+dfsg1, build a72d7cd"; `docker version` would need an engine.
        const auto client = run({"--version"});
        QVERIFY2(client.startsWith("Docker version " + engine + "+") || client.startsWith("Docker version " + engine + ","),
                 qPrintable(client + " vs " + engine));
    }

    void composeAndBuildxPluginsRun()
    {
        QVERIFY2(run({"compose", "version", "--short"}).startsWith("2."), qPrintable(run({"compose", "version"})));
        const auto buildx = run({"buildx", "version"});
        QVERIFY2(buildx.contains("buildx") && !buildx.startsWith("FAILED"), qPrintable(buildx));
    }
};

QTEST_GUILESS_MAIN(TestHostCli)
#include "tst_hostcli.moc"
