#include "EngineService.h"

#include <map>
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

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

} // namespace

using engine::Client;
using engine::Container;
using engine::Status;

struct EngineService::LogStream
{
    explicit LogStream(boost::asio::io_context& io) : timer(io) {}
    engine::Operation operation;
    bool timestamps = false;
    std::string partial[2]; // stdout, stderr: the text after the last line ending
    QVector<LogLine> batch;
    boost::asio::steady_timer timer;
    bool timerArmed = false;
};

struct EngineService::Io
{
    explicit Io(engine::Endpoint e) : endpoint(std::move(e)) {}

    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
    engine::Endpoint endpoint;
    std::unique_ptr<Client> client;
    engine::Operation events;
    boost::asio::steady_timer retry{io};
    bool listing = false;
    std::vector<engine::Event> pending; // events that came while the first list was on its way

    // Container refreshes: IDs waiting (with the state their last event implies) and whether a
    // list request for earlier ones is on its way. One request at a time, for all waiting IDs.
    std::map<std::string, std::string> queued;
    bool refreshing = false;

    std::unique_ptr<boost::asio::steady_timer> settleTimers[KindCount];
    bool listingKind[KindCount] = {};
    bool again[KindCount] = {};

    std::set<std::string> running;
    std::map<std::string, engine::Operation> stats;

    std::map<int, std::unique_ptr<LogStream>> logs;
    std::map<int, engine::Operation> pulls;
    std::thread thread;
};

EngineService::EngineService(engine::Endpoint endpoint, QObject* parent)
    : QObject(parent), m_io(std::make_unique<Io>(std::move(endpoint)))
{
    qRegisterMetaType<engine::Container>();
    qRegisterMetaType<QList<engine::Container>>();
    qRegisterMetaType<QList<engine::Image>>();
    qRegisterMetaType<QList<engine::Volume>>();
    qRegisterMetaType<QList<engine::Network>>();
    qRegisterMetaType<engine::ProgressMessage>();
    qRegisterMetaType<QVector<LogLine>>();
    for (auto& timer : m_io->settleTimers)
        timer = std::make_unique<boost::asio::steady_timer>(m_io->io);
}

