// engine::Client against the real engine in the real guest, through the forwarded socket: every
// operation once, streams checked byte for byte, hijacked exec and attach with stdin EOF, pull
// and push through a local registry, events in order, typed errors, and cancellation that frees
// the connection. One VM for the whole file.
#include "EngineVm.h"
#include "berth/engine/Client.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QTest>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>

using namespace berth::engine;
using berth::test::await;
using berth::test::EngineVm;
using berth::test::runUntil;

namespace {

// Compares strings and prints both when they differ.
#define COMPARE_STR(actual, expected)                                                                        \
    QCOMPARE(QByteArray::fromStdString(actual), QByteArray::fromStdString(expected))
// The result is an HTTP 404 from the engine.
#define VERIFY_NOT_FOUND(result)                                                                             \
    do {                                                                                                     \
        const auto& r_ = (result);                                                                           \
        QVERIFY2(!r_.ok(), "it still exists");                                                               \
        QVERIFY2(r_.error().notFound(), r_.error().message.c_str());                                         \
    } while (false)
// Evaluates `result` once (it is often the operation itself).
#define VERIFY_OK(result)                                                                                    \
    do {                                                                                                     \
        const auto& r_ = (result);                                                                           \
        QVERIFY2(r_.ok(), r_.ok() ? "" : r_.error().message.c_str());                                        \
    } while (false)

// What a logs or hijacked stream delivered: each stream's bytes, and the order of runs.
struct Output
{
    std::string out, err, raw;
    std::vector<std::pair<StreamKind, std::string>> runs; // consecutive pieces of one kind merged
    std::optional<Status> end;

    void add(StreamKind kind, std::string_view data)
    {
        (kind == StreamKind::Stdout ? out : kind == StreamKind::Stderr ? err : raw).append(data);
        if (runs.empty() || runs.back().first != kind)
            runs.emplace_back(kind, std::string());
        runs.back().second.append(data);
    }
    OutputSink sink()
    {
        return [this](StreamKind kind, std::string_view data) {
            add(kind, data);
        };
    }
};

std::string repeat(char c, int n)
{
    return std::string(static_cast<std::size_t>(n), c);
}

} // namespace

