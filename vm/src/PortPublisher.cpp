#include "berth/vm/PortPublisher.h"

#include "berth/engine/Client.h"
#include "berth/vm/TcpRelay.h"
#include "berth/vm/UdpRelay.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>

#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

namespace berth::vm {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

std::vector<WantedForward> forwardsFor(const nlohmann::json& ports, const std::string& bindAddress)
{
    std::vector<WantedForward> wanted;
    if (!ports.is_array())
        return wanted;
    for (const auto& p : ports) {
        const int publicPort = p.value("PublicPort", 0);
        const int privatePort = p.value("PrivatePort", 0);
        const auto type = p.value("Type", std::string("tcp"));
        if (publicPort <= 0 || publicPort > 65535 || (type != "tcp" && type != "udp"))
            continue;
        const auto ip = p.value("IP", std::string());
        const bool loopback = ip == "127.0.0.1" || ip == "::1";
        WantedForward w;
        w.forward.protocol = type;
        w.forward.hostAddress = loopback ? "127.0.0.1" : bindAddress;
        w.forward.hostPort = static_cast<std::uint16_t>(publicPort);
        w.forward.guestAddress = loopback ? kGuestLoopbackRelay : kGuestAddress;
        w.forward.guestPort = static_cast<std::uint16_t>(publicPort);
        w.containerPort = privatePort;
        const bool duplicate = std::any_of(wanted.begin(), wanted.end(), [&w](const WantedForward& o) {
            return o.forward.protocol == w.forward.protocol && o.forward.hostPort == w.forward.hostPort;
        });
        if (!duplicate)
            wanted.push_back(w);
    }
    return wanted;
}

std::vector<WantedForward> forwardsForBindings(const nlohmann::json& bindings, const std::string& bindAddress)
{
    nlohmann::json ports = nlohmann::json::array();
    if (!bindings.is_object())
        return {};
    for (const auto& [key, hosts] : bindings.items()) {
        const auto slash = key.find('/');
        const auto containerPort = std::atoi(key.substr(0, slash).c_str());
        const auto type = slash == std::string::npos ? std::string("tcp") : key.substr(slash + 1);
        if (!hosts.is_array())
            continue;
        for (const auto& h : hosts) {
            const auto hostPort = h.value("HostPort", std::string());
            // An empty or 0 port (-P, -p 80) or a range is chosen by the engine at start.
            if (hostPort.empty() || hostPort.find('-') != std::string::npos)
                continue;
            ports.push_back({{"IP", h.value("HostIp", std::string())},
                             {"PrivatePort", containerPort},
                             {"PublicPort", std::atoi(hostPort.c_str())},
                             {"Type", type}});
        }
    }
    return forwardsFor(ports, bindAddress);
}

std::string unsharedMountWarning(const std::string& container, const std::string& source, const Settings& settings)
{
    if (source.empty() || source.front() != '/' || settings.shareHolding(source))
        return {};
    for (const char* own : {"/var/run/docker.sock", "/run/docker.sock", "/proc", "/sys", "/dev", "/var/lib/docker"}) {
        const std::string prefix(own);
        if (source == prefix || source.rfind(prefix + "/", 0) == 0)
            return {};
    }
    std::string shared;
    for (const auto& s : settings.shares)
        shared += (shared.empty() ? "" : ", ") + s.path;
    return "container '" + container + "' mounts " + source +
           ", which is not shared with the Berth VM, so it sees an empty folder of the VM instead. Shared folders: " +
           (shared.empty() ? "none" : shared) + ". Share it with `berth shares add " + source +
           "` and restart the engine, then recreate the container";
}

namespace {

struct Published
{
    PortForward forward;
    PublishedPort info;
    bool active = false;     // the driver forwards it (no error)
    bool pending = false;    // being made: the driver has not answered yet
    std::uint64_t token = 0; // tells this attempt's answer from one for an entry made since
};

// What a person reads about a published port that could not be made reachable.
std::string unreachableWarning(const PublishedPort& port)
{
    return "container '" + port.container + "' publishes port " + std::to_string(port.hostPort) + "/" +
           port.protocol + ", but it is not reachable on this computer: " + port.error +
           " (Berth tries again every 5 s)";
}

engine::Client::Options clientOptions(const std::filesystem::path& socket)
{
    return {.endpoint = engine::Endpoint::unixSocket(socket), .apiVersion = {},
            .requestTimeout = std::chrono::seconds(30)};
}

struct ContainerState
{
    std::uint64_t generation = 0; // of the newest refresh asked for
    std::vector<Published> ports;
    std::vector<std::string> warnings;
    std::optional<Clock::time_point> eventAt; // of the start event the next refresh answers
    // Known since the container's create event: its name and the forwards of the host ports it
    // asked for by number, which its start event adds at once, before asking the engine.
    std::string name;
    std::vector<WantedForward> prepared;
};

} // namespace

struct PortPublisher::Impl : std::enable_shared_from_this<PortPublisher::Impl>
{
    Impl(asio::io_context& ctx, VmDriver& d, Options o)
        : io(ctx), driver(d), options(std::move(o)),
          client(ctx, clientOptions(options.engineSocket)),
          retryTimer(ctx), failedRetryTimer(ctx)
    {}

