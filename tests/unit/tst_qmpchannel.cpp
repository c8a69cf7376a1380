#include "berth/vm/QmpChannel.h"

#include <chrono>
#include <optional>
#include <signal.h>

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

using berth::vm::QmpChannel;
using berth::vm::Result;
using nlohmann::json;
namespace asio = boost::asio;
using namespace std::chrono_literals;

// The agent's asynchronous QMP connection, against a real QEMU with no machine (-machine none):
// it starts in milliseconds and connects to the channel as a chardev client, as the agent's VM
// does.
class TestQmpChannel final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QProcess m_qemu;
    asio::io_context m_io;
    std::unique_ptr<QmpChannel> m_channel;

    // Runs the io_context until `done` or `limit`; false on the limit.
    bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s)
    {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (!done() && std::chrono::steady_clock::now() < end) {
            m_io.restart();
            m_io.run_for(20ms);
        }
        return done();
    }

    Result<json> call(const std::string& command, json arguments = nullptr, std::chrono::milliseconds timeout = 5s)
    {
        std::optional<Result<json>> got;
        m_channel->execute(command, std::move(arguments), [&got](Result<json> r) { got = std::move(r); }, timeout);
        if (!runUntil([&got] { return got.has_value(); }, timeout + 5s))
            return berth::vm::Error{"no reply at all"};
        return std::move(*got);
    }

    // Negotiated, then QEMU stopped (SIGSTOP) with one command sent that it cannot answer; the
    // reply will land in `owed`.
    bool oweOneToAStoppedQemu(std::optional<Result<json>>& owed)
    {
        m_channel->start({});
        if (!call("query-status").ok() || ::kill(static_cast<pid_t>(m_qemu.processId()), SIGSTOP) != 0)
            return false;
        m_channel->execute("query-version", nullptr, [&owed](Result<json> r) { owed = r; });
        return true;
    }

