// The image build's refusals: a missing tool, an unreachable mirror and too little disk each
// stop vm-image/build-image early with a message naming the problem, and leave no manifest
// (the marker of a finished image) behind.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <sys/mount.h>
#include <unistd.h>

class TestImageBuild final : public QObject
{
    Q_OBJECT

private:
    struct Outcome
    {
        int exitCode = -1;
        QString err;
    };

    static Outcome build(const QString& out, const QProcessEnvironment& env)
    {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(BERTH_SOURCE_DIR "/vm-image/build-image"), {out});
        if (!p.waitForFinished(120000))
            return {};
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardError())};
    }

private slots:
    void unreachableMirrorIsNamed()
    {
        QTemporaryDir out;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("BERTH_DEBIAN_MIRROR", "http://127.0.0.1:9/debian"); // discard port: refused
        const auto r = build(out.path(), env);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("cannot reach the Debian mirror http://127.0.0.1:9/debian"), qPrintable(r.err));
        QVERIFY(r.err.contains("BERTH_DEBIAN_MIRROR"));
        QVERIFY(!QFile::exists(out.filePath("manifest.json")));
    }

    void missingToolIsNamed()
    {
        // A PATH with everything the script needs except mmdebstrap.
        QTemporaryDir bin;
        for (const char* tool : {"bash", "dirname", "tar2sqfs", "cpio", "zstd", "xz", "sha256sum", "curl", "mkdir",
                                 "df", "tail", "rm", "cat"}) {
            const auto path = QStandardPaths::findExecutable(tool);
            QVERIFY2(!path.isEmpty(), tool);
            QVERIFY(QFile::link(path, bin.filePath(tool)));
        }
        QTemporaryDir out;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("PATH", bin.path());
        const auto r = build(out.path(), env);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("'mmdebstrap' is missing; run scripts/install-deps"), qPrintable(r.err));
        QVERIFY(!QFile::exists(out.filePath("manifest.json")));
    }

    void tooLittleDiskIsNamed()
    {
        if (::geteuid() != 0)
            QSKIP("needs root to mount a small tmpfs");
        QTemporaryDir out;
        QVERIFY(::mount("tmpfs", out.path().toUtf8().constData(), "tmpfs", 0, "size=64m") == 0);
        const auto r = build(out.path(), QProcessEnvironment::systemEnvironment());
        ::umount(out.path().toUtf8().constData());
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("MiB free in") && r.err.contains("needs 3 GiB"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestImageBuild)
#include "tst_imagebuild.moc"