    asio::io_context& io;
    VmDriver& driver;
    TcpRelays relays{io, driver};
    UdpRelays udpRelays{io}; // the IPv6 side of UDP ports, whose QEMU forward is IPv4 only
    Options options;
    engine::Client client;
    asio::steady_timer retryTimer, failedRetryTimer;
    bool retrying = false;
    engine::Operation eventStream;
    std::map<std::string, ContainerState> containers;
    bool stopped = false;
    std::uint64_t tokens = 0;

    void changed()
    {
        if (options.onChange)
            options.onChange();
    }

    void follow()
    {
        if (stopped)
            return;
        std::weak_ptr<Impl> weak = shared_from_this();
        engine::EventsOptions events;
        events.filters = {{"type", {"container"}}, {"event", {"create", "start", "die", "destroy"}}};
        // Replay the last seconds: a container that started between the list below and the
        // moment the engine registers this stream is not missed.
        events.since = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count() -
                       30;
        eventStream = client.events(
            events,
            [weak](const engine::Event& e) {
                auto self = weak.lock();
                if (!self)
                    return;
                if (e.action == "create") {
                    self->prepare(e.actorId, e.attribute("name"));
                    return;
                }
                const auto at = Clock::now();
                if (e.action == "start")
                    self->publishPrepared(e.actorId, at);
                self->refresh(e.actorId, e.action == "start" ? std::optional(at) : std::nullopt);
            },
            [weak](engine::Status end) {
                auto self = weak.lock();
                if (!self || self->stopped)
                    return;
                spdlog::info("ports: the engine's event stream ended ({}); following it again in 1 s",
                             end ? "closed" : end.error().message);
                self->retryTimer.expires_after(std::chrono::seconds(1));
                self->retryTimer.async_wait([weak](boost::system::error_code ec) {
                    if (auto s = weak.lock(); s && !ec)
                        s->follow();
                });
            });
        reconcile();
    }

    // A container was created: learn the host ports it asked for by number, so that its start
    // needs no round trip to the engine before they are published.
    void prepare(const std::string& id, const std::string& name)
    {
        if (stopped || id.empty())
            return;
        std::weak_ptr<Impl> weak = shared_from_this();
        client.inspectContainer(id, [weak, id, name](engine::Result<engine::Container> inspected) {
            auto self = weak.lock();
            if (!self || self->stopped || !inspected)
                return;
            const auto& hostConfig = inspected->raw.value("HostConfig", nlohmann::json::object());
            auto wanted = forwardsForBindings(hostConfig.value("PortBindings", nlohmann::json::object()),
                                              self->options.settings.portBindAddress);
            if (wanted.empty())
                return;
            auto& state = self->containers[id];
            state.name = name.empty() ? inspected->name : name;
            state.prepared = std::move(wanted);
        });
    }

