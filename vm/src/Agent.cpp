#include "berth/vm/Agent.h"

#include "berth/vm/ControlProtocol.h"
#include "berth/vm/Diagnostics.h"
#include "berth/vm/DockerContext.h"
#include "berth/vm/EngineProbe.h"
#include "berth/vm/ImageManifest.h"
#include "berth/vm/LocalListener.h"
#include "berth/vm/PortPublisher.h"
#include "berth/vm/Process.h"
#include "berth/vm/QemuCommand.h"
#include "berth/vm/SocketLinks.h"
#include "berth/vm/SshForwarder.h"
#include "berth/vm/TcpRelay.h"

#include <deque>
#include <set>
#include <sstream>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

namespace berth::vm {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kConsoleTail = 20;
constexpr std::size_t kMaxRequest = 64 * 1024;
// dockerd exits while the engine starts, before the start is called failed.
constexpr int kEngineExitsWhileStarting = 5;

double secondsSince(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// The console line without terminal colour codes (dockerd colours its log levels).
std::string withoutTerminalCodes(std::string_view line)
{
    std::string out;
    out.reserve(line.size());
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
            i += 2;
            while (i < line.size() && !(line[i] >= '@' && line[i] <= '~'))
                ++i;
            continue;
        }
        out += line[i];
    }
    return out;
}

// One client of the control socket.
struct Connection : std::enable_shared_from_this<Connection>
{
    explicit Connection(asio::io_context& io) : socket(io), input(kMaxRequest) {}
    LocalListener::Stream socket;
    asio::streambuf input;
    std::deque<std::string> output;
    bool watching = false;
    bool closing = false; // close once the output is written
    bool closed = false;

    void send(const json& message)
    {
        if (closed)
            return;
        // Console lines in a status may hold bytes that are not UTF-8: replaced, never a throw.
        output.push_back(message.dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
        if (output.size() == 1)
            writeNext();
    }

    void writeNext()
    {
        asio::async_write(socket, asio::buffer(output.front()),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                              self->output.pop_front();
                              if (ec) {
                                  self->close();
                                  return;
                              }
                              if (!self->output.empty())
                                  self->writeNext();
                              else if (self->closing)
                                  self->close();
                          });
    }

    void closeWhenWritten()
    {
        closing = true;
        if (output.empty())
            close();
    }

    void close()
    {
        closed = true;
        boost::system::error_code ignored;
        socket.close(ignored);
    }
};

} // namespace

struct Agent::Impl : std::enable_shared_from_this<Agent::Impl>
{
    Impl(asio::io_context& ctx, Instance inst, InstanceLock l, AgentOptions o, std::unique_ptr<VmDriver> d)
        : io(ctx), instance(std::move(inst)), lock(std::move(l)), options(std::move(o)), driver(std::move(d)),
          listener(ctx), bootTimer(ctx), stopTimer(ctx), pingTimer(ctx)
    {}

    asio::io_context& io;
    Instance instance;
    InstanceLock lock;
    AgentOptions options;
    std::unique_ptr<VmDriver> driver;
    LocalListener listener; // the control socket
    std::set<std::shared_ptr<Connection>> connections;
    AgentStatus status;
    std::unique_ptr<SshForwarder> forwarder;
    bool sessionReady = false;                          // forwarder's session is made and its socket listens
    std::vector<std::function<void(Status)>> sessionWaiters; // for openSession()'s outcome
    std::unique_ptr<PortPublisher> publisher;
    Settings settings;
    Settings::Proxies proxies; // of this start
    asio::steady_timer bootTimer, stopTimer, pingTimer;
    Clock::time_point startedAt, runningSince;
    std::deque<std::string> consoleTail;
    MachineSpec machine;
    int bootAttempts = 0;
    bool forcedStop = false;
    bool finished = false;
    int pingAttempts = 0;
    int engineExitsWhileStarting = 0;

    // --- status ---

    AgentStatus snapshot() const
    {
        auto s = status;
        if (s.state == EngineState::Running) {
            s.uptimeSeconds = secondsSince(runningSince);
            // The user's standing choice, made by the privileged helper (berth default-socket),
            // so looked at each time (one readlink).
            if (linksTo(kDefaultDockerSocket, instance.engineSocket()))
                s.socketLinks.push_back(kDefaultDockerSocket.string());
        }
        if (auto pid = driver->pid())
            s.vmPid = *pid;
        if (publisher) {
            s.ports = publisher->ports();
            s.warnings = publisher->warnings();
        }
        return s;
    }

