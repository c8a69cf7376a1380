#include "EngineService.h"

#include <map>
#include <utility>
#include <set>
#include <thread>

#include <QLoggingCategory>
#include <QMetaObject>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

Q_LOGGING_CATEGORY(lcEngine, "berth.desktop.engine")

namespace berth::app {

namespace {

// The state an event puts its container in. The engine publishes some events (pause, die)
// before its container list shows the new state, so a row refreshed on the event takes this.
std::string stateAfter(const std::string& action)
{
    if (action == "start" || action == "unpause" || action == "restart")
        return "running";
    // Not "kill": a signal need not end the process (a shell as PID 1 ignores SIGTERM).
    if (action == "die" || action == "stop")
        return "exited";
    if (action == "pause")
        return "paused";
    if (action == "create")
        return "created";
    return {};
}

// Container events that change what a row shows. exec_*, attach, resize, top, archive and
// copy events do not.
bool changesRow(const std::string& action)
{
    static const std::set<std::string> kActions{"create", "start",   "restart",      "stop",   "die",
                                                "kill",   "pause",   "unpause",      "rename", "update",
                                                "oom",    "destroy", "health_status"};
    if (action.rfind("health_status", 0) == 0)
        return true;
    return kActions.count(action) > 0;
}

enum Kind
{
    Images,
    Volumes,
    Networks,
    KindCount
};

// How long image, volume and network events must be quiet before their list is read again: a
// `docker compose up` sends dozens in a row.
constexpr auto kSettle = std::chrono::milliseconds(150);
constexpr auto kLogFlush = std::chrono::milliseconds(25);
constexpr std::size_t kLogBatchMax = 5000;
constexpr auto kRefreshRetry = std::chrono::seconds(1);
// Events are asked for from a little before the first list, so that a change made between the
// list and the events subscription is not missed; a replayed event only costs a re-read.
constexpr std::int64_t kEventsOverlapSeconds = 5;

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

template <typename T> QList<T> withoutRaw(std::vector<T>& items)
{
    QList<T> rows;
    rows.reserve(static_cast<qsizetype>(items.size()));
    for (auto& item : items) {
        item.raw = nullptr; // the GUI keeps the parsed fields only
        rows.push_back(std::move(item));
    }
    return rows;
}

} // namespace

using engine::Client;
using engine::Container;
using engine::Status;

struct EngineService::LogStream
{
    LogStream(boost::asio::io_context& io, int t) : token(t), timer(io) {}
    int token;
    engine::Operation operation;
    bool timestamps = false;
    std::string partial[2]; // stdout, stderr: the text after the last line ending
    QVector<LogLine> batch;
    boost::asio::steady_timer timer;
    bool timerArmed = false;
};

struct EngineService::Terminal
{
    std::string execId;
    std::shared_ptr<engine::HijackedStream> stream;
    engine::Operation pending; // the create or start request on its way
    std::pair<int, int> size;  // rows, columns wanted; sent again once the exec has started
    std::pair<int, int> sent{}; // the size the engine last confirmed
    bool resizing = false;     // one resize request at a time, so they cannot land out of order
    int resizeFailures = 0;    // in a row; after a few, wait for the next size change
    std::string input;         // typed before the stream was open
    bool closed = false;
    bool sawOutput = false;
    std::string firstOutput; // the start of the output, to tell "no shell" apart
};

struct EngineService::Io
{
    explicit Io(engine::Endpoint e) : endpoint(std::move(e)) {}

    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
    engine::Endpoint endpoint;
    std::unique_ptr<Client> client;
    // Counts connections: a callback from an earlier connection (or after shutdown began)
    // finds a different number and drops its result.
    std::uint64_t generation = 0;
    bool stopping = false;
    engine::Operation events;
    boost::asio::steady_timer retry{io};
    bool listing = false;
    std::vector<engine::Event> pending; // events that came while the first list was on its way

    // Container refreshes: IDs waiting (with the state their last event implies) and whether a
    // list request for earlier ones is on its way. One request at a time, for all waiting IDs.
    std::map<std::string, std::string> queued;
    bool refreshing = false;
    boost::asio::steady_timer refreshRetry{io};
    // Removed containers: a list answer made before the removal must not bring them back.
    std::set<std::string> destroyed;

