#include "EngineService.h"

#include <QMetaObject>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace berth::app {

namespace {

// The state an event puts its container in. The engine publishes some events (pause, die)
// before its container list shows the new state, so a row refreshed on the event takes this.
std::string stateAfter(const std::string& action)
{
    if (action == "start" || action == "unpause" || action == "restart")
        return "running";
    if (action == "die" || action == "stop")
        return "exited";
    if (action == "pause")
        return "paused";
    return {};
}

} // namespace

using engine::Client;
using engine::Container;
using engine::Status;

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
    std::thread thread;
};

EngineService::EngineService(engine::Endpoint endpoint, QObject* parent)
    : QObject(parent), m_io(std::make_unique<Io>(std::move(endpoint)))
{
    qRegisterMetaType<engine::Container>();
    qRegisterMetaType<QList<engine::Container>>();
}

EngineService::~EngineService()
{
    if (m_started) {
        onIo([io = m_io.get()] {
            io->events.cancel();
            io->client.reset();
            io->retry.cancel();
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

void EngineService::start()
{
    if (m_started)
        return;
    m_started = true;
    m_io->thread = std::thread([io = m_io.get()] { io->io.run(); });
    onIo([this] { connectToEngine(); });
}

void EngineService::connectToEngine()
{
    auto& io = *m_io;
    io.client = std::make_unique<Client>(io.io, Client::Options{.endpoint = io.endpoint, .apiVersion = {}});
    io.listing = true;
    io.pending.clear();
    // Follow events first, then list: a change made while the list is on its way is not lost.
    io.events = io.client->events(
        engine::EventsOptions{.filters = {{"type", {"container"}}}, .since = {}, .until = {}},
        [this](const engine::Event& event) {
            auto& state = *m_io;
            if (state.listing) {
                state.pending.push_back(event);
                return;
            }
            if (event.action == "destroy") {
                toGui([this, id = QString::fromStdString(event.actorId)] { emit containerRemoved(id); });
                return;
            }
            refreshContainer(event.actorId, stateAfter(event.action));
        },
        [this](Status status) { lost(status ? "the engine closed its event stream" : QString::fromStdString(status.error().message)); });
    io.client->listContainers({}, [this](engine::Result<std::vector<Container>> list) {
        auto& state = *m_io;
        if (!list) {
            lost(QString::fromStdString(list.error().message));
            return;
        }
        state.listing = false;
        QList<Container> all(list->begin(), list->end());
        toGui([this, all] {
            m_reachable = true;
            emit engineReachable(true, {});
            emit containersReset(all);
        });
        auto pending = std::move(state.pending);
        state.pending.clear();
        for (const auto& event : pending) {
            if (event.action == "destroy")
                toGui([this, id = QString::fromStdString(event.actorId)] { emit containerRemoved(id); });
            else
                refreshContainer(event.actorId, stateAfter(event.action));
        }
    });
}

void EngineService::lost(const QString& reason)
{
    auto& io = *m_io;
    if (!io.client)
        return;
    io.events.cancel();
    // The client is destroyed after this call returns: this may run inside one of its callbacks.
    boost::asio::post(io.io, [client = std::shared_ptr<Client>(std::move(io.client))] {});
    toGui([this, reason] {
        const bool changed = m_reachable;
        m_reachable = false;
        if (changed)
            emit engineReachable(false, reason);
    });
    io.retry.expires_after(std::chrono::seconds(2));
    io.retry.async_wait([this](const boost::system::error_code& ec) {
        if (!ec)
            connectToEngine();
    });
}

void EngineService::refreshContainer(const std::string& id, const std::string& impliedState)
{
    auto& io = *m_io;
    if (!io.client)
        return;
    engine::ListContainersOptions options;
    options.filters = {{"id", {id}}};
    io.client->listContainers(options, [this, id, impliedState](engine::Result<std::vector<Container>> list) {
        if (!list)
            return; // the event stream reports a lost engine
        if (list->empty()) {
            toGui([this, qid = QString::fromStdString(id)] { emit containerRemoved(qid); });
            return;
        }
        auto c = list->front();
        if (!impliedState.empty() && c.state != impliedState)
            c.state = impliedState;
        toGui([this, c] { emit containerChanged(c); });
    });
}

void EngineService::containerAction(const QString& what, const QString& id,
                                    std::function<engine::Operation(Client&, engine::Done)> call)
{
    onIo([this, what, id, call = std::move(call)] {
        if (!m_io->client) {
            toGui([this, what] { emit operationFailed(what, tr("The engine is not running.")); });
            return;
        }
        call(*m_io->client, [this, what](Status status) {
            if (!status)
                toGui([this, what, message = QString::fromStdString(status.error().message)] {
                    emit operationFailed(what, message);
                });
        });
    });
    (void)id;
}

void EngineService::startContainer(const QString& id)
{
    containerAction(tr("Start"), id, [id = id.toStdString()](Client& c, engine::Done done) {
        return c.startContainer(id, std::move(done));
    });
}

void EngineService::stopContainer(const QString& id)
{
    containerAction(tr("Stop"), id, [id = id.toStdString()](Client& c, engine::Done done) {
        return c.stopContainer(id, std::nullopt, std::move(done));
    });
}

void EngineService::restartContainer(const QString& id)
{
    containerAction(tr("Restart"), id, [id = id.toStdString()](Client& c, engine::Done done) {
        return c.restartContainer(id, std::nullopt, std::move(done));
    });
}

void EngineService::pauseContainer(const QString& id)
{
    containerAction(tr("Pause"), id, [id = id.toStdString()](Client& c, engine::Done done) {
        return c.pauseContainer(id, std::move(done));
    });
}

void EngineService::unpauseContainer(const QString& id)
{
    containerAction(tr("Unpause"), id, [id = id.toStdString()](Client& c, engine::Done done) {
        return c.unpauseContainer(id, std::move(done));
    });
}

void EngineService::removeContainer(const QString& id, bool force)
{
    containerAction(tr("Delete"), id, [id = id.toStdString(), force](Client& c, engine::Done done) {
        return c.removeContainer(id, force, false, std::move(done));
    });
}

} // namespace berth::app