    void publish()
    {
        const auto s = snapshot();
        (void)writeFileAtomically(instance.statusFile(),
                                  s.toJson().dump(1, ' ', false, json::error_handler_t::replace) + "\n");
        const auto event = control::statusMessage(s, true);
        for (const auto& c : connections) {
            if (c->watching)
                c->send(event);
        }
    }

    void setState(EngineState state, std::string phase = {})
    {
        if (state != status.state || phase != status.phase)
            spdlog::info("state: {}{}{}", toString(state), phase.empty() ? "" : " / ", phase);
        status.state = state;
        status.phase = std::move(phase);
        publish();
    }

    void enterPhase(const std::string& name, double guestUptime = -1)
    {
        status.phases.push_back({name, secondsSince(startedAt), guestUptime});
        setState(EngineState::Starting, name);
    }

    // --- control socket ---

    Status listen()
    {
        if (auto listening = listener.listen(instance.controlSocket(), 16); !listening)
            return listening;
        accept();
        return Ok{};
    }

    void accept()
    {
        auto connection = std::make_shared<Connection>(io);
        listener.asyncAccept(connection->socket,
                             [self = shared_from_this(), connection](boost::system::error_code ec) {
                                 if (ec || self->finished)
                                     return;
                                 self->connections.insert(connection);
                                 self->readRequest(connection);
                                 self->accept();
                             });
    }

    void readRequest(const std::shared_ptr<Connection>& c)
    {
        asio::async_read_until(c->socket, c->input, '\n',
                               [self = shared_from_this(), c](boost::system::error_code ec, std::size_t n) {
                                   if (LocalListener::partialRead(ec)) {
                                       // A pipe message longer than one read (Windows): what came is
                                       // kept, and the rest of it follows.
                                       self->readRequest(c);
                                       return;
                                   }
                                   // A read of nothing without an error ends the input before a
                                   // line end: a zero-length message on a pipe (Windows), which
                                   // async_read_until hands over as what it had buffered.
                                   const bool ended =
                                       !ec &&
                                       (n == 0 || *(asio::buffers_begin(c->input.data()) + n - 1) != '\n');
                                   if (ec || ended) {
                                       // Not found: the buffer is full without a line end.
                                       if (ec == asio::error::not_found && c->input.size() >= kMaxRequest)
                                           c->send(control::errorMessage("request over 64 KiB"));
                                       c->closeWhenWritten();
                                       self->connections.erase(c);
                                       return;
                                   }
                                   std::string line(asio::buffers_begin(c->input.data()),
                                                    asio::buffers_begin(c->input.data()) + n - 1);
                                   c->input.consume(n);
                                   self->handle(c, line);
                                   if (!c->closed)
                                       self->readRequest(c);
                               });
    }

    void handle(const std::shared_ptr<Connection>& c, const std::string& line)
    {
        const auto message = json::parse(line, nullptr, false);
        const auto request = control::parseRequest(message);
        if (!request) {
            c->send(control::errorMessage(request.error().message));
            return;
        }
        switch (request.value()) {
        case control::Request::Status:
            c->send(control::statusMessage(snapshot(), false));
            break;
        case control::Request::Watch:
            c->watching = true;
            c->send(control::statusMessage(snapshot(), true));
            break;
        case control::Request::Stop:
            c->send(control::acceptedMessage(stop()));
            // Whoever asked hears how the stop ended, also when that comes before its watch
            // request does (a VM that powers off at once).
            c->watching = true;
            break;
        case control::Request::Disk:
            measureDisk(c);
            break;
        }
    }