    void publishPrepared(const std::string& id, Clock::time_point eventAt)
    {
        const auto it = containers.find(id);
        if (it == containers.end() || it->second.prepared.empty())
            return;
        auto& state = it->second;
        bool any = false;
        for (const auto& w : std::exchange(state.prepared, {}))
            any = addForward(state, id, state.name, w, eventAt, eventAt) || any;
        if (any)
            changed();
    }

    // Every running container, and every one that has forwards now, is looked at again.
    void reconcile()
    {
        std::weak_ptr<Impl> weak = shared_from_this();
        engine::ListContainersOptions list;
        list.all = false;
        client.listContainers(list, [weak](engine::Result<std::vector<engine::Container>> running) {
            auto self = weak.lock();
            if (!self || self->stopped)
                return;
            if (!running) {
                spdlog::warn("ports: cannot list the running containers: {}", running.error().message);
                return;
            }
            std::set<std::string> ids;
            for (const auto& c : running.value())
                ids.insert(c.id);
            for (const auto& [id, state] : self->containers)
                ids.insert(id);
            for (const auto& id : ids)
                self->refresh(id, std::nullopt);
        });
    }

    void refresh(const std::string& id, std::optional<Clock::time_point> eventAt)
    {
        if (stopped || id.empty())
            return;
        auto& state = containers[id];
        const auto generation = ++state.generation;
        if (eventAt)
            state.eventAt = eventAt;
        std::weak_ptr<Impl> weak = shared_from_this();
        engine::ListContainersOptions list;
        list.all = true;
        list.filters = {{"id", {id}}};
        client.listContainers(list, [weak, id, generation](engine::Result<std::vector<engine::Container>> found) {
            auto self = weak.lock();
            if (!self || self->stopped)
                return;
            const auto it = self->containers.find(id);
            if (it == self->containers.end() || it->second.generation != generation)
                return; // a newer refresh of this container is on its way
            if (!found) {
                spdlog::warn("ports: cannot look up container {}: {}", id.substr(0, 12), found.error().message);
                return;
            }
            const engine::Container* container = nullptr;
            for (const auto& c : found.value()) {
                if (c.id == id)
                    container = &c;
            }
            self->apply(id, container && container->running() ? container : nullptr);
        });
    }

    void apply(const std::string& id, const engine::Container* container)
    {
        auto& state = containers[id];
        const auto eventAt = std::exchange(state.eventAt, std::nullopt);
        const auto answeredAt = Clock::now();
        std::vector<WantedForward> wanted;
        std::vector<std::string> warnings;
        if (container) {
            wanted = forwardsFor(container->raw.value("Ports", nlohmann::json::array()),
                                 options.settings.portBindAddress);
            for (const auto& m : container->mounts) {
                if (m.type != "bind")
                    continue;
                if (auto w = unsharedMountWarning(container->name, m.source, options.settings); !w.empty())
                    warnings.push_back(std::move(w));
            }
        }
        bool any = warnings != state.warnings;
        for (const auto& w : warnings) {
            if (std::find(state.warnings.begin(), state.warnings.end(), w) == state.warnings.end())
                spdlog::warn("{}", w);
        }
        state.warnings = std::move(warnings);

        // Forwards no longer wanted go first: a container restarted with other ports may reuse one.
        std::vector<Published> kept;
        for (auto& p : state.ports) {
            const bool stillWanted = std::any_of(wanted.begin(), wanted.end(), [&p](const WantedForward& w) {
                return w.forward == p.forward && w.containerPort == p.info.containerPort;
            });
            if (stillWanted && container && p.info.container == container->name) {
                kept.push_back(std::move(p));
                continue;
            }
            any = true;
            if (p.active || p.pending) {
                closeForward(p.forward);
                spdlog::info("ports: {}:{}/{} of '{}' is no longer published", p.forward.hostAddress,
                             p.forward.hostPort, p.forward.protocol, p.info.container);
            }
        }
        state.ports = std::move(kept);

        for (const auto& w : wanted)
            any = addForward(state, id, container->name, w, eventAt, answeredAt) || any;
        const bool failed = std::any_of(state.ports.begin(), state.ports.end(),
                                        [](const Published& p) { return !p.active && !p.pending; });
        if (state.ports.empty() && state.warnings.empty() && !container)
            containers.erase(id); // no refresh of it is on its way: this answered the newest
        if (failed)
            retryLater();
        if (any)
            changed();
    }

