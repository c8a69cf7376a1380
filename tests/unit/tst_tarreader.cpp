// TarReader against archives GNU tar writes in the three formats the engine's archive API may
// send (PAX, as Go's archive/tar does for long names; GNU long-name records; plain ustar with a
// prefix), fed in pieces of every size, and against damaged and cut streams.
#include "berth/engine/TarReader.h"

#include <fstream>

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using berth::engine::TarEntry;
using berth::engine::TarReader;

namespace {

struct Read
{
    std::vector<TarEntry> entries;
    std::map<std::string, std::string> data;
    berth::engine::Status status = berth::engine::Ok{};
};

Read readInPieces(const std::string& tar, std::size_t piece)
{
    Read read;
    TarReader reader([&](const TarEntry& e) { read.entries.push_back(e); },
                     [&](const TarEntry& e, std::string_view bytes) { read.data[e.path].append(bytes); });
    for (std::size_t at = 0; at < tar.size() && read.status; at += piece)
        read.status = reader.feed(std::string_view(tar).substr(at, piece));
    if (read.status)
        read.status = reader.finish();
    return read;
}

const TarEntry* find(const Read& read, const std::string& path)
{
    for (const auto& e : read.entries)
        if (e.path == path)
            return &e;
    return nullptr;
}

} // namespace

class TestTarReader : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::string m_longDir;  // a directory path longer than ustar's 100-byte name field
    std::string m_longFile; // a file name that fits no ustar field, even with the prefix
    std::string m_text;     // a file's contents, longer than one block

    std::string makeTar(const QString& format, const QString& what = ".")
    {
        const auto out = m_dir.filePath("tree-" + format + ".tar");
        QProcess tar;
        tar.setWorkingDirectory(m_dir.filePath("tree"));
        tar.start("tar", {"--format=" + format, "--sort=name", "-cf", out, what});
        if (!tar.waitForFinished(30000) || tar.exitCode() != 0) {
            qWarning() << "tar --format" << format << "failed:" << tar.readAllStandardError();
            return {};
        }
        std::ifstream file(out.toStdString(), std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(file), {});
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const std::string root = m_dir.filePath("tree").toStdString();
        m_longDir = "etc/" + std::string(60, 'd') + "/" + std::string(50, 'e');
        m_longFile = m_longDir + "/" + std::string(120, 'f') + ".conf";
        for (int i = 0; i < 300; ++i)
            m_text += "line " + std::to_string(i) + "\n";
        QVERIFY(QDir().mkpath(QString::fromStdString(root + "/" + m_longDir)));
        std::ofstream(root + "/etc/hostname") << m_text;
        std::ofstream(root + "/etc/empty");
        std::ofstream(root + "/" + m_longFile) << "long";
        QVERIFY(QFile::link("hostname", QString::fromStdString(root + "/etc/name-link")));
        QVERIFY(QFile::setPermissions(QString::fromStdString(root + "/etc/hostname"),
                                      QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup));
    }

    void readsEveryFormat_data()
    {
        QTest::addColumn<QString>("format");
        QTest::newRow("pax") << "pax";
        QTest::newRow("gnu") << "gnu";
    }
    void readsEveryFormat()
    {
        QFETCH(QString, format);
        const auto tar = makeTar(format);
        QVERIFY(!tar.empty());
        for (const std::size_t piece :
             {std::size_t{1}, std::size_t{7}, std::size_t{512}, std::size_t{513}, tar.size()}) {
            const auto read = readInPieces(tar, piece);
            QVERIFY2(read.status, read.status ? "" : read.status.error().message.c_str());
            QCOMPARE(read.entries.front().path, std::string("."));
            QCOMPARE(int(read.entries.front().type), int(TarEntry::Type::Directory));
            const auto* hostname = find(read, "etc/hostname");
            QVERIFY(hostname);
            QCOMPARE(int(hostname->type), int(TarEntry::Type::File));
            QCOMPARE(hostname->size, m_text.size());
            QCOMPARE(hostname->mode, 0640u);
            QVERIFY(hostname->mtime > 1700000000);
            QCOMPARE(read.data.at("etc/hostname"), m_text);
            const auto* empty = find(read, "etc/empty");
            QVERIFY(empty);
            QCOMPARE(empty->size, std::uint64_t{0});
            QVERIFY(!read.data.count("etc/empty"));
            const auto* link = find(read, "etc/name-link");
            QVERIFY(link);
            QCOMPARE(int(link->type), int(TarEntry::Type::Symlink));
            QCOMPARE(link->linkTarget, std::string("hostname"));
            const auto* dir = find(read, m_longDir);
            QVERIFY(dir);
            QCOMPARE(int(dir->type), int(TarEntry::Type::Directory));
            const auto* longFile = find(read, m_longFile);
            QVERIFY2(longFile, "the long name is read from its extended record");
            QCOMPARE(read.data.at(m_longFile), std::string("long"));
            QCOMPARE(read.entries.size(), std::size_t{8}); // ., etc, the two long dirs, four files
        }
    }

    void ustarPrefix()
    {
        // --format=ustar splits a long path into prefix and name; the file name alone must fit.
        const std::string root = m_dir.filePath("tree").toStdString();
        std::ofstream(root + "/" + m_longDir + "/short") << "s";
        const auto tar = makeTar("ustar", QString::fromStdString(m_longDir + "/short"));
        QVERIFY(!tar.empty());
        const auto read = readInPieces(tar, 4096);
        QVERIFY(read.status);
        QVERIFY(find(read, m_longDir + "/short"));
        QCOMPARE(read.data.at(m_longDir + "/short"), std::string("s"));
        QFile::remove(QString::fromStdString(root + "/" + m_longDir + "/short"));
    }

    void damagedAndCutStreams()
    {
        auto tar = makeTar("pax");
        QVERIFY(!tar.empty());
        auto cut = readInPieces(tar.substr(0, 512 * 3 + 100), 512);
        QVERIFY(!cut.status);
        QVERIFY(cut.status.error().message.find("ended inside a member") != std::string::npos);

        tar[101] ^= 0x20; // inside the first header's mode
        auto damaged = readInPieces(tar, 1000);
        QVERIFY(!damaged.status);
        QVERIFY(damaged.status.error().message.find("checksum") != std::string::npos);

        const auto html = readInPieces("<html>" + std::string(600, ' ') + "</html>", 64);
        QVERIFY(!html.status);

        // An empty archive (two zero blocks) has no members, and is whole.
        const auto none = readInPieces(std::string(1024, '\0'), 100);
        QVERIFY(none.status);
        QVERIFY(none.entries.empty());
    }
};

QTEST_GUILESS_MAIN(TestTarReader)
#include "tst_tarreader.moc"