    // The data disk's use as the guest sees it, asked over the SSH session the agent holds.
    void measureDisk(const std::shared_ptr<Connection>& c)
    {
        if (status.state != EngineState::Running || !forwarder || !sessionReady) {
            c->send(control::errorMessage("the engine is not running, so its disk cannot be measured"));
            return;
        }
        forwarder->run("stat -f -c '%b %a %S' /mnt/data", [weak = std::weak_ptr<Connection>(c)](Result<std::string> out) {
            auto connection = weak.lock();
            if (!connection)
                return;
            if (!out) {
                connection->send(control::errorMessage(out.error().message));
                return;
            }
            std::istringstream fields(out.value());
            std::uint64_t blocks = 0, available = 0, blockSize = 0;
            if (!(fields >> blocks >> available >> blockSize) || blockSize == 0 || available > blocks) {
                connection->send(control::errorMessage("the guest's `stat -f` printed '" + out.value() + "'"));
                return;
            }
            connection->send(control::diskMessage({(blocks - available) * blockSize, blocks * blockSize}));
        });
    }

    // --- starting ---

    void start()
    {
        startedAt = Clock::now();
        status.instance = instance.name();
        status.pid = currentProcessId();
        enterPhase("prepare");
        if (auto prepared = prepareAndBoot(); !prepared)
            fail(prepared.error().message);
    }

    Status prepareAndBoot()
    {
        auto loaded = instance.loadSettings();
        if (!loaded)
            return loaded.error();
        settings = loaded.value();
        if (auto fits = instance.checkDiskSize(settings.diskGiB); !fits)
            return Error{instance.settingsFile().string() + ": " + fits.error().message};
        // A file in the socket's place is the user's, not a stale socket: say so now, not after
        // a boot, and leave it alone.
        for (const auto& socket : {instance.engineSocket(), instance.controlSocket()}) {
            std::error_code ec;
            const auto kind = fs::symlink_status(socket, ec);
            if (fs::exists(kind) && !fs::is_socket(kind))
                return Error{socket.string() + " exists and is not a socket; Berth left it as it is. Move it "
                             "away, then start again"};
        }
        status.cpus = settings.cpus;
        status.memoryMiB = settings.memoryMiB;
        status.diskGiB = settings.diskGiB;
        auto manifest = ImageManifest::load(options.imageDir);
        if (!manifest) {
            auto why = manifest.error().message;
            if (why.find("BERTH_IMAGE_DIR") == std::string::npos) // a damaged manifest
                why += " (rebuild the image with 'cmake --build build --target vm-image', or set "
                       "BERTH_IMAGE_DIR "
                       "to the folder of another)";
            return Error{why};
        }
        for (const auto* file : {"vmlinuz", "initrd.zst", "root.sqfs"}) {
            std::error_code ec;
            if (!fs::exists(manifest->path(file), ec))
                return Error{"the guest image lacks " + manifest->path(file).string() + "; rebuild it"};
        }
        if (auto keys = instance.ensureKeys(); !keys)
            return keys;
        auto hostKey = instance.hostPublicKey();
        if (!hostKey)
            return hostKey.error();
        auto port = freeLoopbackPort(io, "the guest's SSH");
        if (!port)
            return port.error();
        status.sshPort = port.value();
        const auto daemonConfig = instance.checkDaemonConfig();
        if (!daemonConfig)
            return daemonConfig.error();
        status.imageStore = imageStoreName(imageStoreOf(*daemonConfig, settings).containerd);
        // Rewritten at every start: it may hold secrets (registry mirrors' credentials) from a
        // daemon.json that has since been changed or removed.
        const auto guestDaemonConfig = instance.socketDir() / "daemon.json";
        proxies = settings.effectiveProxies([](const char* name) { return std::getenv(name); });
        if (!proxies.empty())
            spdlog::info("the engine and containers use the proxy {} (https: {}; not for: {})",
                         redactUrls(proxies.http.empty() ? "none" : proxies.http),
                         redactUrls(proxies.https.empty() ? "none" : proxies.https), proxies.no);
        if (auto w = writeFileAtomically(guestDaemonConfig, daemonConfigForGuest(*daemonConfig, settings, proxies)); !w)
            return w;
        const auto guestConfig = instance.dir() / "guest-config";
        if (auto w = writeFileAtomically(guestConfig, std::string("hostname=berth\nhost_access=") +
                                                          (settings.hostAccess ? "1" : "0") + "\nhost_registries=" +
                                                          (settings.hostRegistries ? "1" : "0") + "\n");
            !w)
            return w;
        if (auto w =
                writeFileAtomically(instance.knownHosts(), "[127.0.0.1]:" + std::to_string(port.value()) +
                                                               " " + hostKey.value() + "\n");
            !w)
            return w;

        MachineSpec spec;
        spec.cpus = settings.cpus;
        spec.memoryMiB = settings.memoryMiB;
        spec.kernel = manifest->path("vmlinuz");
        spec.initrd = manifest->path("initrd.zst");
        spec.rootImage = manifest->path("root.sqfs");
        spec.dataDisk = instance.dataDisk();
        spec.dataDiskBytes = static_cast<std::uint64_t>(settings.diskGiB) << 30;
        for (const auto& share : settings.shares)
            spec.shares.push_back({share.path, share.readOnly});
        spec.shareTransport = settings.shareTransport;
        spec.sshPort = port.value();
        spec.guestFiles = {{"ssh/host_key", instance.hostKey()},
                           {"ssh/authorized_keys", instance.clientPublicKey()},
                           {"config", guestConfig}};
        spec.guestFiles.push_back({"docker/daemon.json", guestDaemonConfig});
        spec.stateDir = instance.dir();
        spec.runDir = instance.socketDir();
        spec.logDir = instance.logDir();
        spec.accelerator = options.accelerator;
        if (auto created = driver->create(spec); !created)
            return created;
        machine = spec;
        return bootVm();
    }