    // Adds `w` for container `id` unless it is there already: it is pending until the driver
    // answers, and a failure is kept with its reason. True when something changed.
    bool addForward(ContainerState& state, const std::string& id, const std::string& name, const WantedForward& w,
                    std::optional<Clock::time_point> eventAt, Clock::time_point answeredAt)
    {
        const bool have = std::any_of(state.ports.begin(), state.ports.end(),
                                      [&w](const Published& p) { return p.forward == w.forward; });
        if (have)
            return false;
        Published p;
        p.forward = w.forward;
        p.info = {id, name, w.forward.protocol, w.forward.hostAddress, w.forward.hostPort, w.containerPort, {}};
        if (const auto* holder = holderOf(w.forward, id)) {
            p.info.error = "host port " + std::to_string(w.forward.hostPort) + "/" + w.forward.protocol +
                           " is already published for container '" + holder->info.container + "'";
            spdlog::warn("ports: {}", unreachableWarning(p.info));
        } else {
            open(id, p, eventAt, answeredAt);
        }
        state.ports.push_back(std::move(p));
        return true;
    }

    // Starts making `p`'s forward; opened() takes the driver's answer.
    void open(const std::string& id, Published& p, std::optional<Clock::time_point> eventAt,
              Clock::time_point answeredAt)
    {
        p.pending = true;
        p.token = ++tokens;
        openForward(p.forward, [weak = weak_from_this(), id, forward = p.forward, token = p.token, eventAt,
                                answeredAt](Status result) {
            if (auto self = weak.lock(); self && !self->stopped)
                self->opened(id, forward, token, eventAt, answeredAt, result);
        });
    }

    void opened(const std::string& id, const PortForward& forward, std::uint64_t token,
                std::optional<Clock::time_point> eventAt, Clock::time_point answeredAt, const Status& result)
    {
        const auto c = containers.find(id);
        if (c == containers.end())
            return;
        const auto it = std::find_if(c->second.ports.begin(), c->second.ports.end(), [&](const Published& p) {
            return p.pending && p.token == token && p.forward == forward;
        });
        if (it == c->second.ports.end())
            return; // unpublished meanwhile: closeForward() undid it
        auto& p = *it;
        p.pending = false;
        if (result) {
            p.active = true;
            p.info.error.clear();
            const auto ms = [](Clock::time_point from, Clock::time_point to) {
                return std::chrono::duration<double, std::milli>(to - from).count();
            };
            const auto now = Clock::now();
            spdlog::info("ports: published {}:{}/{} → container '{}' port {}{}", p.forward.hostAddress,
                         p.forward.hostPort, p.forward.protocol, p.info.container, p.info.containerPort,
                         eventAt ? fmt::format(" ({:.1f} ms after its start event arrived: the engine's "
                                               "answer {:.1f} ms, the forward {:.1f} ms)",
                                               ms(*eventAt, now), ms(*eventAt, answeredAt), ms(answeredAt, now))
                                 : "");
        } else {
            const bool first = p.info.error.empty();
            p.info.error = result.error().message;
            if (first)
                spdlog::warn("ports: {}", unreachableWarning(p.info));
            retryLater();
        }
        changed();
    }

