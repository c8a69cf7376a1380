// engine::Client delivers each result to the caller's callback once, outside any try of its own:
// an exception thrown by a callback leaves io_context::run() and the operation calls nothing
// after it (before, the events, pull and stats streams caught it and called their end callback
// a second time with a "malformed answer" error, and wait swallowed it). The engine is a
// CannedEngine answering with the captures in captures/.
#include "CannedEngine.h"
#include "berth/engine/Client.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <optional>
#include <stdexcept>

using namespace berth::engine;
using berth::test::CannedEngine;

namespace {

std::string capture(const char* name)
{
    QFile file(QString(BERTH_CAPTURES_DIR) + "/" + name + ".http");
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing capture %s", qPrintable(file.fileName()));
    return file.readAll().toStdString();
}

struct Thrown : std::runtime_error
{
    Thrown() : std::runtime_error("thrown by the test's callback") {}
};

// Runs `io` until `until` holds or 10 s pass; the message of an exception a handler threw.
std::optional<std::string> runUntil(boost::asio::io_context& io, const std::function<bool()>& until)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    io.restart();
    try {
        while (!until() && std::chrono::steady_clock::now() < deadline)
            io.run_one_for(std::chrono::milliseconds(100));
    } catch (const Thrown& e) {
        return std::string(e.what());
    }
    return std::nullopt;
}

// Lets anything still pending run (a stream's header timer is 1 s here), so that a callback
// called after the exception would show.
void settle(boost::asio::io_context& io)
{
    io.restart();
    io.run_for(std::chrono::milliseconds(1500));
}

} // namespace

class TestClientCallbacks final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<boost::asio::io_context> m_io;
    std::unique_ptr<CannedEngine> m_engine;

    Client::Options options(ApiVersion version = ApiVersion{1, 45})
    {
        return Client::Options{.endpoint = Endpoint::unixSocket(m_engine->socket()),
                               .apiVersion = version,
                               .requestTimeout = std::chrono::seconds(1),
                               .streamHeaderTimeout = std::chrono::seconds(1)};
    }

private slots:
    void init()
    {
        m_io = std::make_unique<boost::asio::io_context>();
        m_engine = std::make_unique<CannedEngine>(*m_io, m_dir.filePath("engine.sock").toStdString());
    }

    void cleanup()
    {
        m_engine.reset();
        m_io.reset();
    }

    void eventsArriveThenEndOnce()
    {
        m_engine->answer("/events", capture("events"));
        Client client(*m_io, options());
        std::vector<std::string> actions;
        int ends = 0;
        std::optional<Status> end;
        client.events({}, [&](const Event& e) { actions.push_back(e.action); },
                      [&](Status status) {
                          ++ends;
                          end = status;
                      });
        QVERIFY(!runUntil(*m_io, [&] { return ends > 0; }));
        settle(*m_io);
        QCOMPARE(ends, 1);
        QVERIFY2(end->ok(), end->ok() ? "" : end->error().message.c_str());
        QCOMPARE(actions, (std::vector<std::string>{"create", "attach", "start", "die", "destroy"}));
    }

    void throwingEventCallbackStopsTheStream()
    {
        m_engine->answer("/events", capture("events"));
        Client client(*m_io, options());
        int events = 0, ends = 0;
        auto operation = client.events(
            {},
            [&](const Event&) {
                ++events;
                throw Thrown();
            },
            [&](Status) { ++ends; });
        const auto thrown = runUntil(*m_io, [&] { return ends > 0; });
        QVERIFY2(thrown, "the callback's exception did not leave io_context::run()");
        settle(*m_io);
        QCOMPARE(events, 1);
        QCOMPARE(ends, 0);
        QVERIFY(!operation.active());
    }

    void throwingProgressCallbackStopsThePull()
    {
        m_engine->answer("/images/create", capture("pull-progress"));
        Client client(*m_io, options());
        int lines = 0, ends = 0;
        PullOptions pull;
        pull.image = "10.0.2.2:5000/capture/blob:v1";
        client.pullImage(
            pull,
            [&](const ProgressMessage&) {
                ++lines;
                throw Thrown();
            },
            [&](Status) { ++ends; });
        QVERIFY(runUntil(*m_io, [&] { return ends > 0; }));
        settle(*m_io);
        QCOMPARE(lines, 1);
        QCOMPARE(ends, 0);
    }

    void throwingStatsCallbackStopsTheStream()
    {
        m_engine->answer("/containers/busy/stats", capture("stats-stream"));
        Client client(*m_io, options());
        int samples = 0, ends = 0;
        client.stats(
            "busy", true,
            [&](const Stats&) {
                ++samples;
                throw Thrown();
            },
            [&](Status) { ++ends; });
        QVERIFY(runUntil(*m_io, [&] { return ends > 0; }));
        settle(*m_io);
        QCOMPARE(samples, 1);
        QCOMPARE(ends, 0);
    }

    void throwingWaitCallbackIsCalledOnce()
    {
        const std::string body = "{\"Error\":null,\"StatusCode\":3}\n";
        m_engine->answer("/containers/done/wait",
                         "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
        Client client(*m_io, options());
        int calls = 0;
        std::optional<int> code;
        client.waitContainer("done", "", [&](Result<int> result) {
            ++calls;
            if (result)
                code = *result;
            throw Thrown();
        });
        QVERIFY2(runUntil(*m_io, [&] { return calls > 0; }),
                 "the callback's exception did not leave io_context::run()");
        settle(*m_io);
        QCOMPARE(calls, 1);
        QCOMPARE(code, std::optional<int>(3));
    }

    void throwingLogsCallbackOnAnOldEngineStopsTheLogs()
    {
        // Before API 1.42 the container is inspected first to learn whether it has a TTY.
        m_engine->answer("/containers/plain/json", capture("container-inspect"));
        m_engine->answer("/containers/plain/logs", capture("logs-multiplexed"));
        Client client(*m_io, options(ApiVersion{1, 41}));
        int pieces = 0, ends = 0;
        client.logs(
            "plain", {},
            [&](StreamKind, std::string_view) {
                ++pieces;
                throw Thrown();
            },
            [&](Status) { ++ends; });
        QVERIFY(runUntil(*m_io, [&] { return ends > 0; }));
        settle(*m_io);
        QCOMPARE(pieces, 1);
        QCOMPARE(ends, 0);
        QCOMPARE(m_engine->requests().size(), std::size_t(2));
    }
};

QTEST_GUILESS_MAIN(TestClientCallbacks)
#include "tst_clientcallbacks.moc"