    Status bootVm()
    {
        ++bootAttempts;
        std::weak_ptr<Impl> weak = shared_from_this();
        VmDriver::Callbacks callbacks;
        callbacks.onAccelerator = [weak](const std::string& accel, const std::string& reason) {
            if (auto self = weak.lock()) {
                spdlog::info("accelerator: {} ({})", accel, reason);
                self->status.accelerator = accel;
                self->status.acceleratorReason = reason;
                self->publish();
            }
        };
        callbacks.onBootEvent = [weak](const BootEvent& e) {
            if (auto self = weak.lock())
                self->bootEvent(e);
        };
        callbacks.onConsoleLine = [weak](std::string_view line) {
            if (auto self = weak.lock()) {
                self->consoleTail.push_back(withoutTerminalCodes(line));
                if (self->consoleTail.size() > kConsoleTail)
                    self->consoleTail.pop_front();
            }
        };
        callbacks.onNotice = [weak](const std::string& text) {
            if (auto self = weak.lock())
                self->notice(text);
        };
        callbacks.onExit = [weak](const VmExit& exit) {
            if (auto self = weak.lock())
                self->vmExited(exit);
        };
        enterPhase(bootAttempts == 1 ? "vm" : "vm-retry");
        if (auto started = driver->start(machine, std::move(callbacks)); !started)
            return started;
        if (bootAttempts > 1)
            return Ok{}; // the boot deadline set by the first attempt still runs
        bootTimer.expires_after(options.bootTimeout);
        bootTimer.async_wait([weak](boost::system::error_code ec) {
            auto self = weak.lock();
            if (!ec && self && self->status.state == EngineState::Starting)
                self->fail("the engine did not become ready within " +
                           std::to_string(self->options.bootTimeout.count()) + " s" + self->lastNoticeClause());
        });
        return Ok{};
    }

    // "; <the last notice>" when this start had one (a full disk, say), for a failure's message.
    std::string lastNoticeClause() const
    {
        return status.notices.empty() ? std::string() : "; " + status.notices.back();
    }

    void notice(const std::string& text)
    {
        spdlog::warn("notice: {}", text);
        status.notices.push_back(text);
        publish();
    }

