#include "berth/vm/BootChannel.h"

#include <QFile>
#include <QFileInfo>
#include <QLocalSocket>
#include <QTemporaryDir>
#include <QTest>
#include <sys/stat.h>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>

using berth::vm::BootChannel;
using berth::vm::BootEvent;

class TestBootChannel final : public QObject
{
    Q_OBJECT

private:
    static std::optional<BootEvent> parse(const char* line)
    {
        return BootEvent::parse(line, std::chrono::steady_clock::now());
    }

private slots:
    void parsesReports()
    {
        auto e = parse("phase initramfs 3.49");
        QVERIFY(e);
        QCOMPARE(e->kind, BootEvent::Kind::Phase);
        QCOMPARE(e->name, std::string("initramfs"));
        QCOMPARE(e->guestUptime, 3.49);

        e = parse("ready 20.56\r");
        QVERIFY(e);
        QCOMPARE(e->kind, BootEvent::Kind::Ready);
        QCOMPARE(e->guestUptime, 20.56);

        e = parse("error the data disk has errors e2fsck -p could not repair (exit 4)");
        QVERIFY(e);
        QCOMPARE(e->kind, BootEvent::Kind::Error);
        QCOMPARE(e->message, std::string("the data disk has errors e2fsck -p could not repair (exit 4)"));

        e = parse("notice The data disk is full (12 MiB free of 8000 MiB).");
        QVERIFY(e);
        QCOMPARE(e->kind, BootEvent::Kind::Notice);
        QCOMPARE(e->message, std::string("The data disk is full (12 MiB free of 8000 MiB)."));

        e = parse("engine down 81.20");
        QVERIFY(e);
        QCOMPARE(e->kind, BootEvent::Kind::EngineDown);
        QCOMPARE(e->guestUptime, 81.2);
        e = parse("engine up 88.03");
        QVERIFY(e);
        QCOMPARE(e->kind, BootEvent::Kind::EngineUp);

        // A byte that is not UTF-8 would make the agent's status JSON unwritable.
        e = parse("error disk \xff full");
        QVERIFY(e);
        QCOMPARE(e->message, std::string("disk \xEF\xBF\xBD full"));
    }

    void ignoresNonReports_data()
    {
        QTest::addColumn<QString>("line");
        for (const char* bad : {"", "phase", "phase init", "phase init x", "phase init -1", "ready", "ready soon",
                                "hello world", "[    2.57] kernel says", "phase init 1.5.2", "engine", "engine down",
                                "engine sideways 3.0", "engine up -2", "phase x nan", "ready inf"})
            QTest::newRow(bad) << QString::fromLatin1(bad);
    }
    void ignoresNonReports()
    {
        QFETCH(QString, line);
        QVERIFY(!parse(line.toUtf8().constData()));
    }

    // A real socket: lines arrive split across writes and in one write; order is kept; the
    // channel reports the peer closing.
    void deliversLinesInOrder()
    {
        QTemporaryDir dir;
        const auto path = dir.filePath("boot.sock").toStdString();
        boost::asio::io_context io;
        auto channel = BootChannel::listen(io, path);
        QVERIFY(channel.ok());
        QFileInfo info(QString::fromStdString(path));
        QVERIFY(info.exists());
        struct stat st{};
        QCOMPARE(::stat(path.c_str(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0600u);

        std::vector<BootEvent> events;
        bool closed = false;
        channel.value()->start([&](const BootEvent& e) { events.push_back(e); }, [&] { closed = true; });

        boost::asio::local::stream_protocol::socket client(io);
        client.connect(path);
        const auto send = [&](const std::string& bytes) {
            boost::asio::write(client, boost::asio::buffer(bytes));
            io.run_for(std::chrono::milliseconds(50));
        };
        send("phase init");
        QCOMPARE(events.size(), size_t(0));
        send("ramfs 1.25\nnoise line\nphase init 2.0\n");
        send("ready 9.5\n");
        QCOMPARE(events.size(), size_t(3));
        QCOMPARE(events[0].name, std::string("initramfs"));
        QCOMPARE(events[1].name, std::string("init"));
        QCOMPARE(events[2].kind, BootEvent::Kind::Ready);
        QVERIFY(!closed);
        client.close();
        io.run_for(std::chrono::milliseconds(100));
        QVERIFY(closed);

        channel.value().reset();
        QVERIFY(!QFile::exists(QString::fromStdString(path))); // no stale socket left behind
    }

    void replacesStaleSocketButNotOtherFiles()
    {
        QTemporaryDir dir;
        const auto path = dir.filePath("boot.sock").toStdString();
        boost::asio::io_context io;
        {
            // A socket file left by a process that died without cleaning up.
            boost::asio::local::stream_protocol::acceptor stale(io, path);
            stale.release();
        }
        QVERIFY(QFile::exists(QString::fromStdString(path)));
        QVERIFY(BootChannel::listen(io, path).ok());

        const auto file = dir.filePath("regular").toStdString();
        QFile f(QString::fromStdString(file));
        f.open(QIODevice::WriteOnly);
        f.write("keep me");
        f.close();
        const auto refused = BootChannel::listen(io, file);
        QVERIFY(!refused.ok());
        QVERIFY(QString::fromStdString(refused.error().message).contains("not a socket"));
        QCOMPARE(QFileInfo(QString::fromStdString(file)).size(), 7);
    }
};

QTEST_GUILESS_MAIN(TestBootChannel)
#include "tst_bootchannel.moc"