    std::unique_ptr<boost::asio::steady_timer> settleTimers[KindCount];
    bool listingKind[KindCount] = {};
    bool again[KindCount] = {};

    std::set<std::string> running;
    std::map<std::string, engine::Operation> stats;
    std::set<std::string> statsFailed; // not re-opened until the container's next start

    std::map<int, std::shared_ptr<LogStream>> logs;
    std::map<int, engine::Operation> pulls;
    std::map<int, std::shared_ptr<Terminal>> terminals;
    std::map<int, engine::Operation> followedStats; // by token
    std::thread thread;

    bool current(std::uint64_t g) const { return !stopping && client && generation == g; }
};

EngineService::EngineService(engine::Endpoint endpoint, QObject* parent)
    : QObject(parent), m_io(std::make_unique<Io>(endpoint)),
      m_dockerHost(QString::fromStdString(endpoint.toString()))
{
    qRegisterMetaType<engine::Container>();
    qRegisterMetaType<QList<engine::Container>>();
    qRegisterMetaType<QList<engine::Image>>();
    qRegisterMetaType<QList<engine::Volume>>();
    qRegisterMetaType<QList<engine::Network>>();
    qRegisterMetaType<engine::ProgressMessage>();
    qRegisterMetaType<QVector<LogLine>>();
    qRegisterMetaType<engine::Stats>();
    for (auto& timer : m_io->settleTimers)
        timer = std::make_unique<boost::asio::steady_timer>(m_io->io);
}

EngineService::~EngineService()
{
    if (m_started) {
        onIo([io = m_io.get()] {
            // Handlers already queued see `stopping` and do nothing; then the work runs out.
            io->stopping = true;
            io->events.cancel();
            for (auto& [token, stream] : io->logs) {
                stream->operation.cancel();
                stream->timer.cancel();
            }
            io->logs.clear();
            for (auto& [id, operation] : io->stats)
                operation.cancel();
            io->stats.clear();
            io->pulls.clear();
            for (auto& [token, terminal] : io->terminals) {
                terminal->closed = true;
                terminal->pending.cancel();
                if (terminal->stream)
                    terminal->stream->close();
            }
            io->terminals.clear();
            for (auto& [token, operation] : io->followedStats)
                operation.cancel();
            io->followedStats.clear();
            io->client.reset();
            io->retry.cancel();
            io->refreshRetry.cancel();
            for (auto& timer : io->settleTimers)
                timer->cancel();
            io->work.reset();
        });
        m_io->thread.join();
    }
}

void EngineService::onIo(std::function<void()> work)
{
    boost::asio::post(m_io->io, std::move(work));
}

void EngineService::toGui(std::function<void()> work)
{
    QMetaObject::invokeMethod(this, std::move(work), Qt::QueuedConnection);
}

bool EngineService::clientReady() const
{
    return m_io->client != nullptr && !m_io->stopping;
}

engine::Client& EngineService::client()
{
    return *m_io->client;
}

void EngineService::start()
{
    if (m_started)
        return;
    m_started = true;
    m_io->thread = std::thread([io = m_io.get()] { io->io.run(); });
    onIo([this] { connectToEngine(); });
}

void EngineService::reconnectNow()
{
    if (!m_started)
        return;
    onIo([this] {
        if (m_io->client || m_io->stopping)
            return;
        m_io->retry.cancel();
        connectToEngine();
    });
}

void EngineService::connectToEngine()
{
    auto& io = *m_io;
    if (io.stopping)
        return;
    const auto gen = ++io.generation;
    io.client = std::make_unique<Client>(io.io, Client::Options{.endpoint = io.endpoint, .apiVersion = {}});
    io.listing = true;
    io.pending.clear();
    io.queued.clear();
    io.refreshing = false;
    io.refreshRetry.cancel();
    io.destroyed.clear();
    io.running.clear();
    io.statsFailed.clear();
    for (int kind = 0; kind < KindCount; ++kind) {
        io.listingKind[kind] = false;
        io.again[kind] = false;
    }
    engine::EventsOptions events{.filters = {{"type", {"container", "image", "volume", "network"}}},
                                 .since = std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count() -
                                          kEventsOverlapSeconds,
                                 .until = {}};
    io.events = io.client->events(
        events,
        [this, gen](const engine::Event& event) {
            if (!m_io->current(gen))
                return;
            if (m_io->listing)
                m_io->pending.push_back(event);
            else
                onEvent(event);
        },
        [this, gen](Status status) {
            lost(gen, status ? tr("the engine closed its event stream") : qs(status.error().message));
        });
    engine::ListContainersOptions all;
    all.all = true;
    io.client->listContainers(all, [this, gen](engine::Result<std::vector<Container>> list) {
        auto& state = *m_io;
        if (!state.current(gen))
            return;
        if (!list) {
            lost(gen, qs(list.error().message));
            return;
        }
        state.listing = false;
        qCInfo(lcEngine) << "listed" << list->size() << "containers";
        for (const auto& c : *list)
            if (c.running())
                state.running.insert(c.id);
        toGui([this, rows = withoutRaw(*list)] {
            m_reachable = true;
            emit engineReachable(true, {});
            emit containersReset(rows);
        });
        for (int kind = 0; kind < KindCount; ++kind)
            listKind(kind);
        updateStatsStreams();
        auto pending = std::move(state.pending);
        state.pending.clear();
        for (const auto& event : pending)
            onEvent(event);
    });
}

void EngineService::lost(std::uint64_t gen, const QString& reason)
{
    auto& io = *m_io;
    if (!io.current(gen))
        return;
    qCInfo(lcEngine) << "engine lost:" << reason;
    ++io.generation; // every callback of this connection still queued now drops its result
    io.events.cancel();
    io.stats.clear(); // the client's destruction below ends them
    for (auto& [token, pull] : io.pulls) {
        pull.cancel();
        toGui([this, token = token, reason] { emit pullFinished(token, false, reason); });
    }
    io.pulls.clear();
    for (auto& [token, stream] : io.logs) {
        stream->operation.cancel();
        stream->timer.cancel();
        toGui([this, token = token, reason] { emit logEnded(token, reason); });
    }
    io.logs.clear();
    for (auto& [token, terminal] : io.terminals) {
        terminal->closed = true;
        terminal->pending.cancel();
        if (terminal->stream)
            terminal->stream->close();
        toGui([this, token = token, reason] { emit terminalEnded(token, -1, reason); });
    }
    io.terminals.clear();
    for (auto& [token, operation] : io.followedStats) {
        operation.cancel();
        toGui([this, token = token, reason] { emit statsEnded(token, reason); });
    }
    io.followedStats.clear();
    io.refreshRetry.cancel();
    for (auto& timer : io.settleTimers)
        timer->cancel();
    // The client is destroyed after this call returns: this may run inside one of its callbacks.
    boost::asio::post(io.io, [client = std::shared_ptr<Client>(std::move(io.client))] {});
    io.listing = false;
    toGui([this, reason] {
        const bool changed = m_reachable;
        m_reachable = false;
        if (changed)
            emit engineReachable(false, reason);
    });
    io.retry.expires_after(std::chrono::seconds(2));
    io.retry.async_wait([this](const boost::system::error_code& ec) {
        if (!ec && !m_io->client && !m_io->stopping)
            connectToEngine();
    });
}

void EngineService::onEvent(const engine::Event& event)
{
    auto& io = *m_io;
    if (event.type == "image") {
        settle(Images);
        return;
    }
    if (event.type == "volume") {
        settle(Volumes);
        return;
    }
    if (event.type == "network") {
        settle(Networks);
        return;
    }
    if (event.type != "container" || !changesRow(event.action))
        return;
    if (event.action == "destroy") {
        io.queued.erase(event.actorId);
        io.running.erase(event.actorId);
        io.destroyed.insert(event.actorId);
        if (auto it = io.stats.find(event.actorId); it != io.stats.end()) {
            it->second.cancel();
            io.stats.erase(it);
        }
        toGui([this, id = qs(event.actorId)] { emit containerRemoved(id); });
        return;
    }
    if (io.destroyed.count(event.actorId))
        return; // a replayed event of a container already gone
    const auto implied = stateAfter(event.action);
    if (implied == "running") {
        io.running.insert(event.actorId);
        io.statsFailed.erase(event.actorId);
    } else if (!implied.empty() && implied != "paused") {
        io.running.erase(event.actorId);
    }
    if (!implied.empty() && event.action != "create")
        toGui([this, id = qs(event.actorId), state = qs(implied)] { emit containerStateChanged(id, state); });
    queueRefresh(event.actorId, implied);
    updateStatsStreams();
}

void EngineService::queueRefresh(const std::string& id, const std::string& impliedState)
{
    auto& slot = m_io->queued[id];
    if (!impliedState.empty())
        slot = impliedState;
    if (!m_io->refreshing)
        refreshQueued();
}

void EngineService::refreshQueued()
{
    auto& io = *m_io;
    if (!io.client || io.stopping || io.queued.empty())
        return;
    auto batch = std::move(io.queued);
    io.queued.clear();
    io.refreshing = true;
    engine::ListContainersOptions options;
    options.all = true;
    std::vector<std::string> ids;
    for (const auto& [id, state] : batch)
        ids.push_back(id);
    options.filters = {{"id", ids}};
    const auto gen = io.generation;
    io.client->listContainers(options, [this, gen, batch](engine::Result<std::vector<Container>> list) {
        auto& state = *m_io;
        if (!state.current(gen))
            return;
        state.refreshing = false;
        if (!list) {
            // Not fatal by itself (a lost engine ends the event stream too): read them again.
            for (const auto& [id, implied] : batch)
                if (!state.destroyed.count(id))
                    state.queued.emplace(id, implied); // a newer event's state wins
            state.refreshRetry.expires_after(kRefreshRetry);
            state.refreshRetry.async_wait([this, gen](const boost::system::error_code& ec) {
                if (!ec && m_io->current(gen) && !m_io->refreshing)
                    refreshQueued();
            });
            return;
        }
        std::set<std::string> seen;
        QList<Container> changed;
        for (auto& c : *list) {
            seen.insert(c.id);
            // Removed meanwhile, or changed again meanwhile (it is read once more): an answer
            // made before those events would take the row back in time.
            if (state.destroyed.count(c.id) || state.queued.count(c.id))
                continue;
            if (auto it = batch.find(c.id); it != batch.end() && !it->second.empty() && c.state != it->second)
                c.state = it->second;
            c.raw = nullptr;
            changed.push_back(std::move(c));
        }
        QStringList gone;
        for (const auto& [id, implied] : batch)
            if (!seen.count(id) && !state.queued.count(id) && !state.destroyed.count(id))
                gone.push_back(qs(id));
        toGui([this, changed, gone] {
            for (const auto& c : changed)
                emit containerChanged(c);
            for (const auto& id : gone)
                emit containerRemoved(id);
        });
        refreshQueued();
    });
}

void EngineService::settle(int kind)
{
    auto& timer = *m_io->settleTimers[kind];
    timer.expires_after(kSettle);
    const auto gen = m_io->generation;
    timer.async_wait([this, kind, gen](const boost::system::error_code& ec) {
        if (ec || !m_io->current(gen))
            return;
        listKind(kind);
    });
}

// One list of a kind at a time; a request while one is on its way asks for one more after it.
void EngineService::listKind(int kind)
{
    auto& io = *m_io;
    if (!io.client || io.stopping)
        return;
    if (io.listingKind[kind]) {
        io.again[kind] = true;
        return;
    }
    io.listingKind[kind] = true;
    const auto gen = io.generation;
    // True when the answer is for the current connection; then lists again if that was asked.
    auto finished = [this, kind, gen](auto&& deliver) {
        if (!m_io->current(gen))
            return;
        m_io->listingKind[kind] = false;
        deliver();
        if (std::exchange(m_io->again[kind], false))
            listKind(kind);
    };
    switch (kind) {
    case Images:
        io.client->listImages(false, {}, [this, finished](engine::Result<std::vector<engine::Image>> images) {
            finished([&] {
                if (images)
                    toGui([this, rows = withoutRaw(*images)] { emit imagesReset(rows); });
            });
        });
        break;
    case Volumes:
        // /system/df carries every volume with its size and reference count, so it alone serves.
        io.client->diskUsage([this, finished](engine::Result<engine::DiskUsage> usage) {
            finished([&] {
                if (usage)
                    toGui([this, rows = withoutRaw(usage->volumes)] { emit volumesReset(rows); });
            });
        });
        break;
    default:
        io.client->listNetworks({}, [this, finished](engine::Result<std::vector<engine::Network>> networks) {
            finished([&] {
                if (networks)
                    toGui([this, rows = withoutRaw(*networks)] { emit networksReset(rows); });
            });
        });
        break;
    }
}

void EngineService::updateStatsStreams()
{
    auto& io = *m_io;
    if (!io.client || io.stopping)
        return;
    for (auto it = io.stats.begin(); it != io.stats.end();) {
        if (!io.running.count(it->first)) {
            it->second.cancel(); // dropping an Operation handle does not end it
            it = io.stats.erase(it);
        } else {
            ++it;
        }
    }
    const auto gen = io.generation;
    for (const auto& id : io.running) {
        if (static_cast<int>(io.stats.size()) >= kMaxStatsStreams)
            break;
        if (io.stats.count(id) || io.statsFailed.count(id))
            continue;
        io.stats[id] = io.client->stats(
            id, true,
            [this, gen, qid = qs(id)](const engine::Stats& s) {
                if (!m_io->current(gen))
                    return;
                toGui([this, qid, cpu = s.cpuPercent, used = s.memoryUsage, limit = s.memoryLimit] {
                    emit containerStats(qid, cpu, used, limit);
                });
            },
            [this, gen, id](Status status) {
                if (!m_io->current(gen) || !m_io->stats.erase(id))
                    return;
                // A stream that failed is not opened again until the container's next start;
                // one that ended with its container frees a place for another.
                if (!status)
                    m_io->statsFailed.insert(id);
                updateStatsStreams();
            });
    }
}

void EngineService::followLogs(int token, const QString& id, bool timestamps, int tail)
{
    onIo([this, token, id = id.toStdString(), timestamps, tail] {
        auto& io = *m_io;
        if (auto it = io.logs.find(token); it != io.logs.end()) {
            it->second->operation.cancel();
            it->second->timer.cancel();
            io.logs.erase(it);
        }
        if (!io.client || io.stopping) {
            toGui([this, token] { emit logEnded(token, tr("The engine is not running.")); });
            return;
        }
        auto stream = std::make_shared<LogStream>(io.io, token);
        stream->timestamps = timestamps;
        std::weak_ptr<LogStream> weak = stream;
        engine::LogsOptions options;
        options.follow = true;
        options.timestamps = timestamps;
        if (tail >= 0)
            options.tail = tail;
        io.logs[token] = stream;
        // The stream's callbacks run until its Operation is cancelled, and the Operation is
        // cancelled before the stream leaves `logs`; the flush timer's handler may still be
        // queued after that, so it holds the stream weakly.
        auto* s = stream.get();
        stream->operation = io.client->logs(
            id, options,
            [this, s, weak](engine::StreamKind kind, std::string_view data) {
                const int which = kind == engine::StreamKind::Stderr ? 1 : 0;
                auto& partial = s->partial[which];
                std::size_t begin = 0;
                while (true) {
                    const auto end = data.find('\n', begin);
                    if (end == std::string_view::npos) {
                        partial.append(data.substr(begin));
                        break;
                    }
                    partial.append(data.substr(begin, end - begin));
                    if (!partial.empty() && partial.back() == '\r')
                        partial.pop_back();
                    LogLine line;
                    line.isStderr = which == 1;
                    std::string_view text(partial);
                    if (s->timestamps) {
                        const auto space = text.find(' ');
                        if (space != std::string_view::npos) {
                            line.timestamp = QString::fromUtf8(text.data(), static_cast<qsizetype>(space));
                            text.remove_prefix(space + 1);
                        }
                    }
                    line.text = QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
                    s->batch.push_back(std::move(line));
                    partial.clear();
                    begin = end + 1;
                }
                if (s->batch.size() >= static_cast<qsizetype>(kLogBatchMax)) {
                    flushLogs(*s);
                } else if (!s->timerArmed && !s->batch.isEmpty()) {
                    s->timerArmed = true;
                    s->timer.expires_after(kLogFlush);
                    s->timer.async_wait([this, weak](const boost::system::error_code& ec) {
                        auto alive = weak.lock();
                        if (ec || !alive || m_io->stopping)
                            return;
                        alive->timerArmed = false;
                        flushLogs(*alive);
                    });
                }
            },
            [this, s, weak](Status status) {
                for (int which = 0; which < 2; ++which)
                    if (!s->partial[which].empty())
                        s->batch.push_back(
                            LogLine{{}, QString::fromStdString(s->partial[which]), which == 1, {}});
                flushLogs(*s);
                s->timer.cancel();
                const QString reason = status ? tr("the container stopped") : qs(status.error().message);
                const int streamToken = s->token;
                toGui([this, streamToken, reason] { emit logEnded(streamToken, reason); });
                boost::asio::post(m_io->io, [this, streamToken, weak] {
                    auto it = m_io->logs.find(streamToken);
                    if (it != m_io->logs.end() && it->second == weak.lock())
                        m_io->logs.erase(it);
                });
            });
    });
}

void EngineService::flushLogs(LogStream& stream)
{
    if (stream.batch.isEmpty())
        return;
    auto lines = std::move(stream.batch);
    stream.batch = {};
    toGui([this, token = stream.token, lines = std::move(lines)] { emit logLines(token, lines); });
}

void EngineService::stopLogs(int token)
{
    onIo([this, token] {
        if (auto it = m_io->logs.find(token); it != m_io->logs.end()) {
            it->second->operation.cancel();
            it->second->timer.cancel();
            m_io->logs.erase(it);
        }
    });
}

void EngineService::pullImage(int token, const QString& reference)
{
    onIo([this, token, reference = reference.toStdString()] {
        auto& io = *m_io;
        if (!io.client) {
            toGui([this, token] { emit pullFinished(token, false, tr("The engine is not running.")); });
            return;
        }
        engine::PullOptions options;
        options.image = reference;
        io.pulls[token] = io.client->pullImage(
            options,
            [this, token](const engine::ProgressMessage& message) {
                auto copy = message;
                copy.raw = nullptr;
                toGui([this, token, copy] { emit pullProgress(token, copy); });
            },
            [this, token](Status status) {
                m_io->pulls.erase(token);
                const QString error = status ? QString() : qs(status.error().message);
                toGui([this, token, ok = bool(status), error] { emit pullFinished(token, ok, error); });
            });
    });
}

void EngineService::cancelPull(int token)
{
    onIo([this, token] {
        auto it = m_io->pulls.find(token);
        if (it == m_io->pulls.end())
            return;
        it->second.cancel(); // no callback runs after a cancel: say it here
        m_io->pulls.erase(it);
        toGui([this, token] { emit pullFinished(token, false, tr("Cancelled")); });
    });
}

void EngineService::act(QObject* context, std::function<engine::Operation(Client&, engine::Done)> call,
                        std::function<void(Status)> done)
{
    request<engine::Ok>(context, std::move(call), std::move(done));
}

void EngineService::containerAction(const QString& id, const QString& what, const QString& pending,
                                    std::function<engine::Operation(Client&, engine::Done)> call)
{
    emit containerActionStarted(id, pending);
    act(this, std::move(call), [this, id, what](Status status) {
        emit containerActionFinished(id);
        if (!status)
            emit operationFailed(what, qs(status.error().message));
    });
}

void EngineService::startContainer(const QString& id)
{
    containerAction(id, tr("Start"), tr("Starting…"), [id = id.toStdString()](Client& c, engine::Done done) {
        return c.startContainer(id, std::move(done));
    });
}

void EngineService::stopContainer(const QString& id)
{
    containerAction(id, tr("Stop"), tr("Stopping…"), [id = id.toStdString()](Client& c, engine::Done done) {
        return c.stopContainer(id, std::nullopt, std::move(done));
    });
}

void EngineService::restartContainer(const QString& id)
{
    containerAction(id, tr("Restart"), tr("Restarting…"),
                    [id = id.toStdString()](Client& c, engine::Done done) {
                        return c.restartContainer(id, std::nullopt, std::move(done));
                    });
}

void EngineService::pauseContainer(const QString& id)
{
    containerAction(id, tr("Pause"), tr("Pausing…"), [id = id.toStdString()](Client& c, engine::Done done) {
        return c.pauseContainer(id, std::move(done));
    });
}

void EngineService::unpauseContainer(const QString& id)
{
    containerAction(id, tr("Unpause"), tr("Resuming…"),
                    [id = id.toStdString()](Client& c, engine::Done done) {
                        return c.unpauseContainer(id, std::move(done));
                    });
}

void EngineService::removeContainer(const QString& id, bool force)
{
    containerAction(id, tr("Delete"), tr("Deleting…"),
                    [id = id.toStdString(), force](Client& c, engine::Done done) {
                        return c.removeContainer(id, force, false, std::move(done));
                    });
}

namespace {

// bash when the image has it, else the POSIX shell; `exec` so the shell is the exec's process.
const std::vector<std::string> kShellCommand = {
    "/bin/sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash; fi; exec sh"};

// The exec's program could not run (no /bin/sh in the image): 126 or 127 with no output of the
// shell's own, or the runtime's complaint.
bool noShell(int exitCode, bool sawOutput, const std::string& output)
{
    return (exitCode == 126 || exitCode == 127) &&
           (!sawOutput || output.find("OCI runtime exec failed") != std::string::npos ||
            output.find("no such file or directory") != std::string::npos ||
            output.find("executable file not found") != std::string::npos);
}

} // namespace

void EngineService::openTerminal(int token, const QString& containerId, int rows, int columns)
{
    onIo([this, token, id = containerId.toStdString(), rows, columns] {
        auto& io = *m_io;
        if (auto it = io.terminals.find(token); it != io.terminals.end()) {
            it->second->closed = true;
            it->second->pending.cancel();
            if (it->second->stream)
                it->second->stream->close();
            io.terminals.erase(it);
        }
        if (!clientReady()) {
            toGui([this, token] { emit terminalEnded(token, -1, tr("The engine is not running.")); });
            return;
        }
        auto terminal = std::make_shared<Terminal>();
        terminal->size = {rows, columns};
        io.terminals[token] = terminal;
        const auto gen = io.generation;
        // Ends the session once: removes it and tells the GUI.
        auto finish = [this, token, terminal](int exitCode, QString message) {
            if (terminal->closed)
                return;
            terminal->closed = true;
            if (auto it = m_io->terminals.find(token); it != m_io->terminals.end() && it->second == terminal)
                m_io->terminals.erase(it);
            toGui([this, token, exitCode, message] { emit terminalEnded(token, exitCode, message); });
        };

        engine::ExecSpec spec;
        spec.cmd = kShellCommand;
        spec.env = {"TERM=xterm-256color"};
        spec.tty = true;
        spec.attachStdin = true;
        spec.consoleSize = std::make_pair(rows, columns);
        terminal->pending = client().createExec(id, spec, [this, gen, token, terminal, finish](engine::Result<std::string> created) {
            if (terminal->closed || !m_io->current(gen))
                return;
            if (!created) {
                finish(-1, tr("Cannot open a shell: %1").arg(qs(created.error().message)));
                return;
            }
            terminal->execId = created.value();
            terminal->pending = client().startExec(
                terminal->execId, true,
                [this, gen, token, terminal, finish](engine::Result<std::shared_ptr<engine::HijackedStream>> started) {
                    if (terminal->closed || !m_io->current(gen))
                        return;
                    if (!started) {
                        finish(-1, tr("Cannot open a shell: %1").arg(qs(started.error().message)));
                        return;
                    }
                    terminal->stream = started.value();
                    terminal->stream->start(
                        [this, terminal, token](engine::StreamKind, std::string_view data) {
                            if (terminal->closed)
                                return;
                            if (terminal->firstOutput.size() < 512)
                                terminal->firstOutput.append(data.substr(0, 512 - terminal->firstOutput.size()));
                            terminal->sawOutput = true;
                            toGui([this, token, bytes = QByteArray(data.data(), static_cast<qsizetype>(data.size()))] {
                                emit terminalOutput(token, bytes);
                            });
                        },
                        [this, gen, terminal, finish](Status status) {
                            if (terminal->closed || !m_io->current(gen))
                                return;
                            const QString streamError = status ? QString() : qs(status.error().message);
                            terminal->pending = client().inspectExec(
                                terminal->execId,
                                [terminal, finish, streamError](engine::Result<engine::ExecInfo> info) {
                                    if (!info) {
                                        finish(-1, streamError.isEmpty() ? tr("The shell ended.") : streamError);
                                        return;
                                    }
                                    const int code = info->exitCode;
                                    if (noShell(code, terminal->sawOutput, terminal->firstOutput)) {
                                        finish(code, tr("This container's image has no shell (/bin/sh), so there "
                                                        "is nothing to open a terminal with. Use `docker exec` with "
                                                        "a program the image has."));
                                        return;
                                    }
                                    finish(code, tr("The shell exited with code %1.").arg(code));
                                });
                        });
                    if (!terminal->input.empty())
                        terminal->stream->write(std::exchange(terminal->input, {}));
                    // The size asked for at create time may have changed while starting.
                    sendTerminalSize(terminal);
                });
        });
    });
}

void EngineService::writeTerminal(int token, const QByteArray& bytes)
{
    onIo([this, token, data = bytes.toStdString()] {
        auto it = m_io->terminals.find(token);
        if (it == m_io->terminals.end() || it->second->closed)
            return;
        if (it->second->stream)
            it->second->stream->write(data);
        else
            it->second->input += data;
    });
}

void EngineService::resizeTerminal(int token, int rows, int columns)
{
    onIo([this, token, rows, columns] {
        auto it = m_io->terminals.find(token);
        if (it == m_io->terminals.end() || it->second->closed)
            return;
        it->second->size = {rows, columns};
        it->second->resizeFailures = 0;
        sendTerminalSize(it->second); // before the start, the size goes with it
    });
}

void EngineService::sendTerminalSize(const std::shared_ptr<Terminal>& terminal)
{
    // Resizes travel on requests of their own; two in flight could reach the engine in either
    // order and leave the TTY at the older size, so the next waits for the one before.
    if (terminal->closed || !terminal->stream || terminal->resizing || terminal->size == terminal->sent ||
        terminal->resizeFailures >= 3 || !clientReady())
        return;
    terminal->resizing = true;
    const auto want = terminal->size;
    const auto gen = m_io->generation;
    client().resizeExec(terminal->execId, want.first, want.second, [this, terminal, want, gen](Status status) {
        terminal->resizing = false;
        if (!m_io->current(gen))
            return;
        if (status) {
            terminal->sent = want;
            terminal->resizeFailures = 0;
        } else {
            ++terminal->resizeFailures;
            qCInfo(lcEngine) << "terminal resize failed:" << qs(status.error().message);
        }
        sendTerminalSize(terminal);
    });
}

void EngineService::closeTerminal(int token)
{
    onIo([this, token] {
        auto it = m_io->terminals.find(token);
        if (it == m_io->terminals.end())
            return;
        auto terminal = it->second;
        m_io->terminals.erase(it);
        terminal->closed = true;
        terminal->pending.cancel();
        if (terminal->stream) {
            // The shell reads end-of-file and a hang-up; then the connection goes.
            terminal->stream->closeStdin();
            terminal->stream->close();
        }
    });
}

void EngineService::followStats(int token, const QString& containerId)
{
    onIo([this, token, id = containerId.toStdString()] {
        auto& io = *m_io;
        if (auto it = io.followedStats.find(token); it != io.followedStats.end()) {
            it->second.cancel();
            io.followedStats.erase(it);
        }
        if (!clientReady()) {
            toGui([this, token] { emit statsEnded(token, tr("The engine is not running.")); });
            return;
        }
        const auto gen = io.generation;
        io.followedStats[token] = client().stats(
            id, true,
            [this, gen, token](const engine::Stats& sample) {
                if (!m_io->current(gen) || !m_io->followedStats.count(token))
                    return;
                auto copy = sample;
                copy.raw = nullptr;
                toGui([this, token, copy] { emit statsSample(token, copy); });
            },
            [this, gen, token](Status status) {
                if (!m_io->current(gen) || !m_io->followedStats.erase(token))
                    return;
                const QString reason = status ? tr("The container stopped.") : qs(status.error().message);
                toGui([this, token, reason] { emit statsEnded(token, reason); });
            });
    });
}

void EngineService::stopStats(int token)
{
    onIo([this, token] {
        if (auto it = m_io->followedStats.find(token); it != m_io->followedStats.end()) {
            it->second.cancel();
            m_io->followedStats.erase(it);
        }
    });
}

} // namespace berth::app