    void bootEvent(const BootEvent& e)
    {
        switch (e.kind) {
        case BootEvent::Kind::Notice:
            notice(e.message);
            return;
        case BootEvent::Kind::EngineDown:
            // dockerd that cannot start exits at once and is restarted forever: give up after a
            // few tries rather than at the boot deadline, with what the guest said about it.
            if (status.state == EngineState::Starting && ++engineExitsWhileStarting >= kEngineExitsWhileStarting) {
                fail("the engine (dockerd) exited " + std::to_string(engineExitsWhileStarting) +
                     " times while starting" + lastNoticeClause() + "; `berth logs --console` shows why");
                return;
            }
            // dockerd exited after it was ready; the guest restarts it. Clients get no answer
            // meanwhile, so say so rather than "running".
            if (status.state == EngineState::Running && !status.engineRestarting) {
                spdlog::warn("the engine (dockerd) exited in the guest; it is restarting");
                status.engineRestarting = true;
                publish();
            }
            return;
        case BootEvent::Kind::EngineUp:
            if (status.engineRestarting) {
                spdlog::info("the engine answers again after its restart");
                status.engineRestarting = false;
                publish();
            }
            return;
        default:
            break;
        }
        if (status.state != EngineState::Starting)
            return;
        switch (e.kind) {
        case BootEvent::Kind::Phase:
            enterPhase(e.name, e.guestUptime);
            // sshd is up by now and dockerd needs seconds more: do the SSH handshake meanwhile.
            if (e.name == "containerd")
                openSession();
            break;
        case BootEvent::Kind::Ready:
            status.phases.push_back({"engine-ready", secondsSince(startedAt), e.guestUptime});
            connectEngine();
            break;
        case BootEvent::Kind::Error:
            fail(guestError(e.message));
            break;
        default:
            break;
        }
    }

    // The guest's error in the host's terms: a daemon.json dockerd rejects names the host's file.
    std::string guestError(const std::string& message) const
    {
        static constexpr std::string_view kDaemonJson = "daemon.json: ", kDataDisk = "data-disk: ";
        if (message.rfind(kDaemonJson, 0) == 0)
            return "the engine (dockerd) rejects " + instance.daemonConfig().string() + ": " +
                   message.substr(kDaemonJson.size()) + "; fix that entry or remove the file, then start again";
        if (message.rfind(kDataDisk, 0) == 0)
            return "the data disk " + instance.dataDisk().string() + " " + message.substr(kDataDisk.size());
        return "the guest reported: " + message;
    }

    // The SSH session and the host engine socket, made on the io_context without blocking it.
    // Idempotent: a second call while the first is on its way waits for the same session. `then`
    // runs later, with the outcome, unless the engine is closed first.
    void openSession(std::function<void(Status)> then = {})
    {
        if (then)
            sessionWaiters.push_back(std::move(then));
        if (forwarder && sessionReady) {
            for (auto& waiter : std::exchange(sessionWaiters, {}))
                asio::post(io, [waiter] { waiter(Ok{}); });
            return;
        }
        if (forwarder)
            return; // on its way
        auto key = instance.hostPublicKey();
        if (!key) {
            for (auto& waiter : std::exchange(sessionWaiters, {}))
                asio::post(io, [waiter, error = key.error()] { waiter(error); });
            return;
        }
        SshForwarder::Config config;
        config.port = static_cast<std::uint16_t>(status.sshPort);
        config.privateKey = instance.clientKey();
        config.publicKey = instance.clientPublicKey();
        config.pinnedHostKey = key.value();
        config.listenSocket = instance.engineSocket();
        forwarder = SshForwarder::connect(io, config, [weak = std::weak_ptr<Impl>(shared_from_this())](Status ready) {
            auto self = weak.lock();
            if (!self)
                return;
            if (ready) {
                self->sessionReady = true;
                spdlog::info("SSH session open; the engine socket is {}", self->instance.engineSocket().string());
            } else {
                spdlog::info("SSH session not open yet: {}", ready.error().message);
                self->forwarder.reset(); // inert after a failure: the next call tries afresh
            }
            for (auto& waiter : std::exchange(self->sessionWaiters, {}))
                waiter(ready);
        });
    }

    void connectEngine()
    {
        enterPhase("engine-socket");
        connectEngine(true);
    }

    // The guest says the engine is ready: the session must work now. The attempt made early (at
    // the containerd phase) may still be on its way and fail; then one fresh attempt is made
    // before the start fails.
    void connectEngine(bool mayRetry)
    {
        openSession([weak = std::weak_ptr<Impl>(shared_from_this()), mayRetry](Status session) {
            auto self = weak.lock();
            if (!self || self->status.state != EngineState::Starting)
                return;
            if (!session && mayRetry) {
                spdlog::info("SSH session: trying once more now that the engine is ready");
                self->connectEngine(false);
                return;
            }
            if (!session) {
                self->fail("cannot reach the engine over SSH: " + session.error().message);
                return;
            }
            self->pingAttempts = 0;
            self->ping();
        });
    }