class TestEngineClient final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<EngineVm> m_engine;
    boost::asio::io_context m_io;
    std::unique_ptr<Client> m_client;

    template <typename T, typename Start> Result<T> run(Start start) { return await<T>(m_io, start); }
    Status runStatus(const std::function<Operation(Done)>& start) { return await<Ok>(m_io, start); }
    bool runFor(std::chrono::milliseconds time)
    {
        const auto until = std::chrono::steady_clock::now() + time;
        return runUntil(
            m_io, [until] { return std::chrono::steady_clock::now() >= until; }, time * 2);
    }

    std::string createContainer(ContainerSpec spec)
    {
        auto id = run<std::string>([&](auto cb) { return m_client->createContainer(spec, cb); });
        if (!id) {
            qWarning("create failed: %s", id.error().message.c_str());
            return {};
        }
        return *id;
    }
    // Creates, starts and waits for a container that runs `script` to its end.
    std::string runToEnd(const std::string& name, const std::string& script, bool tty)
    {
        ContainerSpec spec;
        spec.image = "bb:1";
        spec.name = name;
        spec.tty = tty;
        spec.cmd = {"sh", "-c", script};
        const auto id = createContainer(spec);
        if (id.empty()) {
            qWarning("runToEnd(%s): create failed", name.c_str());
            return {};
        }
        return startAndWait(id) ? id : std::string{};
    }
    // Starts a created container and waits for it to stop. The wait is asked for after the start
    // has returned, with "not-running": a "next-exit" wait sent beside the start can reach the
    // daemon after a short-lived container has already exited, and then never returns.
    bool startAndWait(const std::string& id)
    {
        const auto started = runStatus([&](Done cb) { return m_client->startContainer(id, cb); });
        if (!started) {
            qWarning("start of %s failed: %s", id.c_str(), started.error().message.c_str());
            return false;
        }
        auto waited = std::make_shared<std::optional<Result<int>>>();
        m_client->waitContainer(id, "not-running", [waited](Result<int> code) { *waited = std::move(code); });
        if (!runUntil(
                m_io, [&] { return waited->has_value(); }, std::chrono::minutes(2))) {
            qWarning("%s did not stop within 2 minutes", id.c_str());
            return false;
        }
        if (!**waited) {
            qWarning("wait for %s failed: %s", id.c_str(), (*waited)->error().message.c_str());
            return false;
        }
        return true;
    }
    Output collectLogs(const std::string& id, const LogsOptions& options, Client* client = nullptr)
    {
        Output output;
        (client ? client : m_client.get())->logs(id, options, output.sink(), [&output](Status s) {
            output.end = s;
        });
        runUntil(
            m_io, [&] { return output.end.has_value(); }, std::chrono::minutes(2));
        return output;
    }
    std::unique_ptr<Client> clientFor(const Endpoint& endpoint,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(120))
    {
        Client::Options options{.endpoint = endpoint, .apiVersion = {}, .requestTimeout = timeout};
        return std::make_unique<Client>(m_io, options);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        berth::test::keepIfAsked(m_dir);
        m_engine = std::make_unique<EngineVm>(m_dir.path(), EngineVm::Options{});
        const auto error = m_engine->start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_client = clientFor(m_engine->endpoint());
    }

    void cleanupTestCase()
    {
        m_client.reset();
        m_engine->stop();
        QVERIFY(!QFile::exists(m_engine->socketPath()));
    }

    void negotiatesAndReusesOneConnection()
    {
        const auto ping = run<PingInfo>([&](auto cb) { return m_client->ping(cb); });
        VERIFY_OK(ping);
        COMPARE_STR(ping->apiVersion, "1.45");
        COMPARE_STR(ping->osType, "linux");
        const auto version = run<SystemVersion>([&](auto cb) { return m_client->version(cb); });
        VERIFY_OK(version);
        QVERIFY2(version->version.starts_with("26.1.5"),
                 version->version.c_str()); // Debian's may carry a suffix
        COMPARE_STR(version->apiVersion, "1.45");
        COMPARE_STR(m_client->apiVersion()->toString(), "1.45");
        const auto info = run<SystemInfo>([&](auto cb) { return m_client->info(cb); });
        VERIFY_OK(info);
        QCOMPARE(info->serverVersion, version->version);
        QVERIFY(info->cpus >= 1);
        QVERIFY(info->memTotal > 0);
        // Ping, the negotiating ping, version and info all went over one kept-alive connection.
        QCOMPARE(m_client->idleConnections(), std::size_t(1));
        QCOMPARE(m_engine->forwarder().activeConnections(), std::size_t(1));
    }

    void reportsEveryKindOfError()
    {
        // Socket missing.
        auto missing = clientFor(Endpoint::unixSocket(m_dir.filePath("nothing-here.sock").toStdString()));
        auto ping = run<PingInfo>([&](auto cb) { return missing->ping(cb); });
        QVERIFY(!ping);
        QCOMPARE(ping.error().kind, ErrorKind::SocketMissing);
        QVERIFY2(ping.error().message.find("nothing-here.sock") != std::string::npos,
                 ping.error().message.c_str());

        // A socket left behind with nobody listening: unreachable.
        namespace local = boost::asio::local;
        const auto stale = m_dir.filePath("stale.sock").toStdString();
        {
            local::stream_protocol::acceptor acceptor(m_io, local::stream_protocol::endpoint(stale));
        }
        QVERIFY(QFile::exists(QString::fromStdString(stale)));
        auto refused = clientFor(Endpoint::unixSocket(stale));
        ping = run<PingInfo>([&](auto cb) { return refused->ping(cb); });
        QVERIFY(!ping);
        QCOMPARE(ping.error().kind, ErrorKind::Unreachable);

        // The daemon's own message for HTTP errors.
        const auto inspect =
            run<Container>([&](auto cb) { return m_client->inspectContainer("no-such-box", cb); });
        QVERIFY(!inspect);
        QCOMPARE(inspect.error().kind, ErrorKind::Http);
        QVERIFY(inspect.error().notFound());
        COMPARE_STR(inspect.error().message, "No such container: no-such-box");
        ContainerSpec bad;
        bad.image = "bb:1";
        bad.name = "not a valid name!";
        bad.cmd = {"true"};
        const auto created = run<std::string>([&](auto cb) { return m_client->createContainer(bad, cb); });
        QVERIFY(!created);
        QCOMPARE(created.error().httpStatus, 400);
        QVERIFY2(created.error().message.find("Invalid container name") != std::string::npos,
                 created.error().message.c_str());

        // A peer that is not an engine (malformed) and one that never answers (timeout). The
        // daemon cannot be made to do either, so a plain socket stands in for it here.
        const auto fakePath = m_dir.filePath("fake.sock").toStdString();
        local::stream_protocol::acceptor fake(m_io, local::stream_protocol::endpoint(fakePath));
        local::stream_protocol::socket peer(m_io);
        std::string reply = "SSH-2.0-not-http\r\n\r\n";
        fake.async_accept(peer, [&](const boost::system::error_code& ec) {
            if (!ec)
                boost::asio::async_write(peer, boost::asio::buffer(reply), [&](auto, auto) { peer.close(); });
        });
        auto garbage = clientFor(Endpoint::unixSocket(fakePath));
        ping = run<PingInfo>([&](auto cb) { return garbage->ping(cb); });
        QVERIFY(!ping);
        QCOMPARE(ping.error().kind, ErrorKind::Malformed);

        local::stream_protocol::socket silent(m_io);
        fake.async_accept(silent, [](const boost::system::error_code&) {});
        auto slow = clientFor(Endpoint::unixSocket(fakePath), std::chrono::milliseconds(300));
        ping = run<PingInfo>([&](auto cb) { return slow->ping(cb); });
        QVERIFY(!ping);
        QCOMPARE(ping.error().kind, ErrorKind::Timeout);
        QVERIFY2(ping.error().message.find("within 0.3 s") != std::string::npos,
                 ping.error().message.c_str());

        // An engine whose API is older than 1.41 is refused with a reason.
        local::stream_protocol::socket old(m_io);
        std::string oldPing = "HTTP/1.1 200 OK\r\nApi-Version: 1.40\r\nContent-Length: 2\r\n\r\nOK";
        fake.async_accept(old, [&](const boost::system::error_code& ec) {
            if (!ec)
                boost::asio::async_write(old, boost::asio::buffer(oldPing), [](auto, auto) {});
        });
        auto tooOld = clientFor(Endpoint::unixSocket(fakePath));
        const auto list =
            run<std::vector<Container>>([&](auto cb) { return tooOld->listContainers({}, cb); });
        QVERIFY(!list);
        QCOMPARE(list.error().kind, ErrorKind::Unsupported);
        QVERIFY2(list.error().message.find("1.40") != std::string::npos, list.error().message.c_str());

        QCOMPARE(Endpoint::parse("tcp://127.0.0.1:2375").error().kind, ErrorKind::Unsupported);
        COMPARE_STR(Endpoint::parse("unix:///run/docker.sock")->path(), "/run/docker.sock");
    }

    void containerLifecycle()
    {
        ContainerSpec spec;
        spec.image = "bb:1";
        spec.name = "life";
        spec.cmd = {"sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"};
        spec.env = {"GREETING=hello"};
        spec.labels = {{"com.docker.compose.project", "proj"},
                       {"com.docker.compose.service", "web"},
                       {"berth.test", "life"}};
        spec.ports = {{80, "tcp", "127.0.0.1", 18080}};
        spec.mounts = {{"volume", "", "/data", false}}; // anonymous: removed with the container
        spec.restartPolicy = {"on-failure", 3};
        const auto id = createContainer(spec);
        QVERIFY(!id.empty());

        auto c = run<Container>([&](auto cb) { return m_client->inspectContainer(id, cb); });
        VERIFY_OK(c);
        COMPARE_STR(c->name, "life");
        COMPARE_STR(c->state, "created");
        COMPARE_STR(c->composeProject(), "proj");
        COMPARE_STR(c->composeService(), "web");
        COMPARE_STR(c->raw["HostConfig"]["RestartPolicy"]["Name"].get<std::string>(), "on-failure");
        QCOMPARE(c->raw["HostConfig"]["RestartPolicy"]["MaximumRetryCount"].get<int>(), 3);
        QVERIFY(c->raw["Config"]["Env"].dump().find("GREETING=hello") != std::string::npos);
        QCOMPARE(c->mounts.size(), std::size_t(1));
        COMPARE_STR(c->mounts[0].type, "volume");
        COMPARE_STR(c->mounts[0].destination, "/data");
        const auto anonymousVolume = c->mounts[0].name;

        VERIFY_OK(runStatus([&](Done cb) { return m_client->startContainer(id, cb); }));
        VERIFY_OK(runStatus([&](Done cb) { return m_client->startContainer(id, cb); })); // 304: already
        c = run<Container>([&](auto cb) { return m_client->inspectContainer(id, cb); });
        COMPARE_STR(c->state, "running");
        QVERIFY(std::any_of(c->ports.begin(), c->ports.end(), [](const ContainerPort& p) {
            return p.privatePort == 80 && p.publicPort == 18080 && p.ip == "127.0.0.1" && p.type == "tcp";
        }));

        ListContainersOptions listOptions;
        listOptions.size = true;
        listOptions.filters = {{"label", {"berth.test=life"}}};
        const auto list =
            run<std::vector<Container>>([&](auto cb) { return m_client->listContainers(listOptions, cb); });
        VERIFY_OK(list);
        QCOMPARE(list->size(), std::size_t(1));
        QCOMPARE(list->at(0).id, id);
        COMPARE_STR(list->at(0).state, "running");
        QVERIFY(list->at(0).sizeRw.has_value() && list->at(0).sizeRootFs.value_or(0) > 0);
        COMPARE_STR(list->at(0).composeService(), "web");
        QCOMPARE(list->at(0).ports.size(), std::size_t(1));
        QCOMPARE(list->at(0).ports[0].publicPort, std::uint16_t(18080));

        const auto top = run<ProcessList>([&](auto cb) { return m_client->topContainer(id, cb); });
        VERIFY_OK(top);
        QVERIFY(std::find(top->titles.begin(), top->titles.end(), "PID") != top->titles.end());
        QVERIFY(!top->processes.empty());
        QVERIFY(QByteArray::fromStdString(nlohmann::json(top->processes).dump()).contains("while true"));

        VERIFY_OK(runStatus([&](Done cb) { return m_client->pauseContainer(id, cb); }));
        c = run<Container>([&](auto cb) { return m_client->inspectContainer(id, cb); });
        COMPARE_STR(c->state, "paused");
        VERIFY_OK(runStatus([&](Done cb) { return m_client->unpauseContainer(id, cb); }));
        c = run<Container>([&](auto cb) { return m_client->inspectContainer(id, cb); });
        COMPARE_STR(c->state, "running");

        VERIFY_OK(runStatus([&](Done cb) { return m_client->renameContainer(id, "life2", cb); }));
        c = run<Container>([&](auto cb) { return m_client->inspectContainer("life2", cb); });
        VERIFY_OK(c);
        QCOMPARE(c->id, id);

        const auto firstStart = c->startedAt;
        VERIFY_OK(runStatus([&](Done cb) { return m_client->restartContainer(id, 10, cb); }));
        c = run<Container>([&](auto cb) { return m_client->inspectContainer(id, cb); });
        COMPARE_STR(c->state, "running");
        QVERIFY(c->startedAt != firstStart);

        VERIFY_OK(runStatus([&](Done cb) { return m_client->stopContainer(id, 10, cb); }));
        c = run<Container>([&](auto cb) { return m_client->inspectContainer(id, cb); });
        COMPARE_STR(c->state, "exited");
        QCOMPARE(c->exitCode, 0); // the trap ran: stopped by SIGTERM, not killed
        VERIFY_OK(runStatus([&](Done cb) { return m_client->stopContainer(id, 10, cb); })); // 304

        VERIFY_OK(runStatus([&](Done cb) { return m_client->startContainer(id, cb); }));
        VERIFY_OK(runStatus([&](Done cb) { return m_client->killContainer(id, "SIGKILL", cb); }));
        auto code = run<int>([&](auto cb) { return m_client->waitContainer(id, "", cb); });
        VERIFY_OK(code);
        QCOMPARE(*code, 137);

        VERIFY_OK(runStatus([&](Done cb) { return m_client->removeContainer(id, true, true, cb); }));
        c = run<Container>([&](auto cb) { return m_client->inspectContainer(id, cb); });
        QVERIFY(!c && c.error().notFound());
        const auto volume =
            run<Volume>([&](auto cb) { return m_client->inspectVolume(anonymousVolume, cb); });
        QVERIFY2(!volume && volume.error().notFound(), "the anonymous volume outlived its container");

        const auto exited = runToEnd("exits-seven", "exit 7", false);
        QVERIFY(!exited.empty());
        c = run<Container>([&](auto cb) { return m_client->inspectContainer(exited, cb); });
        QCOMPARE(c->exitCode, 7);
        const auto pruned = run<PruneReport>([&](auto cb) { return m_client->pruneContainers({}, cb); });
        VERIFY_OK(pruned);
        QVERIFY(std::find(pruned->deleted.begin(), pruned->deleted.end(), exited) != pruned->deleted.end());
    }

    void logsOfContainerWithoutTtyByteForByte()
    {
        // Interleaved stdout and stderr, a line longer than the engine's 16 KiB log chunks and a
        // last line without a newline.
        const auto id = runToEnd("plain-logs",
                                 "echo out1; sleep 0.3; echo err1 >&2; sleep 0.3; "
                                 "head -c 20000 /dev/zero | tr '\\0' x; echo; sleep 0.3; printf err-end >&2",
                                 false);
        QVERIFY(!id.empty());
        const auto output = collectLogs(id, {});
        QVERIFY(output.end && output.end->ok());
        const auto longLine = repeat('x', 20000) + "\n";
        COMPARE_STR(output.out, "out1\n" + longLine);
        COMPARE_STR(output.err, "err1\nerr-end");
        QVERIFY(output.raw.empty());
        QCOMPARE(output.runs.size(), std::size_t(4));
        QCOMPARE(output.runs[0], std::make_pair(StreamKind::Stdout, std::string("out1\n")));
        QCOMPARE(output.runs[1], std::make_pair(StreamKind::Stderr, std::string("err1\n")));
        QCOMPARE(output.runs[2], std::make_pair(StreamKind::Stdout, longLine));
        QCOMPARE(output.runs[3], std::make_pair(StreamKind::Stderr, std::string("err-end")));

        // The same bytes as the docker CLI shows.
        const auto cli = m_engine->docker({"logs", QString::fromStdString(id)});
        QCOMPARE(cli.exitCode, 0);
        COMPARE_STR(cli.out.toStdString(), output.out);
        QCOMPARE(cli.err.toStdString(), output.err);

        LogsOptions tail;
        tail.tail = 1;
        auto last = collectLogs(id, tail);
        COMPARE_STR(last.out, std::string());
        COMPARE_STR(last.err, "err-end");

        LogsOptions future;
        future.since = QDateTime::currentSecsSinceEpoch() + 3600; // nothing was written after then
        const auto none = collectLogs(id, future);
        QVERIFY(none.end && none.end->ok());
        QVERIFY(none.out.empty() && none.err.empty());
        LogsOptions past;
        past.since = 1; // everything
        QCOMPARE(collectLogs(id, past).out, output.out);

        LogsOptions stamped;
        stamped.timestamps = true;
        stamped.stderrStream = false;
        const auto withTimes = collectLogs(id, stamped);
        QVERIFY(withTimes.err.empty());
        const auto firstLine = withTimes.out.substr(0, withTimes.out.find('\n'));
        QVERIFY2(firstLine.size() > 25 && firstLine.ends_with("Z out1") && firstLine.starts_with("20"),
                 firstLine.c_str());
    }

    void logsOfTtyContainerAreRaw()
    {
        const auto id =
            runToEnd("tty-logs", "echo out1; sleep 0.3; echo err1 >&2; printf '\\033[1mbold\\033[0m'", true);
        QVERIFY(!id.empty());
        const auto output = collectLogs(id, {});
        QVERIFY(output.end && output.end->ok());
        QVERIFY(output.out.empty() && output.err.empty());
        COMPARE_STR(output.raw, "out1\r\nerr1\r\n\033[1mbold\033[0m");
        const auto cli = m_engine->docker({"logs", QString::fromStdString(id)});
        COMPARE_STR(cli.out.toStdString(), output.raw);
    }

    void cancellingAFollowStreamFreesItsConnection()
    {
        ContainerSpec spec;
        spec.image = "bb:1";
        spec.name = "ticker";
        spec.cmd = {"sh", "-c", "i=0; while true; do echo tick$i; i=$((i+1)); sleep 0.2; done"};
        const auto id = createContainer(spec);
        VERIFY_OK(runStatus([&](Done cb) { return m_client->startContainer(id, cb); }));

        const auto before = m_engine->forwarder().activeConnections();
        Output output;
        LogsOptions follow;
        follow.follow = true;
        auto stream = m_client->logs(id, follow, output.sink(), [&output](Status s) { output.end = s; });
        QVERIFY(runUntil(
            m_io, [&] { return output.out.find("tick3\n") != std::string::npos; }, std::chrono::minutes(1)));
        QCOMPARE(m_engine->forwarder().activeConnections(), before + 1);
        QVERIFY(stream.active());
        stream.cancel(); // the logs view closes
        QVERIFY(!stream.active());
        QTRY_COMPARE_WITH_TIMEOUT(m_engine->forwarder().activeConnections(), before, 2000); // freed at once
        const auto seen = output.out.size();
        runFor(std::chrono::milliseconds(800));
        QCOMPARE(output.out.size(), seen); // nothing after cancel
        QVERIFY(!output.end.has_value());  // and no end callback either

        // A follow stream ends by itself when the container stops.
        Output second;
        m_client->logs(id, follow, second.sink(), [&second](Status s) { second.end = s; });
        QVERIFY(runUntil(
            m_io, [&] { return second.out.find("tick") != std::string::npos; }, std::chrono::minutes(1)));
        VERIFY_OK(runStatus([&](Done cb) { return m_client->stopContainer(id, 1, cb); }));
        QVERIFY(runUntil(
            m_io, [&] { return second.end.has_value(); }, std::chrono::minutes(1)));
        VERIFY_OK(*second.end);
        VERIFY_OK(runStatus([&](Done cb) { return m_client->removeContainer(id, true, false, cb); }));
    }

    void statsOfABusyContainer()
    {
        ContainerSpec spec;
        spec.image = "bb:1";
        spec.name = "busy";
        spec.cmd = {"sh", "-c", "while true; do :; done"};
        const auto id = createContainer(spec);
        VERIFY_OK(runStatus([&](Done cb) { return m_client->startContainer(id, cb); }));

        std::vector<Stats> once;
        VERIFY_OK(runStatus([&](Done cb) {
            return m_client->stats(
                id, false, [&](const Stats& s) { once.push_back(s); }, cb);
        }));
        QCOMPARE(once.size(), std::size_t(1));
        const auto& s = once[0];
        qInfo("busy container: CPU %.1f %% of %u CPUs, memory %llu / %llu (%.2f %%), pids %llu", s.cpuPercent,
              s.onlineCpus, static_cast<unsigned long long>(s.memoryUsage),
              static_cast<unsigned long long>(s.memoryLimit), s.memoryPercent,
              static_cast<unsigned long long>(s.pids));
        QVERIFY2(s.cpuPercent > 20 && s.cpuPercent <= 100.0 * s.onlineCpus + 5,
                 qPrintable(QString::number(s.cpuPercent)));
        QVERIFY(s.memoryUsage > 0 && s.memoryLimit > s.memoryUsage);
        QVERIFY(std::abs(s.memoryPercent - 100.0 * double(s.memoryUsage) / double(s.memoryLimit)) < 1e-9);
        QVERIFY(s.pids >= 1);
        QVERIFY(s.networkRx > 0); // the bridge's own traffic (router solicitations, ARP)

        std::vector<Stats> streamed;
        auto stream = m_client->stats(
            id, true, [&](const Stats& sample) { streamed.push_back(sample); }, [](Status) {});
        QVERIFY(runUntil(
            m_io, [&] { return streamed.size() >= 3; }, std::chrono::minutes(1)));
        stream.cancel();
        QVERIFY(streamed[2].cpuPercent > 20);
        QVERIFY(streamed[2].read > streamed[1].read);
        VERIFY_OK(runStatus([&](Done cb) { return m_client->removeContainer(id, true, false, cb); }));
    }

    void execWithStdinAndEof()
    {
        ContainerSpec spec;
        spec.image = "bb:1";
        spec.name = "exec-host";
        spec.cmd = {"sleep", "100000"};
        const auto id = createContainer(spec);
        VERIFY_OK(runStatus([&](Done cb) { return m_client->startContainer(id, cb); }));

        ExecSpec exec;
        exec.cmd = {"sh", "-c", "cat; echo status-$? >&2; exit 3"};
        exec.attachStdin = true;
        const auto execId = run<std::string>([&](auto cb) { return m_client->createExec(id, exec, cb); });
        VERIFY_OK(execId);
        auto stream = run<std::shared_ptr<HijackedStream>>(
            [&](auto cb) { return m_client->startExec(*execId, false, cb); });
        VERIFY_OK(stream);
        Output output;
        (*stream)->start(output.sink(), [&output](Status s) { output.end = s; });
        (*stream)->write("hello\n");
        (*stream)->write(repeat('y', 100000) + "\n");
        (*stream)->closeStdin(); // cat sees end-of-file and exits
        QVERIFY(runUntil(
            m_io, [&] { return output.end.has_value(); }, std::chrono::minutes(1)));
        VERIFY_OK(*output.end);
        COMPARE_STR(output.out, "hello\n" + repeat('y', 100000) + "\n");
        COMPARE_STR(output.err, "status-0\n");
        const auto info = run<ExecInfo>([&](auto cb) { return m_client->inspectExec(*execId, cb); });
        VERIFY_OK(info);
        QVERIFY(!info->running);
        QCOMPARE(info->exitCode, 3);

        // With a TTY: raw output, the console size given at create, and a resize.
        ExecSpec tty;
        tty.cmd = {"sh", "-c", "stty size; read line; stty size; echo got-$line"};
        tty.tty = true;
        tty.attachStdin = true;
        tty.consoleSize = std::make_pair(30, 100);
        const auto ttyId = run<std::string>([&](auto cb) { return m_client->createExec(id, tty, cb); });
        VERIFY_OK(ttyId);
        auto terminal = run<std::shared_ptr<HijackedStream>>(
            [&](auto cb) { return m_client->startExec(*ttyId, true, cb); });
        VERIFY_OK(terminal);
        QVERIFY((*terminal)->tty());
        Output screen;
        (*terminal)->start(screen.sink(), [&screen](Status s) { screen.end = s; });
        QVERIFY(runUntil(
            m_io, [&] { return screen.raw.find("30 100") != std::string::npos; }, std::chrono::minutes(1)));
        VERIFY_OK(runStatus([&](Done cb) { return m_client->resizeExec(*ttyId, 40, 120, cb); }));
        (*terminal)->write("line\n");
        QVERIFY(runUntil(
            m_io, [&] { return screen.end.has_value(); }, std::chrono::minutes(1)));
        QVERIFY2(screen.raw.find("40 120\r\ngot-line\r\n") != std::string::npos, screen.raw.c_str());
        QVERIFY(screen.out.empty() && screen.err.empty());
        VERIFY_OK(runStatus([&](Done cb) { return m_client->removeContainer(id, true, false, cb); }));
    }

    void attachSendsStdinAndHalfCloses()
    {
        ContainerSpec spec;
        spec.image = "bb:1";
        spec.name = "attached";
        spec.openStdin = true;
        spec.cmd = {"sh", "-c", "while read line; do echo echo-$line; echo err-$line >&2; done; echo bye"};
        const auto id = createContainer(spec);
        QVERIFY(!id.empty());
        auto stream =
            run<std::shared_ptr<HijackedStream>>([&](auto cb) { return m_client->attach(id, {}, cb); });
        VERIFY_OK(stream);
        Output output;
        (*stream)->start(output.sink(), [&output](Status s) { output.end = s; });
        VERIFY_OK(runStatus([&](Done cb) { return m_client->startContainer(id, cb); }));
        (*stream)->write("one\n");
        QVERIFY(runUntil(
            m_io, [&] { return output.out.find("echo-one\n") != std::string::npos; },
            std::chrono::minutes(1)));
        (*stream)->write("two\n");
        (*stream)->closeStdin();
        QVERIFY(runUntil(
            m_io, [&] { return output.end.has_value(); }, std::chrono::minutes(1)));
        VERIFY_OK(*output.end);
        COMPARE_STR(output.out, "echo-one\necho-two\nbye\n");
        COMPARE_STR(output.err, "err-one\nerr-two\n");
        const auto code = run<int>([&](auto cb) { return m_client->waitContainer(id, "", cb); });
        QCOMPARE(*code, 0);
        VERIFY_OK(runStatus([&](Done cb) { return m_client->removeContainer(id, false, false, cb); }));
    }

    void attachToATtyContainerAndResizeIt()
    {
        ContainerSpec spec;
        spec.image = "bb:1";
        spec.name = "tty-attached";
        spec.tty = true;
        spec.openStdin = true;
        spec.cmd = {"sh", "-c", "read first; stty size; read second; stty size"};
        const auto id = createContainer(spec);
        QVERIFY(!id.empty());
        auto stream =
            run<std::shared_ptr<HijackedStream>>([&](auto cb) { return m_client->attach(id, {}, cb); });
        VERIFY_OK(stream);
        QVERIFY((*stream)->tty());
        Output screen;
        (*stream)->start(screen.sink(), [&screen](Status s) { screen.end = s; });
        VERIFY_OK(runStatus([&](Done cb) { return m_client->startContainer(id, cb); }));
        VERIFY_OK(runStatus([&](Done cb) { return m_client->resizeContainerTty(id, 33, 111, cb); }));
        (*stream)->write("go\n");
        QVERIFY(runUntil(
            m_io, [&] { return screen.raw.find("33 111\r\n") != std::string::npos; },
            std::chrono::minutes(1)));
        VERIFY_OK(runStatus([&](Done cb) { return m_client->resizeContainerTty(id, 44, 122, cb); }));
        (*stream)->write("again\n");
        QVERIFY(runUntil(
            m_io, [&] { return screen.end.has_value(); }, std::chrono::minutes(1)));
        VERIFY_OK(*screen.end);
        QVERIFY2(screen.raw.find("44 122\r\n") != std::string::npos, screen.raw.c_str());
        QVERIFY(screen.out.empty() && screen.err.empty());
        VERIFY_OK(runStatus([&](Done cb) { return m_client->removeContainer(id, true, false, cb); }));
    }

    void imagesThroughALocalRegistry()
    {
        const auto repo = m_engine->registryAddress().toStdString() + "/engine-test/bb";
        VERIFY_OK(runStatus([&](Done cb) { return m_client->tagImage("bb:1", repo, "v1", cb); }));
        auto image = run<Image>([&](auto cb) { return m_client->inspectImage(repo + ":v1", cb); });
        VERIFY_OK(image);
        const auto imageId = image->id;

        std::vector<ProgressMessage> pushed;
        RegistryAuth auth{"berth",
                          "not-checked-by-this-registry",
                          "http://" + m_engine->registryAddress().toStdString(),
                          {}};
        VERIFY_OK(runStatus([&](Done cb) {
            return m_client->pushImage(
                repo, "v1", auth, [&](const ProgressMessage& m) { pushed.push_back(m); }, cb);
        }));
        QVERIFY(
            std::any_of(pushed.begin(), pushed.end(), [](const auto& m) { return m.status == "Pushed"; }));
        QVERIFY(std::any_of(pushed.begin(), pushed.end(), [](const auto& m) {
            return m.status.find("digest: sha256:") != std::string::npos;
        }));
        QCOMPARE(m_engine->registry()->get("/v2/engine-test/bb/tags/list").first, 200);

        const auto removed = run<std::vector<std::string>>(
            [&](auto cb) { return m_client->removeImage(repo + ":v1", false, false, cb); });
        VERIFY_OK(removed);
        // Untagged (the tag and its pushed digest) but not deleted: bb:1 still holds the image.
        QVERIFY(!removed->empty());
        for (const auto& ref : *removed)
            QVERIFY2(ref.find("engine-test/bb") != std::string::npos, ref.c_str());

        // Pull with per-layer progress: an image with a layer the engine does not have (made
        // with the CLI, pushed, then deleted here) next to one it has.
        const auto blob = m_engine->registryAddress() + "/engine-test/blob:v1";
        QCOMPARE(m_engine
                     ->docker({"run", "--name", "blob", "bb:1", "sh", "-c",
                               "head -c 2000000 /dev/urandom > /blob"})
                     .exitCode,
                 0);
        QCOMPARE(m_engine->docker({"commit", "blob", blob}).exitCode, 0);
        QCOMPARE(m_engine->docker({"rm", "blob"}).exitCode, 0);
        VERIFY_OK(runStatus([&](Done cb) {
            return m_client->pushImage(blob.section(':', 0, 1).toStdString(), "v1", std::nullopt, {}, cb);
        }));
        const auto deleted = run<std::vector<std::string>>(
            [&](auto cb) { return m_client->removeImage(blob.toStdString(), false, false, cb); });
        VERIFY_OK(deleted);
        QVERIFY(std::any_of(deleted->begin(), deleted->end(),
                            [](const auto& d) { return d.starts_with("sha256:"); }));
        std::vector<ProgressMessage> pulled;
        PullOptions pull;
        pull.image = blob.toStdString();
        VERIFY_OK(runStatus([&](Done cb) {
            return m_client->pullImage(
                pull, [&](const ProgressMessage& m) { pulled.push_back(m); }, cb);
        }));
        std::map<std::string, std::vector<std::string>> layers;
        for (const auto& m : pulled)
            if (!m.id.empty() && m.id != "v1")
                layers[m.id].push_back(m.status);
        QCOMPARE(layers.size(), std::size_t(2));
        QVERIFY(std::any_of(layers.begin(), layers.end(),
                            [](const auto& l) { return l.second.back() == "Already exists"; }));
        QVERIFY(std::any_of(layers.begin(), layers.end(),
                            [](const auto& l) { return l.second.back() == "Pull complete"; }));
        QVERIFY(pulled.back().status.starts_with("Status: Downloaded newer image"));
        VERIFY_OK(run<Image>([&](auto cb) { return m_client->inspectImage(blob.toStdString(), cb); }));
        VERIFY_OK(runStatus([&](Done cb) { return m_client->tagImage("bb:1", repo, "v1", cb); }));

        const auto history =
            run<std::vector<ImageHistoryEntry>>([&](auto cb) { return m_client->imageHistory("bb:1", cb); });
        VERIFY_OK(history);
        QVERIFY(!history->empty());
        QVERIFY(history->front().size > 0);

        const auto images =
            run<std::vector<Image>>([&](auto cb) { return m_client->listImages(false, {}, cb); });
        VERIFY_OK(images);
        const auto listed =
            std::find_if(images->begin(), images->end(), [&](const Image& i) { return i.id == imageId; });
        QVERIFY(listed != images->end());
        QVERIFY(std::find(listed->repoTags.begin(), listed->repoTags.end(), "bb:1") !=
                listed->repoTags.end());
        QVERIFY(listed->size > 0);

        // Save to a tar stream, then load it back under its tag.
        std::string tar;
        VERIFY_OK(runStatus([&](Done cb) {
            return m_client->saveImages(
                {repo + ":v1"}, [&](std::string_view data) { tar.append(data); }, cb);
        }));
        QVERIFY(tar.size() > 512);
        COMPARE_STR(tar.substr(257, 5), "ustar");
        QVERIFY(tar.find("manifest.json") != std::string::npos);
        VERIFY_OK(run<std::vector<std::string>>(
            [&](auto cb) { return m_client->removeImage(repo + ":v1", false, false, cb); }));
        std::size_t offset = 0;
        const auto loaded = run<std::vector<std::string>>([&](auto cb) {
            return m_client->loadImages(
                [&]() -> Result<std::string> {
                    const auto piece = tar.substr(offset, 100000);
                    offset += piece.size();
                    return piece;
                },
                cb);
        });
        VERIFY_OK(loaded);
        QCOMPARE(*loaded, std::vector<std::string>{repo + ":v1"});

        // Prune dangling images: tag a fresh image, then take its tag away by re-tagging.
        VERIFY_OK(run<std::vector<std::string>>(
            [&](auto cb) { return m_client->removeImage(repo + ":v1", false, false, cb); }));
        const auto pruned = run<PruneReport>([&](auto cb) { return m_client->pruneImages({}, cb); });
        VERIFY_OK(pruned);
    }

    void pullOfAMissingImageReportsTheDaemonsError()
    {
        PullOptions pull;
        pull.image = m_engine->registryAddress().toStdString() + "/engine-test/does-not-exist";
        pull.tag = "v9";
        const auto status = runStatus([&](Done cb) { return m_client->pullImage(pull, {}, cb); });
        QVERIFY(!status);
        QVERIFY2(status.error().kind == ErrorKind::Http || status.error().kind == ErrorKind::Stream,
                 toString(status.error().kind));
        QVERIFY2(status.error().message.find("does-not-exist") != std::string::npos &&
                     status.error().message.find("not found") != std::string::npos,
                 status.error().message.c_str());
    }

    void errorLineInsideASuccessfulAnswer()
    {
        // The engine answers a push with 200 and a first line, then meets a registry that is not
        // there: the failure arrives as an error line in the stream.
        VERIFY_OK(runStatus(
            [&](Done cb) { return m_client->tagImage("bb:1", "10.0.2.2:1/nowhere/bb", "v1", cb); }));
        std::vector<ProgressMessage> lines;
        const auto status = runStatus([&](Done cb) {
            return m_client->pushImage(
                "10.0.2.2:1/nowhere/bb", "v1", std::nullopt,
                [&](const ProgressMessage& m) { lines.push_back(m); }, cb);
        });
        QVERIFY(!status);
        QCOMPARE(status.error().kind, ErrorKind::Stream);
        QVERIFY2(status.error().message.find("connection refused") != std::string::npos,
                 status.error().message.c_str());
        QVERIFY(!lines.empty() && lines.front().error.empty()); // progress came before the error line
        QVERIFY(!lines.back().error.empty());
        VERIFY_OK(run<std::vector<std::string>>(
            [&](auto cb) { return m_client->removeImage("10.0.2.2:1/nowhere/bb:v1", false, false, cb); }));
    }

    void volumes()
    {
        VolumeSpec spec;
        spec.name = "engine-vol";
        spec.labels = {{"berth.test", "vol"}};
        const auto created = run<Volume>([&](auto cb) { return m_client->createVolume(spec, cb); });
        VERIFY_OK(created);
        COMPARE_STR(created->name, "engine-vol");
        COMPARE_STR(created->driver, "local");
        const auto inspected =
            run<Volume>([&](auto cb) { return m_client->inspectVolume("engine-vol", cb); });
        VERIFY_OK(inspected);
        COMPARE_STR(inspected->labels.at("berth.test"), "vol");
        QVERIFY(inspected->mountpoint.find("engine-vol") != std::string::npos);
        const auto list = run<std::vector<Volume>>([&](auto cb) {
            return m_client->listVolumes({{"label", {"berth.test=vol"}}}, cb);
        });
        VERIFY_OK(list);
        QCOMPARE(list->size(), std::size_t(1));
        VERIFY_OK(runStatus([&](Done cb) { return m_client->removeVolume("engine-vol", false, cb); }));
        VERIFY_NOT_FOUND(run<Volume>([&](auto cb) { return m_client->inspectVolume("engine-vol", cb); }));

        spec.name = "engine-vol-unused";
        VERIFY_OK(run<Volume>([&](auto cb) { return m_client->createVolume(spec, cb); }));
        const auto pruned = run<PruneReport>([&](auto cb) {
            return m_client->pruneVolumes(true, {{"label", {"berth.test=vol"}}}, cb);
        });
        VERIFY_OK(pruned);
        QCOMPARE(pruned->deleted, std::vector<std::string>{"engine-vol-unused"});
    }

    void networks()
    {
        NetworkSpec spec;
        spec.name = "engine-net";
        spec.subnet = "172.29.0.0/24";
        spec.gateway = "172.29.0.1";
        spec.labels = {{"berth.test", "net"}};
        const auto id = run<std::string>([&](auto cb) { return m_client->createNetwork(spec, cb); });
        VERIFY_OK(id);
        auto network = run<Network>([&](auto cb) { return m_client->inspectNetwork("engine-net", cb); });
        VERIFY_OK(network);
        QCOMPARE(network->id, *id);
        COMPARE_STR(network->driver, "bridge");
        QCOMPARE(network->subnets.size(), std::size_t(1));
        COMPARE_STR(network->subnets[0].subnet, "172.29.0.0/24");
        COMPARE_STR(network->subnets[0].gateway, "172.29.0.1");

        ContainerSpec box;
        box.image = "bb:1";
        box.name = "net-box";
        box.cmd = {"sleep", "100000"};
        const auto boxId = createContainer(box);
        VERIFY_OK(runStatus([&](Done cb) { return m_client->startContainer(boxId, cb); }));
        VERIFY_OK(runStatus(
            [&](Done cb) { return m_client->connectNetwork("engine-net", boxId, {"alias-one"}, cb); }));
        network = run<Network>([&](auto cb) { return m_client->inspectNetwork(*id, cb); });
        QCOMPARE(network->containers.size(), std::size_t(1));
        COMPARE_STR(network->containers.at(boxId).name, "net-box");
        QVERIFY(network->containers.at(boxId).ipv4Address.starts_with("172.29.0."));
        const auto c = run<Container>([&](auto cb) { return m_client->inspectContainer(boxId, cb); });
        QVERIFY(std::find(c->networks.begin(), c->networks.end(), "engine-net") != c->networks.end());
        QVERIFY(c->raw["NetworkSettings"]["Networks"]["engine-net"]["Aliases"].dump().find("alias-one") !=
                std::string::npos);
        VERIFY_OK(
            runStatus([&](Done cb) { return m_client->disconnectNetwork("engine-net", boxId, false, cb); }));
        network = run<Network>([&](auto cb) { return m_client->inspectNetwork(*id, cb); });
        QVERIFY(network->containers.empty());

        const auto list = run<std::vector<Network>>([&](auto cb) { return m_client->listNetworks({}, cb); });
        VERIFY_OK(list);
        QVERIFY(std::any_of(list->begin(), list->end(),
                            [](const Network& n) { return n.name == "bridge" && n.predefined(); }));
        QVERIFY(
            std::any_of(list->begin(), list->end(), [](const Network& n) { return n.name == "engine-net"; }));
        VERIFY_OK(runStatus([&](Done cb) { return m_client->removeNetwork(*id, cb); }));
        VERIFY_NOT_FOUND(run<Network>([&](auto cb) { return m_client->inspectNetwork(*id, cb); }));

        NetworkSpec unused;
        unused.name = "engine-net-unused";
        VERIFY_OK(run<std::string>([&](auto cb) { return m_client->createNetwork(unused, cb); }));
        const auto pruned = run<PruneReport>([&](auto cb) { return m_client->pruneNetworks({}, cb); });
        VERIFY_OK(pruned);
        QCOMPARE(pruned->deleted, std::vector<std::string>{"engine-net-unused"});
        VERIFY_OK(runStatus([&](Done cb) { return m_client->removeContainer(boxId, true, false, cb); }));
    }

    void eventsArriveInOrder()
    {
        std::vector<Event> events;
        EventsOptions options;
        options.filters = {{"type", {"container"}}, {"label", {"berth.test=events"}}};
        std::optional<Status> end;
        auto stream = m_client->events(
            options, [&](const Event& e) { events.push_back(e); }, [&](Status s) { end = s; });
        runFor(std::chrono::milliseconds(500)); // the subscription is in place before the first event

        ContainerSpec spec;
        spec.image = "bb:1";
        spec.name = "evented";
        spec.labels = {{"berth.test", "events"}};
        spec.cmd = {"true"};
        const auto id = createContainer(spec);
        QVERIFY(startAndWait(id));
        VERIFY_OK(runStatus([&](Done cb) { return m_client->removeContainer(id, false, false, cb); }));
        QVERIFY(runUntil(
            m_io,
            [&] {
                return std::any_of(events.begin(), events.end(),
                                   [](const Event& e) { return e.action == "destroy"; });
            },
            std::chrono::minutes(1)));
        stream.cancel();

        std::vector<std::string> actions;
        for (const auto& e : events) {
            COMPARE_STR(e.type, "container");
            QCOMPARE(e.actorId, id);
            COMPARE_STR(e.attribute("name"), "evented");
            actions.push_back(e.action);
        }
        const std::vector<std::string> expected = {"create", "start", "die", "destroy"};
        std::vector<std::string> lifecycle;
        std::copy_if(actions.begin(), actions.end(), std::back_inserter(lifecycle),
                     [&](const std::string& a) {
                         return std::find(expected.begin(), expected.end(), a) != expected.end();
                     });
        QCOMPARE(lifecycle, expected);
        for (std::size_t i = 1; i < events.size(); ++i)
            QVERIFY(events[i].timeNano >= events[i - 1].timeNano);
        const auto die =
            std::find_if(events.begin(), events.end(), [](const Event& e) { return e.action == "die"; });
        COMPARE_STR(die->attribute("exitCode"), "0");
        QVERIFY(!end.has_value());
    }

    void systemDiskUsageAndPrune()
    {
        const auto df = run<DiskUsage>([&](auto cb) { return m_client->diskUsage(cb); });
        VERIFY_OK(df);
        QVERIFY(df->layersSize > 0);
        QVERIFY(std::any_of(df->images.begin(), df->images.end(), [](const Image& i) {
            return std::find(i.repoTags.begin(), i.repoTags.end(), "bb:1") != i.repoTags.end();
        }));
        const auto id = runToEnd("to-prune", "true", false);
        QVERIFY(!id.empty());
        const auto freed =
            run<std::uint64_t>([&](auto cb) { return m_client->systemPrune(false, true, cb); });
        VERIFY_OK(freed);
        VERIFY_NOT_FOUND(run<Container>([&](auto cb) { return m_client->inspectContainer(id, cb); }));
        QVERIFY(run<Image>([&](auto cb) { return m_client->inspectImage("bb:1", cb); }).ok()); // tagged: kept
    }

    void speaksOlderApiVersions()
    {
        // The engine still serves API 1.41 (Docker 20.10's); the client must work there too,
        // including telling raw from multiplexed output without a Content-Type.
        Client::Options options{.endpoint = m_engine->endpoint(), .apiVersion = ApiVersion{1, 41}};
        Client old(m_io, options);
        const auto list = run<std::vector<Container>>([&](auto cb) { return old.listContainers({}, cb); });
        VERIFY_OK(list);
        const auto plain = runToEnd("old-api-plain", "echo o; sleep 0.3; echo e >&2", false);
        const auto tty = runToEnd("old-api-tty", "echo t", true);
        QVERIFY(!plain.empty() && !tty.empty());
        const auto plainLogs = collectLogs(plain, {}, &old);
        VERIFY_OK(*plainLogs.end);
        COMPARE_STR(plainLogs.out, "o\n");
        COMPARE_STR(plainLogs.err, "e\n");
        const auto ttyLogs = collectLogs(tty, {}, &old);
        VERIFY_OK(*ttyLogs.end);
        COMPARE_STR(ttyLogs.raw, "t\r\n");
    }
};

QTEST_GUILESS_MAIN(TestEngineClient)
#include "tst_engineclient.moc"