    // TCP goes through the agent's own listeners (IPv4 and IPv6, a full listen queue); UDP
    // through QEMU's forward directly, with the agent's own listener on the IPv6 side.
    void openForward(const PortForward& f, VmDriver::Done done)
    {
        if (f.protocol == "tcp") {
            relays.add(f, std::move(done));
            return;
        }
        driver.addPortForward(f, [weak = weak_from_this(), f, done = std::move(done)](Status added) {
            auto self = weak.lock();
            if (added && self && !self->stopped) {
                if (auto relayed = self->udpRelays.add(f); !relayed) // only a host address it cannot serve fails
                    spdlog::info("ports: {}", relayed.error().message);
            }
            done(added);
        });
    }
    void closeForward(const PortForward& f)
    {
        if (f.protocol == "tcp") {
            relays.remove(f);
            return;
        }
        udpRelays.remove(f);
        // Queued behind an add still on its way, so it ends what that add makes.
        driver.removePortForward(f, [f](Status removed) {
            if (!removed)
                spdlog::warn("ports: cannot remove the forward of {}:{}/udp: {}", f.hostAddress, f.hostPort,
                             removed.error().message);
        });
    }

    // A host port that was taken may be free now: try the failed forwards again every 5 s.
    void retryLater()
    {
        if (retrying)
            return;
        retrying = true;
        failedRetryTimer.expires_after(std::chrono::seconds(5));
        failedRetryTimer.async_wait([weak = std::weak_ptr<Impl>(shared_from_this())](boost::system::error_code ec) {
            auto self = weak.lock();
            if (!self || ec || self->stopped)
                return;
            self->retrying = false;
            for (auto& [id, state] : self->containers) {
                for (auto& p : state.ports) {
                    if (p.active || p.pending || self->holderOf(p.forward, id))
                        continue;
                    self->open(id, p, std::nullopt, Clock::now());
                }
            }
        });
    }

    const Published* holderOf(const PortForward& f, const std::string& exceptId) const
    {
        for (const auto& [id, state] : containers) {
            if (id == exceptId)
                continue;
            for (const auto& p : state.ports) {
                if ((p.active || p.pending) && p.forward.protocol == f.protocol && p.forward.hostPort == f.hostPort &&
                    (p.forward.hostAddress == f.hostAddress || p.forward.hostAddress == "0.0.0.0" ||
                     f.hostAddress == "0.0.0.0"))
                    return &p;
            }
        }
        return nullptr;
    }

    void stop()
    {
        stopped = true;
        retryTimer.cancel();
        failedRetryTimer.cancel();
        eventStream.cancel();
        relays.closeAll(); // now, not when the last pending handler lets go of this
        udpRelays.closeAll();
    }
};

PortPublisher::PortPublisher(asio::io_context& io, VmDriver& driver, Options options)
    : m_impl(std::make_shared<Impl>(io, driver, std::move(options)))
{}

PortPublisher::~PortPublisher()
{
    m_impl->stop();
}

void PortPublisher::start()
{
    m_impl->follow();
}

std::vector<PublishedPort> PortPublisher::ports() const
{
    std::vector<PublishedPort> all;
    for (const auto& [id, state] : m_impl->containers) {
        for (const auto& p : state.ports) {
            if (!p.pending) // listed once it answers, or once it failed
                all.push_back(p.info);
        }
    }
    std::sort(all.begin(), all.end(), [](const PublishedPort& a, const PublishedPort& b) {
        return std::tie(a.hostPort, a.protocol, a.container) < std::tie(b.hostPort, b.protocol, b.container);
    });
    return all;
}

std::vector<std::string> PortPublisher::warnings() const
{
    std::vector<std::string> all;
    for (const auto& [id, state] : m_impl->containers) {
        for (const auto& p : state.ports) {
            if (!p.info.error.empty())
                all.push_back(unreachableWarning(p.info));
        }
        all.insert(all.end(), state.warnings.begin(), state.warnings.end());
    }
    return all;
}

} // namespace berth::vm
