// The agent's control API: the message format both ways, and a real agent serving it on its
// Unix socket (with an image folder that does not exist, so it fails in its first phase
// without booting anything): status, watch events through to the error, a bad request, the
// socket removed at the end and the last status kept on disk.
#include "berth/vm/Agent.h"
#include "berth/vm/ControlClient.h"
#include "berth/vm/ControlProtocol.h"
#include "berth/vm/InstanceLock.h"
#include "berth/vm/QemuDriver.h"

#include <QTemporaryDir>
#include <QTest>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <filesystem>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

using namespace berth::vm;
using nlohmann::json;

class TestControlProtocol final : public QObject
{
    Q_OBJECT

private slots:
    void requestsRoundTrip()
    {
        for (const auto r : {control::Request::Status, control::Request::Watch, control::Request::Stop,
                             control::Request::Disk}) {
            const auto parsed = control::parseRequest(json::parse(control::encode(r).dump()));
            QVERIFY(parsed.ok());
            QVERIFY(parsed.value() == r);
        }
    }

    void badRequestsAreNamed_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not an object") << "[1]" << "JSON object";
        QTest::newRow("no request") << R"({"req":"status"})" << "field 'request'";
        QTest::newRow("wrong type") << R"({"request":5})" << "field 'request'";
        QTest::newRow("unknown") << R"({"request":"reboot"})" << "unknown request 'reboot'; known: status, watch, stop, disk";
    }

    void badRequestsAreNamed()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const auto parsed = control::parseRequest(json::parse(text.toStdString()));
        QVERIFY(!parsed.ok());
        QVERIFY2(QString::fromStdString(parsed.error().message).contains(expected), parsed.error().message.c_str());
    }

    void statusRoundTripsWithEveryField()
    {
        AgentStatus s;
        s.instance = "default";
        s.state = EngineState::Starting;
        s.phase = "data-disk";
        s.accelerator = "tcg";
        s.acceleratorReason = "forced";
        s.pid = 42;
        s.vmPid = 43;
        s.cpus = 2;
        s.memoryMiB = 2048;
        s.diskGiB = 64;
        s.sshPort = 2222;
        s.consoleTail = {"a", "b"};
        s.phases = {{"prepare", 0.0, -1}, {"data-disk", 6.5, 3.25}};
        const auto message = control::parseMessage(json::parse(control::statusMessage(s, true).dump()));
        QVERIFY(message.ok());
        QVERIFY(message->type == control::Message::Type::Event);
        const auto& back = message->status;
        QCOMPARE(back.toJson().dump(), s.toJson().dump());
        // The fields `berth status --json` promises.
        for (const char* field : {"state", "phase", "accelerator", "accelerator_reason", "docker_host", "pid",
                                  "uptime_s", "cpus", "memory_mib", "last_error"})
            QVERIFY2(s.toJson().contains(field), field);
    }

    void badMessagesAreRefused()
    {
        QVERIFY(!control::parseMessage(json::parse(R"({"type":"status"})")).ok());
        QVERIFY(!control::parseMessage(json::parse(R"({"type":"event","status":{"state":"dancing"}})")).ok());
        QVERIFY(!control::parseMessage(json::parse(R"({"type":"accepted"})")).ok());
        QVERIFY(!control::parseMessage(json::parse(R"({"type":"hello"})")).ok());
        QVERIFY(!control::parseMessage(json::parse(R"({"type":"disk","used_bytes":1})")).ok());
        QVERIFY(!control::parseMessage(json::parse(R"({"type":"disk","used_bytes":-1,"size_bytes":2})")).ok());
        const auto disk = control::parseMessage(control::diskMessage({1234, 1ULL << 36}));
        QVERIFY(disk.ok() && disk->type == control::Message::Type::Disk);
        QCOMPARE(disk->disk.usedBytes, std::uint64_t{1234});
        QCOMPARE(disk->disk.sizeBytes, std::uint64_t{1} << 36);
        const auto error = control::parseMessage(control::errorMessage("no"));
        QVERIFY(error.ok() && error->type == control::Message::Type::Error && error->message == "no");
    }

    void agentServesItsControlSocket()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto instance = Instance::open(dir.filePath("home").toStdString(), "default");
        QVERIFY(instance.ok());
        auto lock = InstanceLock::tryAcquire(instance.value());
        QVERIFY(lock.ok() && lock->has_value());
        // A second lock on the same instance is refused while the first is held.
        QVERIFY(InstanceLock::held(instance.value()));

        boost::asio::io_context io;
        AgentOptions options;
        options.imageDir = dir.filePath("no-such-image").toStdString();
        auto agent = Agent::create(io, instance.value(), std::move(lock->value()), options,
                                   std::make_unique<QemuDriver>(io));
        QVERIFY2(agent.ok(), agent.ok() ? "" : agent.error().message.c_str());
        std::thread loop([&io]() {
            auto work = boost::asio::make_work_guard(io);
            io.run_for(std::chrono::seconds(30));
        });

        auto client = ControlClient::connect(instance->controlSocket());
        QVERIFY(client.ok());
        const auto first = client->status(std::chrono::seconds(5));
        QVERIFY(first.ok());
        QVERIFY(first->state == EngineState::Stopped);
        // No engine, no disk to measure: said, and the connection stays usable.
        const auto disk = client->disk(std::chrono::seconds(5));
        QVERIFY(!disk.ok());
        QVERIFY2(disk.error().message.find("the engine is not running") != std::string::npos, disk.error().message.c_str());

        // A line that is not a request gets an error, and the connection stays usable.
        {
            const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
            sockaddr_un address{};
            address.sun_family = AF_UNIX;
            std::strncpy(address.sun_path, instance->controlSocket().c_str(), sizeof address.sun_path - 1);
            QCOMPARE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
            const std::string bad = "{\"request\":\"dance\"}\n";
            QCOMPARE(::write(fd, bad.data(), bad.size()), static_cast<ssize_t>(bad.size()));
            char reply[512] = {};
            QVERIFY(::read(fd, reply, sizeof reply - 1) > 0);
            QVERIFY2(std::string(reply).find("unknown request 'dance'") != std::string::npos, reply);
            ::close(fd);
        }

        QVERIFY(client->watch().ok());
        const auto deadline = ControlClient::Clock::now() + std::chrono::seconds(10);
        auto current = client->next(deadline);
        QVERIFY(current.ok() && current->type == control::Message::Type::Event);
        QVERIFY(current->status.state == EngineState::Stopped);

        boost::asio::post(io, [&agent]() { agent.value()->start(); });
        std::vector<EngineState> seen;
        std::string lastError;
        while (auto m = client->next(deadline)) {
            seen.push_back(m->status.state);
            lastError = m->status.lastError;
        }
        QVERIFY(client->agentGone()); // the agent closed the connection after its last event
        QVERIFY(seen.size() >= 2);
        QVERIFY(seen.front() == EngineState::Starting);
        QVERIFY(seen.back() == EngineState::Error);
        QVERIFY2(lastError.find("no-such-image") != std::string::npos, lastError.c_str());
        QVERIFY(!std::filesystem::exists(instance->controlSocket()));

        io.stop();
        loop.join();
        agent.value().reset();
        // With no agent, the last status comes from disk.
        const auto recorded = lastRecordedStatus(instance.value());
        QVERIFY(recorded.state == EngineState::Error);
        QCOMPARE(recorded.lastError, lastError);
        QVERIFY(!ControlClient::connect(instance->controlSocket()).ok());
    }
};

QTEST_GUILESS_MAIN(TestControlProtocol)
#include "tst_controlprotocol.moc"