private slots:
    void init()
    {
        const auto socket = m_dir.filePath(QString(QTest::currentTestFunction()) + ".sock");
        auto channel = QmpChannel::listen(m_io, socket.toStdString());
        QVERIFY2(channel.ok(), channel.ok() ? "" : channel.error().message.c_str());
        m_channel = std::move(channel).value();
        QVERIFY(!(QFile::permissions(socket) & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteOther)));
        // Queued before QEMU even runs: sent once it has connected and greeted.
        m_qemu.start("qemu-system-x86_64", {"-machine", "none", "-nodefaults", "-display", "none", "-S", "-chardev",
                                            "socket,id=monitor,path=" + socket, "-mon", "chardev=monitor,mode=control"});
        QVERIFY(m_qemu.waitForStarted());
    }

    void cleanup()
    {
        m_channel.reset();
        if (m_qemu.state() != QProcess::NotRunning) {
            ::kill(static_cast<pid_t>(m_qemu.processId()), SIGCONT);
            m_qemu.kill();
            m_qemu.waitForFinished();
        }
        m_io.restart();
        m_io.poll();
    }

    void commandsQueuedBeforeQemuConnectsAreAnsweredInTurn()
    {
        std::vector<std::string> order;
        std::optional<Result<json>> status, refused, version;
        m_channel->execute("query-status", nullptr, [&](Result<json> r) { order.push_back("status"); status = r; });
        m_channel->execute("no-such-command", nullptr, [&](Result<json> r) { order.push_back("refused"); refused = r; });
        m_channel->execute("query-version", nullptr, [&](Result<json> r) { order.push_back("version"); version = r; });
        QVERIFY(!m_channel->ready());
        m_channel->start({});
        QVERIFY(runUntil([&] { return order.size() == 3; }));
        QVERIFY(m_channel->ready());
        QCOMPARE(order, (std::vector<std::string>{"status", "refused", "version"}));
        QVERIFY(status->ok());
        QCOMPARE(status->value().value("running", true), false); // -S
        QVERIFY(!refused->ok());
        QVERIFY2(refused->error().message.find("no-such-command") != std::string::npos, refused->error().message.c_str());
        QVERIFY(version->ok());
        QVERIFY(version->value()["qemu"]["major"].get<int>() >= 7);
        // A port forward as the agent adds one, through the human monitor.
        const auto added = call("human-monitor-command", {{"command-line", "hostfwd_add tcp:127.0.0.1:0-:80"}});
        QVERIFY(added.ok());
    }

    void eventsArriveAndAReplyNeverComesInsideTheCall()
    {
        QStringList events;
        m_channel->start([&events](const json& e) { events << QString::fromStdString(e.value("event", "")); });
        bool replied = false;
        m_channel->execute("cont", nullptr, [&replied](Result<json>) { replied = true; });
        QVERIFY(!replied);
        QVERIFY(runUntil([&] { return replied && events.contains("RESUME"); }));
        QVERIFY(call("stop").ok());
        QVERIFY(runUntil([&] { return events.contains("STOP"); }));
    }

    // A QEMU that does not answer (stopped with SIGSTOP, as a host under load can starve it) costs
    // the caller nothing but its own reply: the io_context goes on running everything else, the
    // reply is an error at the deadline, and QEMU's late answer is not taken for the next command.
    void aSilentQemuTimesOutWithoutStallingTheLoop()
    {
        m_channel->start({});
        QVERIFY(call("query-status").ok());
        QCOMPARE(::kill(static_cast<pid_t>(m_qemu.processId()), SIGSTOP), 0);
        int ticks = 0;
        asio::steady_timer ticker(m_io);
        std::function<void()> tick = [&] {
            ticker.expires_after(10ms);
            ticker.async_wait([&](boost::system::error_code ec) {
                if (!ec) {
                    ++ticks;
                    tick();
                }
            });
        };
        tick();
        const auto before = std::chrono::steady_clock::now();
        const auto late = call("query-version", nullptr, 700ms);
        const auto waited = std::chrono::steady_clock::now() - before;
        ticker.cancel();
        QVERIFY(!late.ok());
        QVERIFY2(late.error().message.find("did not answer query-version within 700 ms") != std::string::npos,
                 late.error().message.c_str());
        QVERIFY2(waited < 3s, "the reply waited far past its deadline");
        QVERIFY2(ticks >= 20, qPrintable(QString("the loop ran its timer only %1 times in 700 ms").arg(ticks)));
        QCOMPARE(::kill(static_cast<pid_t>(m_qemu.processId()), SIGCONT), 0);
        const auto status = call("query-status");
        QVERIFY2(status.ok(), status.ok() ? "" : status.error().message.c_str());
        QVERIFY(status->contains("status")); // query-status's own answer, not query-version's late one
    }

    void qemuEndingFailsWhatIsOwedAndWhatComesAfter()
    {
        std::optional<Result<json>> owed;
        QVERIFY(oweOneToAStoppedQemu(owed));
        m_qemu.kill();
        ::kill(static_cast<pid_t>(m_qemu.processId()), SIGCONT);
        QVERIFY(runUntil([&] { return owed.has_value(); }));
        QVERIFY(!owed->ok());
        QVERIFY2(owed->error().message.find("closed its monitor") != std::string::npos, owed->error().message.c_str());
        QVERIFY(!m_channel->ready());
        const auto after = call("query-status");
        QVERIFY(!after.ok());
        QVERIFY2(after.error().message.find("closed its monitor") != std::string::npos, after.error().message.c_str());
    }

    void destroyingTheChannelAnswersWhatIsOwed()
    {
        std::optional<Result<json>> owed;
        QVERIFY(oweOneToAStoppedQemu(owed));
        const auto path = m_dir.filePath("destroyingTheChannelAnswersWhatIsOwed.sock");
        QVERIFY(QFile::exists(path));
        m_channel.reset();
        QVERIFY(!owed.has_value()); // posted, not called inside the destructor
        QVERIFY(!QFile::exists(path));
        QVERIFY(runUntil([&] { return owed.has_value(); }));
        QVERIFY(!owed->ok());
        QVERIFY2(owed->error().message.find("the VM stopped") != std::string::npos, owed->error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestQmpChannel)
#include "tst_qmpchannel.moc"
