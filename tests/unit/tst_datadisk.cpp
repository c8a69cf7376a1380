// The guest's data-disk check (vm-image/rootfs/usr/lib/berth/data-disk), run on the host against
// disk images with the host's e2fsprogs: a blank disk is formatted, a damaged one repaired (also
// from a backup superblock that still asks for a journal replay, as after an online resize),
// and one nothing can read is left byte for byte as it was. tst_recovery does the same in the VM.
#include <QCryptographicHash>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kGuestLib = BERTH_SOURCE_DIR "/vm-image/rootfs/usr/lib/berth";
constexpr qint64 kDiskBytes = 9LL << 30;
constexpr qint64 kBlock = 4096;

struct Check
{
    int exitCode = -1;
    QString reports; // the report lines (notices) the script sent
    QString error;   // data_disk_error
};

// CRC-32C (Castagnoli), as ext4's metadata_csum uses it (seed ~0, no final inversion).
quint32 crc32c(const QByteArray& data, quint32 crc = 0xffffffffu)
{
    for (const char byte : data) {
        crc ^= static_cast<quint8>(byte);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
    }
    return crc;
}

} // namespace

class TestDataDisk final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString disk() const { return m_dir.filePath("data.img"); }

    Check check() const
    {
        // common.sh's report writes to the guest's virtio port; here it prints.
        const QString script = QString(". '%1/common.sh'\n"
                                       "report() { echo \"REPORT $*\"; }\n"
                                       ". '%1/data-disk'\n"
                                       "check_data_disk \"$1\"; rc=$?\n"
                                       "echo \"ERROR $data_disk_error\"\n"
                                       "exit $rc\n")
                                   .arg(kGuestLib);
        QProcess sh;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("PATH", "/usr/sbin:/sbin:" + env.value("PATH"));
        env.insert("BERTH_CONSOLE", m_dir.filePath("console.log"));
        env.insert("BERTH_E2FSCK_LOG", m_dir.filePath("e2fsck.log"));
        sh.setProcessEnvironment(env);
        sh.start("sh", {"-c", script, "check", disk()});
        Check result;
        if (!sh.waitForFinished(120000))
            return result;
        result.exitCode = sh.exitCode();
        for (const auto& line : QString::fromUtf8(sh.readAllStandardOutput()).split('\n')) {
            if (line.startsWith("REPORT "))
                result.reports += line.mid(7) + "\n";
            else if (line.startsWith("ERROR "))
                result.error = line.mid(6);
        }
        return result;
    }

    static QByteArray run(const QString& program, const QStringList& args)
    {
        QProcess p;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("PATH", "/usr/sbin:/sbin:" + env.value("PATH"));
        p.setProcessEnvironment(env);
        p.start(program, args);
        p.waitForFinished(60000);
        return p.exitCode() == 0 ? p.readAllStandardOutput() : QByteArray("FAILED: " + p.readAllStandardError());
    }

    bool overwrite(qint64 offset, const QByteArray& bytes) const
    {
        QFile file(disk());
        return file.open(QIODevice::ReadWrite) && file.seek(offset) && file.write(bytes) == bytes.size();
    }

    QByteArray read(qint64 offset, qint64 size) const
    {
        QFile file(disk());
        return file.open(QIODevice::ReadOnly) && file.seek(offset) ? file.read(size) : QByteArray();
    }

    // A filesystem made by the check itself, holding /kept with `text`.
    bool formattedWith(const QByteArray& text)
    {
        QFile::remove(disk());
        QFile file(disk());
        if (!file.open(QIODevice::WriteOnly) || !file.resize(kDiskBytes))
            return false;
        file.close();
        if (check().exitCode != 0)
            return false;
        QFile source(m_dir.filePath("kept"));
        if (!source.open(QIODevice::WriteOnly) || source.write(text) != text.size())
            return false;
        source.close();
        return !run("debugfs", {"-w", "-R", "write " + source.fileName() + " kept", disk()}).startsWith("FAILED");
    }

    QByteArray keptFile() const { return run("debugfs", {"-R", "cat /kept", disk()}); }

    // Sets needs_recovery in the backup superblock at block `block` (and its checksum), as the
    // guest kernel leaves backups written by an online resize.
    bool markNeedsRecovery(qint64 block) const
    {
        auto sb = read(block * kBlock, 1024);
        if (sb.size() != 1024 || static_cast<quint8>(sb[0x38]) != 0x53 || static_cast<quint8>(sb[0x39]) != 0xef)
            return false;
        sb[0x60] = static_cast<char>(static_cast<quint8>(sb[0x60]) | 0x04); // INCOMPAT_RECOVER
        const quint32 sum = crc32c(sb.left(0x3fc));
        for (int i = 0; i < 4; ++i)
            sb[0x3fc + i] = static_cast<char>((sum >> (8 * i)) & 0xff);
        return overwrite(block * kBlock, sb);
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void blankDiskIsFormattedOnce()
    {
        QVERIFY(formattedWith("first\n"));
        QVERIFY(run("dumpe2fs", {"-h", disk()}).contains("berth-data"));
        // A second check of a clean filesystem changes nothing and says nothing.
        const auto again = check();
        QCOMPARE(again.exitCode, 0);
        QCOMPARE(again.reports, QString());
        QCOMPARE(keptFile(), QByteArray("first\n"));
    }

    void damagedSuperblockIsRepairedFromABackup()
    {
        QVERIFY(formattedWith("precious\n"));
        QVERIFY(overwrite(1024, QByteArray(1024, '\0')));
        const auto result = check();
        QVERIFY2(result.exitCode == 0, qPrintable(result.error));
        QVERIFY2(result.reports.contains("rebuilt it from the backup at block 32768"), qPrintable(result.reports));
        QCOMPARE(keptFile(), QByteArray("precious\n"));
    }

    // e2fsck -b replays the journal, then stops when it reopens from a backup that still asks
    // for it; the check finishes from the rebuilt primary instead of trying older backups.
    void backupAskingForAJournalReplayStillRepairs()
    {
        QVERIFY(formattedWith("after a resize\n"));
        for (const qint64 block : {32768, 98304, 163840, 229376, 294912})
            QVERIFY(markNeedsRecovery(block));
        QVERIFY(overwrite(1024, QByteArray(1024, '\0')));
        const auto result = check();
        QVERIFY2(result.exitCode == 0, qPrintable(result.error));
        QVERIFY2(result.reports.contains("backup at block 32768"), qPrintable(result.reports));
        QCOMPARE(keptFile(), QByteArray("after a resize\n"));
        QVERIFY(!run("e2fsck", {"-fn", disk()}).startsWith("FAILED"));
    }

    void unreadableDiskIsLeftUntouched()
    {
        QFile::remove(disk());
        QFile file(disk());
        QVERIFY(file.open(QIODevice::WriteOnly));
        QByteArray garbage(64 * 1024, '\0');
        for (int i = 0; i < garbage.size(); ++i)
            garbage[i] = static_cast<char>((i * 131 + 7) & 0xff);
        QCOMPARE(file.write(garbage), static_cast<qint64>(garbage.size()));
        QVERIFY(file.resize(kDiskBytes));
        file.close();
        const auto before = QCryptographicHash::hash(read(0, 16 << 20), QCryptographicHash::Sha256);
        const auto result = check();
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.error.contains("no ext4 filesystem") && result.error.contains("did not change the disk"),
                 qPrintable(result.error));
        QCOMPARE(QCryptographicHash::hash(read(0, 16 << 20), QCryptographicHash::Sha256), before);
        QCOMPARE(QFile(disk()).size(), kDiskBytes);
    }
};

QTEST_GUILESS_MAIN(TestDataDisk)
#include "tst_datadisk.moc"