    // Ready means a client on the host socket gets an answer from dockerd.
    void ping()
    {
        std::weak_ptr<Impl> weak = shared_from_this();
        asyncEngineGet(
            io, instance.engineSocket(), "/_ping", std::chrono::seconds(5), [weak](Result<HttpReply> reply) {
                auto self = weak.lock();
                if (!self || self->status.state != EngineState::Starting)
                    return;
                if (reply && reply->status == 200 && reply->body == "OK") {
                    self->running();
                    return;
                }
                const auto why = reply ? "HTTP " + std::to_string(reply->status) : reply.error().message;
                if (++self->pingAttempts >= 20) {
                    self->fail("the engine socket does not answer /_ping: " + why);
                    return;
                }
                spdlog::info("/_ping through the host socket: {}; trying again", why);
                self->pingTimer.expires_after(std::chrono::milliseconds(250));
                self->pingTimer.async_wait([weak](boost::system::error_code ec) {
                    if (auto s = weak.lock(); s && !ec)
                        s->ping();
                });
            });
    }

    void running()
    {
        bootTimer.cancel();
        runningSince = Clock::now();
        status.phases.push_back({"running", secondsSince(startedAt), -1});
        status.dockerHost = "unix://" + instance.engineSocket().string();
        if (!options.dockerConfig.empty()) {
            auto context = ensureDockerContext(options.dockerConfig, instance.dockerContextName(), instance.engineSocket(), false);
            if (context)
                spdlog::info("{}", context->note);
            else
                spdlog::warn("docker context: {}", context.error().message);
            if (auto cli = ensureCliProxies(options.dockerConfig, status.dockerHost, proxies.http, proxies.https,
                                            proxies.no);
                !cli)
                notice(cli.error().message);
            if (!options.cliPluginsDir.empty()) {
                auto plugins = ensureCliPluginsDir(options.dockerConfig, options.cliPluginsDir);
                if (!plugins)
                    notice(plugins.error().message);
                else if (*plugins)
                    spdlog::info("docker CLI plugins: added {} to cliPluginsExtraDirs in {}",
                                 options.cliPluginsDir.string(), (options.dockerConfig / "config.json").string());
            }
        }
        offerSocketLinks();
        setState(EngineState::Running);
        PortPublisher::Options ports;
        ports.engineSocket = instance.engineSocket();
        ports.settings = settings;
        ports.onChange = [weak = std::weak_ptr<Impl>(shared_from_this())] {
            if (auto self = weak.lock())
                self->publish();
        };
        publisher = std::make_unique<PortPublisher>(io, *driver, std::move(ports));
        publisher->start();
    }

    // --- stopping and failing ---

    // Ends everything that serves or awaits the engine: the boot deadline, the readiness
    // check, the SSH session and the host engine socket (so dockerHost is empty from now on).
    void closeEngine()
    {
        bootTimer.cancel();
        pingTimer.cancel();
        publisher.reset();
        forwarder.reset(); // cancels a session on its way; its waiters are dropped
        sessionReady = false;
        sessionWaiters.clear();
        for (const auto& link : status.socketLinks)
            withdrawSocketAt(link, instance.engineSocket());
        status.socketLinks.clear();
        status.dockerHost.clear();
    }

    // The engine socket where SDKs look without DOCKER_HOST, where nothing else is.
    void offerSocketLinks()
    {
        for (const auto& link : options.socketLinks) {
            if (auto offered = offerSocketAt(link, instance.engineSocket()); offered) {
                spdlog::info("engine socket offered at {}", link.string());
                status.socketLinks.push_back(link.string());
            } else {
                spdlog::info("engine socket not offered at {}: {}", link.string(), offered.error().message);
            }
        }
    }

