#include "TestPaths.h"
#include "berth/vm/ImageManifest.h"
#include "berth/vm/Sha256.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using berth::vm::ImageManifest;

class TestImageManifest final : public QObject
{
    Q_OBJECT

private:
    // A manifest for a fake image in `dir` whose files are small and hashed for real.
    static nlohmann::json fakeImage(const QString& dir)
    {
        nlohmann::json files = nlohmann::json::object();
        for (const auto& name : ImageManifest::requiredFiles()) {
            QFile f(dir + "/" + QString::fromStdString(name));
            f.open(QIODevice::WriteOnly);
            f.write(QByteArray::fromStdString("contents of " + name));
            f.close();
            files[name] = {{"sha256", berth::vm::sha256File(f.fileName().toStdString()).value()},
                           {"size", f.size()}};
        }
        nlohmann::json packages = nlohmann::json::array();
        for (const auto& name : ImageManifest::requiredPackages())
            packages.push_back({{"name", name}, {"version", "1.0-1"}});
        return {{"format", 1},
                {"suite", "trixie"},
                {"kernel_version", "6.12.0-test"},
                {"inputs_sha256", std::string(64, 'a')},
                {"files", files},
                {"packages", packages}};
    }

private slots:
    // The image the build made is complete: the packages the guest contract needs, every file
    // present with its recorded size and hash, and the root within its size budget.
    void builtImageIsComplete()
    {
        const auto manifest = ImageManifest::load(berth::test::imageDir().toStdString());
        QVERIFY2(manifest.ok(), manifest.ok() ? "" : manifest.error().message.c_str());
        QCOMPARE(manifest->suite(), std::string("trixie"));
        QVERIFY(!manifest->kernelVersion().empty());
        for (const auto& name : ImageManifest::requiredPackages())
            QVERIFY2(manifest->packageVersion(name).has_value(), name.c_str());
        QVERIFY(manifest->packageVersion("docker.io")->starts_with("26."));
        const auto& files = manifest->files();
        QVERIFY(files.at("root.sqfs").size <= 250ULL * 1024 * 1024);
        QVERIFY(files.at("vmlinuz").size > 1024 * 1024);
        const auto verified = manifest->verifyFiles();
        QVERIFY2(verified.ok(), verified.ok() ? "" : verified.error().message.c_str());
    }

    void acceptsCompleteManifest()
    {
        QTemporaryDir dir;
        const auto m = ImageManifest::parse(fakeImage(dir.path()).dump(), dir.path().toStdString());
        QVERIFY(m.ok());
        QVERIFY(m->verifyFiles().ok());
        QCOMPARE(m->packageVersion("runc"), std::optional<std::string>("1.0-1"));
    }

    void namesWhatIsMissing_data()
    {
        QTest::addColumn<QString>("remove");
        QTest::addColumn<QString>("expected");
        QTest::newRow("suite") << "suite" << "field 'suite'";
        QTest::newRow("kernel") << "kernel_version" << "field 'kernel_version'";
        QTest::newRow("files") << "files" << "field 'files'";
        QTest::newRow("packages") << "packages" << "field 'packages'";
        QTest::newRow("file") << "files/root.sqfs" << "files.root.sqfs is missing";
        QTest::newRow("package") << "packages/docker.io" << "package docker.io is not in the image";
    }
    void namesWhatIsMissing()
    {
        QFETCH(QString, remove);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        auto doc = fakeImage(dir.path());
        const auto parts = remove.split('/');
        if (parts.size() == 1) {
            doc.erase(parts[0].toStdString());
        } else if (parts[0] == "files") {
            doc["files"].erase(parts[1].toStdString());
        } else {
            auto& packages = doc["packages"];
            for (auto it = packages.begin(); it != packages.end(); ++it) {
                if ((*it)["name"] == parts[1].toStdString()) {
                    packages.erase(it);
                    break;
                }
            }
        }
        const auto m = ImageManifest::parse(doc.dump(), dir.path().toStdString());
        QVERIFY(!m.ok());
        QVERIFY2(QString::fromStdString(m.error().message).contains(expected), m.error().message.c_str());
    }

    void rejectsMalformedJson()
    {
        for (const char* text : {"", "{", "[]", "{\"format\": 2}", "null"}) {
            const auto m = ImageManifest::parse(text, "/nowhere");
            QVERIFY2(!m.ok(), text);
        }
    }

    void missingManifestSaysHowToBuild()
    {
        QTemporaryDir dir;
        const auto m = ImageManifest::load(dir.path().toStdString());
        QVERIFY(!m.ok());
        QVERIFY(QString::fromStdString(m.error().message).contains("--target vm-image"));
    }

    void detectsAlteredFile()
    {
        QTemporaryDir dir;
        const auto m = ImageManifest::parse(fakeImage(dir.path()).dump(), dir.path().toStdString());
        QVERIFY(m.ok());
        QFile f(dir.filePath("initrd.zst"));
        f.open(QIODevice::ReadWrite);
        f.write("CONTENTS"); // same size, other bytes
        f.close();
        const auto verified = m->verifyFiles();
        QVERIFY(!verified.ok());
        QVERIFY(QString::fromStdString(verified.error().message).contains("initrd.zst"));

        QTemporaryDir other;
        const auto n = ImageManifest::parse(fakeImage(other.path()).dump(), other.path().toStdString());
        QFile::remove(other.filePath("vmlinuz"));
        const auto missing = n->verifyFiles();
        QVERIFY(!missing.ok());
        QVERIFY(QString::fromStdString(missing.error().message).contains("vmlinuz is missing"));
    }
};

QTEST_GUILESS_MAIN(TestImageManifest)
#include "tst_imagemanifest.moc"