EngineService::~EngineService()
{
    if (m_started) {
        onIo([io = m_io.get()] {
            io->events.cancel();
            for (auto& [token, stream] : io->logs)
                stream->operation.cancel();
            io->logs.clear();
            io->pulls.clear();
            io->stats.clear();
            io->client.reset();
            io->retry.cancel();
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
    return m_io->client != nullptr;
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
        if (m_io->client)
            return;
        m_io->retry.cancel();
        connectToEngine();
    });
}

void EngineService::connectToEngine()
{
    auto& io = *m_io;
    io.client = std::make_unique<Client>(io.io, Client::Options{.endpoint = io.endpoint, .apiVersion = {}});
    io.listing = true;
    io.pending.clear();
    io.queued.clear();
    io.refreshing = false;
    io.running.clear();
    // Follow events first, then list: a change made while the list is on its way is not lost.
    io.events = io.client->events(
        engine::EventsOptions{
            .filters = {{"type", {"container", "image", "volume", "network"}}}, .since = {}, .until = {}},
        [this](const engine::Event& event) {
            if (m_io->listing)
                m_io->pending.push_back(event);
            else
                onEvent(event);
        },
        [this](Status status) {
            lost(status ? tr("the engine closed its event stream") : qs(status.error().message));
        });
    engine::ListContainersOptions all;
    all.all = true;
    io.client->listContainers(all, [this](engine::Result<std::vector<Container>> list) {
        auto& state = *m_io;
        if (!list) {
            lost(qs(list.error().message));
            return;
        }
        state.listing = false;
        qCInfo(lcEngine) << "listed" << list->size() << "containers";
        QList<Container> rows;
        rows.reserve(static_cast<int>(list->size()));
        for (auto& c : *list) {
            if (c.running())
                state.running.insert(c.id);
            c.raw = nullptr; // the GUI keeps the parsed fields only
            rows.push_back(std::move(c));
        }
        toGui([this, rows] {
            m_reachable = true;
            emit engineReachable(true, {});
            emit containersReset(rows);
        });
        listImages();
        listVolumes();
        listNetworks();
        updateStatsStreams();
        auto pending = std::move(state.pending);
        state.pending.clear();
        for (const auto& event : pending)
            onEvent(event);
    });
}

void EngineService::lost(const QString& reason)
{
    auto& io = *m_io;
    if (!io.client)
        return;
    qCInfo(lcEngine) << "engine lost:" << reason;
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
        if (!ec && !m_io->client)
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
        if (auto it = io.stats.find(event.actorId); it != io.stats.end()) {
            it->second.cancel();
            io.stats.erase(it);
        }
        toGui([this, id = qs(event.actorId)] { emit containerRemoved(id); });
        return;
    }
    const auto implied = stateAfter(event.action);
    if (implied == "running")
        io.running.insert(event.actorId);
    else if (!implied.empty() && implied != "paused")
        io.running.erase(event.actorId);
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
    if (!io.client || io.queued.empty())
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
    io.client->listContainers(options, [this, batch](engine::Result<std::vector<Container>> list) {
        auto& state = *m_io;
        state.refreshing = false;
        if (!list)
            return; // the event stream reports a lost engine
        std::set<std::string> seen;
        QList<Container> changed;
        for (auto& c : *list) {
            seen.insert(c.id);
            // A list entry made before a later event for the same container was queued would
            // go back in time; that container is in `queued` again and is read once more.
            if (auto it = batch.find(c.id); it != batch.end() && !it->second.empty() &&
                                            c.state != it->second && !state.queued.count(c.id))
                c.state = it->second;
            c.raw = nullptr;
            changed.push_back(std::move(c));
        }
        QStringList gone;
        for (const auto& [id, implied] : batch)
            if (!seen.count(id) && !state.queued.count(id))
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
    timer.async_wait([this, kind](const boost::system::error_code& ec) {
        if (ec)
            return;
        if (kind == Images)
            listImages();
        else if (kind == Volumes)
            listVolumes();
        else
            listNetworks();
    });
}

void EngineService::listImages()
{
    auto& io = *m_io;
    if (!io.client)
        return;
    if (io.listingKind[Images]) {
        io.again[Images] = true;
        return;
    }
    io.listingKind[Images] = true;
    io.client->listImages(false, {}, [this](engine::Result<std::vector<engine::Image>> list) {
        m_io->listingKind[Images] = false;
        if (list) {
            QList<engine::Image> rows;
            for (auto& image : *list) {
                image.raw = nullptr;
                rows.push_back(std::move(image));
            }
            toGui([this, rows] { emit imagesReset(rows); });
        }
        if (std::exchange(m_io->again[Images], false))
            listImages();
    });
}

void EngineService::listVolumes()
{
    auto& io = *m_io;
    if (!io.client)
        return;
    if (io.listingKind[Volumes]) {
        io.again[Volumes] = true;
        return;
    }
    io.listingKind[Volumes] = true;
    // /system/df carries every volume with its size and reference count, so it alone serves.
    io.client->diskUsage([this](engine::Result<engine::DiskUsage> usage) {
        m_io->listingKind[Volumes] = false;
        if (usage) {
            QList<engine::Volume> rows;
            for (auto& volume : usage->volumes) {
                volume.raw = nullptr;
                rows.push_back(std::move(volume));
            }
            toGui([this, rows] { emit volumesReset(rows); });
        }
        if (std::exchange(m_io->again[Volumes], false))
            listVolumes();
    });
}

void EngineService::listNetworks()
{
    auto& io = *m_io;
    if (!io.client)
        return;
    if (io.listingKind[Networks]) {
        io.again[Networks] = true;
        return;
    }
    io.listingKind[Networks] = true;
    io.client->listNetworks({}, [this](engine::Result<std::vector<engine::Network>> list) {
        m_io->listingKind[Networks] = false;
        if (list) {
            QList<engine::Network> rows;
            for (auto& network : *list) {
                network.raw = nullptr;
                rows.push_back(std::move(network));
            }
            toGui([this, rows] { emit networksReset(rows); });
        }
        if (std::exchange(m_io->again[Networks], false))
            listNetworks();
    });
}

void EngineService::refreshImages()
{
    onIo([this] { listImages(); });
}

void EngineService::refreshVolumes()
{
    onIo([this] { listVolumes(); });
}

void EngineService::refreshNetworks()
{
    onIo([this] { listNetworks(); });
}

void EngineService::updateStatsStreams()
{
    auto& io = *m_io;
    if (!io.client)
        return;
    for (auto it = io.stats.begin(); it != io.stats.end();) {
        if (!io.running.count(it->first)) {
            it->second.cancel(); // dropping an Operation handle does not end it
            it = io.stats.erase(it);
        } else
            ++it;
    }
    for (const auto& id : io.running) {
        if (static_cast<int>(io.stats.size()) >= kMaxStatsStreams)
            break;
        if (io.stats.count(id))
            continue;
        io.stats[id] = io.client->stats(
            id, true,
            [this, qid = qs(id)](const engine::Stats& s) {
                toGui([this, qid, cpu = s.cpuPercent, used = s.memoryUsage, limit = s.memoryLimit] {
                    emit containerStats(qid, cpu, used, limit);
                });
            },
            [this, id](Status) {
                // Ends when the container stops; another running container may take its place.
                if (m_io->stats.erase(id))
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
        if (!io.client) {
            toGui([this, token] { emit logEnded(token, tr("The engine is not running.")); });
            return;
        }
        auto stream = std::make_unique<LogStream>(io.io);
        auto* s = stream.get();
        s->timestamps = timestamps;
        engine::LogsOptions options;
        options.follow = true;
        options.timestamps = timestamps;
        if (tail >= 0)
            options.tail = tail;
        io.logs[token] = std::move(stream);
        s->operation = io.client->logs(
            id, options,
            [this, s](engine::StreamKind kind, std::string_view data) {
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
                    s->timer.async_wait([this, s](const boost::system::error_code& ec) {
                        if (ec)
                            return;
                        s->timerArmed = false;
                        flushLogs(*s);
                    });
                }
            },
            [this, token, s](Status status) {
                for (int which = 0; which < 2; ++which)
                    if (!s->partial[which].empty())
                        s->batch.push_back(
                            LogLine{{}, QString::fromStdString(s->partial[which]), which == 1});
                flushLogs(*s);
                const QString reason = status ? tr("the container stopped") : qs(status.error().message);
                s->timer.cancel();
                toGui([this, token, reason] { emit logEnded(token, reason); });
                boost::asio::post(m_io->io, [this, token, s] {
                    if (auto it = m_io->logs.find(token); it != m_io->logs.end() && it->second.get() == s)
                        m_io->logs.erase(it);
                });
            });
    });
}

void EngineService::flushLogs(LogStream& stream)
{
    if (stream.batch.isEmpty())
        return;
    int token = -1;
    for (const auto& [t, s] : m_io->logs)
        if (s.get() == &stream)
            token = t;
    if (token < 0)
        return;
    auto lines = std::move(stream.batch);
    stream.batch = {};
    toGui([this, token, lines = std::move(lines)] { emit logLines(token, lines); });
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

void EngineService::containerAction(const QString& what,
                                    std::function<engine::Operation(Client&, engine::Done)> call)
{
    act(this, std::move(call), [this, what](Status status) {
        if (!status)
            emit operationFailed(what, qs(status.error().message));
    });
}

void EngineService::startContainer(const QString& id)
{
    containerAction(tr("Start"), [id = id.toStdString()](Client& c, engine::Done done) {
        return c.startContainer(id, std::move(done));
    });
}

void EngineService::stopContainer(const QString& id)
{
    containerAction(tr("Stop"), [id = id.toStdString()](Client& c, engine::Done done) {
        return c.stopContainer(id, std::nullopt, std::move(done));
    });
}

void EngineService::restartContainer(const QString& id)
{
    containerAction(tr("Restart"), [id = id.toStdString()](Client& c, engine::Done done) {
        return c.restartContainer(id, std::nullopt, std::move(done));
    });
}

void EngineService::pauseContainer(const QString& id)
{
    containerAction(tr("Pause"), [id = id.toStdString()](Client& c, engine::Done done) {
        return c.pauseContainer(id, std::move(done));
    });
}

void EngineService::unpauseContainer(const QString& id)
{
    containerAction(tr("Unpause"), [id = id.toStdString()](Client& c, engine::Done done) {
        return c.unpauseContainer(id, std::move(done));
    });
}

void EngineService::removeContainer(const QString& id, bool force)
{
    containerAction(tr("Delete"), [id = id.toStdString(), force](Client& c, engine::Done done) {
        return c.removeContainer(id, force, false, std::move(done));
    });
}

} // namespace berth::app