    std::string stop()
    {
        switch (status.state) {
        case EngineState::Stopping:
            return "Berth is already stopping";
        case EngineState::Stopped:
        case EngineState::Error:
            return "Berth is not running";
        case EngineState::Starting:
        case EngineState::Running:
            break;
        }
        closeEngine(); // the engine socket goes first: no new client gets in
        const bool wasStarting = status.state == EngineState::Starting;
        setState(EngineState::Stopping);
        driver->requestShutdown([weak = std::weak_ptr<Impl>(shared_from_this())](Status asked) {
            auto self = weak.lock();
            if (asked || !self || self->status.state != EngineState::Stopping)
                return;
            spdlog::warn("cannot ask the guest to power off ({}); killing QEMU", asked.error().message);
            self->forceOff();
        });
        // Early in a boot nothing listens for the power button yet: do not wait long then.
        const auto wait = wasStarting && options.stopTimeout > std::chrono::seconds(10)
                              ? std::chrono::seconds(10)
                              : options.stopTimeout;
        stopTimer.expires_after(wait);
        stopTimer.async_wait([weak = std::weak_ptr<Impl>(shared_from_this())](boost::system::error_code ec) {
            auto self = weak.lock();
            if (ec || !self || self->status.state != EngineState::Stopping)
                return;
            spdlog::warn("the guest did not power off in time; killing QEMU");
            self->forceOff();
        });
        return "Stopping: the guest is asked to power off";
    }

    void forceOff()
    {
        forcedStop = true;
        driver->kill();
    }

    void fail(const std::string& reason)
    {
        if (status.state == EngineState::Error || finished)
            return;
        spdlog::error("{}", reason);
        closeEngine();
        stopTimer.cancel();
        status.lastError = reason;
        status.consoleTail.assign(consoleTail.begin(), consoleTail.end());
        setState(EngineState::Error);
        if (driver->state() != VmDriver::State::Stopped)
            driver->kill(); // vmExited() finishes
        else
            finish();
    }

    void vmExited(const VmExit& exit)
    {
        closeEngine();
        stopTimer.cancel();
        if (status.state == EngineState::Stopping) {
            status.stopMethod = !exit.launched ? "not-started" : forcedStop ? "forced" : "powerdown";
            status.lastError.clear();
            setState(EngineState::Stopped);
            finish();
            return;
        }
        if (status.state == EngineState::Error) {
            finish();
            return;
        }
        // A guest that dies while booting is retried once: under emulation (TCG) the guest
        // kernel very rarely crashes early, and a second boot of the same disk succeeds. A
        // hypervisor that could not start at all would fail the same way again.
        if (status.state == EngineState::Starting && !exit.requested && exit.launched && bootAttempts < 2) {
            spdlog::warn("the VM ended while booting ({}); booting it once more", exit.reason);
            if (auto again = bootVm(); !again)
                fail(again.error().message);
            return;
        }
        fail(exit.reason);
    }

    // Tell everyone, then close both sockets; the io_context then runs out of work.
    void finish()
    {
        if (finished)
            return;
        finished = true;
        status.vmPid = 0;
        publish();
        listener.close();
        for (const auto& socket : {instance.controlSocket(), instance.engineSocket()}) {
            std::error_code ec;
            if (fs::is_socket(fs::symlink_status(socket, ec)))
                fs::remove(socket, ec);
        }
        for (const auto& c : connections)
            c->closeWhenWritten();
        connections.clear();
        spdlog::info("agent finished: {}", toString(status.state));
        if (options.onFinished)
            asio::post(io, options.onFinished);
    }
};

Result<std::unique_ptr<Agent>> Agent::create(asio::io_context& io, Instance instance, InstanceLock lock,
                                             AgentOptions options, std::unique_ptr<VmDriver> driver)
{
    auto impl = std::make_shared<Impl>(io, std::move(instance), std::move(lock), std::move(options),
                                       std::move(driver));
    if (auto listening = impl->listen(); !listening)
        return listening.error();
    return std::unique_ptr<Agent>(new Agent(std::move(impl)));
}

Agent::Agent(std::shared_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Agent::~Agent()
{
    m_impl->publisher.reset();
    m_impl->forwarder.reset();
    m_impl->finished = true;
    m_impl->listener.close();
    for (const auto& c : m_impl->connections)
        c->close();
}

void Agent::start()
{
    m_impl->start();
}

std::string Agent::stop()
{
    return m_impl->stop();
}

const AgentStatus& Agent::status() const
{
    return m_impl->status;
}

int Agent::exitCode() const
{
    return m_impl->status.state == EngineState::Stopped ? 0 : 1;
}

} // namespace berth::vm
