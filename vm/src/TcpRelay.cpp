#include "berth/vm/TcpRelay.h"

#include "berth/vm/detail/SocketState.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <list>
#include <map>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

namespace berth::vm {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// A loopback handshake takes microseconds; one not done in this time had its SYN dropped by
// QEMU's full listen queue (it holds two). QEMU accepts one connection per forward each time
// round its main loop, which emulated vCPUs can starve, so each published port gets several
// private forwards: a connection tries them in turn, with a deadline that doubles up to
// kLongestDeadline (never the kernel's one-second retransmit), and gives up after kGiveUp.
constexpr int kPrivateForwards = 4;
constexpr auto kFirstDeadline = 20ms;
constexpr auto kLongestDeadline = 80ms;
constexpr auto kGiveUp = 15s;
constexpr std::size_t kBufferSize = 64 * 1024;

std::string endpointText(const asio::ip::address& address, std::uint16_t port)
{
    return address.is_v6() ? "[" + address.to_string() + "]:" + std::to_string(port)
                           : address.to_string() + ":" + std::to_string(port);
}

// A listening socket on `address`:`port` with the system's full queue, or the reason it is not.
Result<std::unique_ptr<tcp::acceptor>> listenOn(asio::io_context& io, const asio::ip::address& address,
                                                std::uint16_t port, bool v6only)
{
    auto acceptor = std::make_unique<tcp::acceptor>(io);
    boost::system::error_code ec;
    acceptor->open(address.is_v6() ? tcp::v6() : tcp::v4(), ec);
    if (!ec)
        acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && address.is_v6())
        acceptor->set_option(asio::ip::v6_only(v6only), ec);
    if (!ec)
        acceptor->bind({address, port}, ec);
    if (!ec)
        acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        if (ec == asio::error::address_in_use)
            return Error{"another program on this computer is using " + endpointText(address, port) + "/tcp"};
        return Error{"cannot listen on " + endpointText(address, port) + "/tcp: " + ec.message()};
    }
    return acceptor;
}

} // namespace

Result<std::vector<std::uint16_t>> freeLoopbackPorts(asio::io_context& io, std::size_t count, const std::string& purpose)
{
    std::vector<tcp::acceptor> held; // each port stays taken until all are picked, so no two are the same
    held.reserve(count);
    std::vector<std::uint16_t> ports;
    for (std::size_t i = 0; i < count; ++i) {
        boost::system::error_code ec;
        auto& probe = held.emplace_back(io);
        probe.open(tcp::v4(), ec);
        if (!ec)
            probe.bind({asio::ip::address_v4::loopback(), 0}, ec);
        if (ec)
            return Error{"no free TCP port on 127.0.0.1 for " + purpose + ": " + ec.message()};
        ports.push_back(probe.local_endpoint().port());
    }
    return ports;
}

Result<std::uint16_t> freeLoopbackPort(asio::io_context& io, const std::string& purpose)
{
    auto ports = freeLoopbackPorts(io, 1, purpose);
    if (!ports)
        return ports.error();
    return ports->front();
}

// One accepted connection: connects to the private forward (again at once when QEMU's queue
// dropped the SYN), then copies both ways, passing half-closes on.
struct Pipe : std::enable_shared_from_this<Pipe>
{
    tcp::socket client;
    tcp::socket guest;
    asio::steady_timer deadline;
    std::shared_ptr<const std::vector<std::uint16_t>> privatePorts;
    std::size_t next; // which private forward to try next
    std::size_t& retries;
    Clock::time_point acceptedAt = Clock::now();
    Clock::duration wait = kFirstDeadline;
    unsigned attempt = 0;
    int openDirections = 2;
    bool closed = false;
    std::array<char, kBufferSize> up{}, down{};

    Pipe(tcp::socket c, std::shared_ptr<const std::vector<std::uint16_t>> ports, std::size_t first,
         std::size_t& retryCount)
        : client(std::move(c)), guest(client.get_executor()), deadline(client.get_executor()),
          privatePorts(std::move(ports)), next(first), retries(retryCount)
    {}

    void close()
    {
        if (closed)
            return;
        closed = true;
        boost::system::error_code ignored;
        deadline.cancel();
        client.close(ignored);
        guest.close(ignored);
    }

    void connect()
    {
        if (closed)
            return;
        boost::system::error_code ignored;
        guest.close(ignored);
        guest = tcp::socket(client.get_executor());
        const unsigned mine = ++attempt;
        const auto port = (*privatePorts)[next++ % privatePorts->size()];
        guest.async_connect({asio::ip::address_v4::loopback(), port},
                            [self = shared_from_this(), mine](boost::system::error_code ec) {
                                if (mine != self->attempt || self->closed)
                                    return; // an attempt given up on
                                self->deadline.cancel();
                                if (!ec) {
                                    self->begin();
                                    return;
                                }
                                // Refused: the forward is gone (the container stopped) or QEMU is.
                                spdlog::debug("ports: relay to a private forward failed: {}", ec.message());
                                self->close();
                            });
        deadline.expires_after(wait);
        deadline.async_wait([self = shared_from_this(), mine](boost::system::error_code ec) {
            if (ec || mine != self->attempt || self->closed)
                return;
            // Connected meanwhile (its completion is queued behind this timer on a busy thread):
            // let the connect handler take it, or QEMU would see a connection it accepted dropped.
            if (detail::connectedNow(self->guest))
                return;
            if (Clock::now() - self->acceptedAt > kGiveUp) {
                spdlog::warn("ports: the VM's forwards took no connection for {} s; connection closed",
                             std::chrono::duration_cast<std::chrono::seconds>(kGiveUp).count());
                self->close();
                return;
            }
            // QEMU's listen queue was full and the SYN was dropped: a fresh one now, not the
            // kernel's retransmit a second later.
            ++self->retries;
            self->wait = std::min<Clock::duration>(self->wait * 2, kLongestDeadline);
            self->connect();
        });
    }

    void begin()
    {
        boost::system::error_code ignored;
        client.set_option(tcp::no_delay(true), ignored);
        guest.set_option(tcp::no_delay(true), ignored);
        pump(client, guest, up);
        pump(guest, client, down);
    }

    void pump(tcp::socket& from, tcp::socket& to, std::array<char, kBufferSize>& buffer)
    {
        from.async_read_some(asio::buffer(buffer), [self = shared_from_this(), &from, &to,
                                                    &buffer](boost::system::error_code ec, std::size_t n) {
            if (self->closed)
                return;
            if (ec) {
                if (ec != asio::error::eof) {
                    self->close();
                    return;
                }
                boost::system::error_code ignored;
                to.shutdown(tcp::socket::shutdown_send, ignored);
                if (--self->openDirections == 0)
                    self->close();
                return;
            }
            asio::async_write(to, asio::buffer(buffer.data(), n),
                              [self, &from, &to, &buffer](boost::system::error_code written, std::size_t) {
                                  if (self->closed)
                                      return;
                                  if (written) {
                                      self->close();
                                      return;
                                  }
                                  self->pump(from, to, buffer);
                              });
        });
    }
};

struct TcpRelays::Impl : std::enable_shared_from_this<Impl>
{
    struct Relay
    {
        std::pair<std::string, std::uint16_t> key; // host address and port
        std::vector<PortForward> inner;             // the private QEMU forwards made so far
        // Shared with their pending accepts, so a relay removed meanwhile cannot leave a handler
        // holding a freed acceptor.
        std::vector<std::shared_ptr<tcp::acceptor>> acceptors;
        bool closed = false; // removed, or failed: a forward still being made is undone
        int outstanding = 0;   // private forwards the driver has not answered for good yet
        std::string whyFailed; // the first private forward that could not be made
        bool ready = false;    // one private forward works: accepting
        // The private forwards' host ports, shared with the connections, which use each as it joins.
        std::shared_ptr<std::vector<std::uint16_t>> ports = std::make_shared<std::vector<std::uint16_t>>();
    };

    asio::io_context& io;
    VmDriver& driver;
    std::map<std::pair<std::string, std::uint16_t>, std::shared_ptr<Relay>> relays;
    std::list<std::weak_ptr<Pipe>> pipes;
    std::size_t retries = 0;
    std::size_t accepted = 0; // spreads first tries over the private forwards

    Impl(asio::io_context& ctx, VmDriver& d) : io(ctx), driver(d) {}

    void removeForward(const PortForward& f)
    {
        driver.removePortForward(f, [f](Status removed) {
            if (!removed)
                spdlog::warn("ports: cannot remove the VM's forward 127.0.0.1:{}: {}", f.hostPort,
                             removed.error().message);
        });
    }

    // Stops `relay`'s listeners and removes its private forwards, now and as they are made.
    void close(Relay& relay)
    {
        relay.closed = true;
        boost::system::error_code ignored;
        for (auto& a : relay.acceptors)
            a->close(ignored);
        for (const auto& f : std::exchange(relay.inner, {}))
            removeForward(f);
    }

    // Makes `relay`'s private forwards, all at once (QEMU answers them in turn on its monitor):
    // ports that were free a moment ago, picked together so that no two are the same; another
    // program may take one in between, so a few tries each. It accepts, and `done` hears so, as
    // soon as the first one works; the others join as they come. Only when none can be made does
    // the add fail, with nothing left half made.
    void addPrivate(const std::shared_ptr<Relay>& relay, const PortForward& forward, VmDriver::Done done)
    {
        relay->outstanding = kPrivateForwards;
        // Picked apart, a port each, when they cannot all be had together.
        const auto ports = freeLoopbackPorts(io, kPrivateForwards, "a private forward")
                               .valueOr(std::vector<std::uint16_t>(kPrivateForwards, 0));
        for (const auto port : ports)
            addOne(relay, forward, done, port, 0);
    }

    // One private forward on host port `port` (0: pick one now).
    void addOne(const std::shared_ptr<Relay>& relay, const PortForward& forward, const VmDriver::Done& done,
                std::uint16_t port, int attempt)
    {
        if (port == 0) {
            auto picked = freeLoopbackPort(io, "a private forward");
            if (!picked) {
                answered(relay, forward, done, picked.error());
                return;
            }
            port = picked.value();
        }
        PortForward inner = forward;
        inner.hostAddress = "127.0.0.1";
        inner.hostPort = port;
        driver.addPortForward(inner, [weak = weak_from_this(), relay, forward, inner, done, attempt](Status added) {
            auto self = weak.lock();
            if (!self) {
                // The relays were closed (the engine is stopping) after the driver took this one;
                // a caller that heard of no outcome yet hears it once.
                if (--relay->outstanding == 0 && !relay->ready)
                    done(Error{"the published ports were closed"});
                return;
            }
            if (added && relay->closed) {
                self->removeForward(inner);
            } else if (added) {
                relay->inner.push_back(inner);
                relay->ports->push_back(inner.hostPort); // connections use it from now on
            } else if (attempt + 1 < 3 && !relay->closed) {
                self->addOne(relay, forward, done, 0, attempt + 1);
                return;
            }
            self->answered(relay, forward, done, added);
        });
    }

    // One private forward is made, or failed for good. The first made opens the port; when
    // the last is answered with none made, `done` hears why.
    void answered(const std::shared_ptr<Relay>& relay, const PortForward& forward, const VmDriver::Done& done,
                  const Status& result)
    {
        if (!result && relay->whyFailed.empty())
            relay->whyFailed = result.error().message;
        const bool last = --relay->outstanding == 0;
        if (relay->closed) {
            if (last && !relay->ready)
                done(Error{"port " + std::to_string(forward.hostPort) + " was unpublished while its forward was made"});
            return;
        }
        if (result && !relay->ready) {
            relay->ready = true;
            for (auto& acceptor : relay->acceptors)
                accept(acceptor, relay->ports);
            done(Ok{});
        }
        if (!last)
            return;
        if (!relay->ready) {
            if (const auto it = relays.find(relay->key); it != relays.end() && it->second == relay)
                relays.erase(it);
            close(*relay);
            done(Error{"cannot add the VM's forward for port " + std::to_string(forward.hostPort) + ": " +
                       relay->whyFailed});
        } else if (!relay->whyFailed.empty()) {
            spdlog::warn("ports: {} of the VM's {} forwards for port {} could not be made ({}); it is published with the "
                         "rest",
                         kPrivateForwards - static_cast<int>(relay->inner.size()), kPrivateForwards, forward.hostPort,
                         relay->whyFailed);
        }
    }

    void accept(std::shared_ptr<tcp::acceptor> acceptor, std::shared_ptr<const std::vector<std::uint16_t>> privatePorts)
    {
        acceptor->async_accept([weak = weak_from_this(), acceptor, privatePorts](boost::system::error_code ec,
                                                                                tcp::socket socket) {
            auto self = weak.lock();
            if (!self || ec == asio::error::operation_aborted || !acceptor->is_open())
                return;
            if (!ec) {
                auto pipe = std::make_shared<Pipe>(std::move(socket), privatePorts, self->accepted++, self->retries);
                self->pipes.remove_if([](const std::weak_ptr<Pipe>& p) { return p.expired(); });
                self->pipes.push_back(pipe);
                pipe->connect();
            } else {
                // EMFILE and the like: say so, and keep accepting after a breath.
                spdlog::warn("ports: accepting a connection failed: {}", ec.message());
                auto breath = std::make_shared<asio::steady_timer>(self->io, 100ms);
                breath->async_wait([weak, acceptor, privatePorts, breath](boost::system::error_code) {
                    if (auto again = weak.lock(); again && acceptor->is_open())
                        again->accept(acceptor, privatePorts);
                });
                return;
            }
            self->accept(acceptor, privatePorts);
        });
    }
};

TcpRelays::TcpRelays(asio::io_context& io, VmDriver& driver) : m_impl(std::make_shared<Impl>(io, driver)) {}

TcpRelays::~TcpRelays()
{
    closeAll();
}

void TcpRelays::closeAll()
{
    for (auto& [key, relay] : m_impl->relays)
        m_impl->close(*relay);
    for (auto& weak : m_impl->pipes) {
        if (auto pipe = weak.lock())
            pipe->close();
    }
    m_impl->relays.clear();
    m_impl->pipes.clear();
}

void TcpRelays::add(const PortForward& forward, VmDriver::Done done)
{
    auto& d = *m_impl;
    // Always answered on a later turn, as VmDriver's own calls are.
    VmDriver::Done later = [&io = d.io, done = std::move(done)](Status result) {
        asio::post(io, [done, result = std::move(result)] { done(result); });
    };
    const auto key = std::make_pair(forward.hostAddress, forward.hostPort);
    if (d.relays.count(key)) {
        later(Ok{});
        return;
    }
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(forward.hostAddress, ec);
    if (ec) {
        later(Error{"'" + forward.hostAddress + "' is not an IP address"});
        return;
    }

    auto relay = std::make_shared<Impl::Relay>();
    relay->key = key;
    if (address.is_v4() && address.to_v4().is_loopback()) {
        // localhost: both loopbacks. ::1 is optional (IPv6 may be off on this computer).
        auto v4 = listenOn(d.io, address, forward.hostPort, false);
        if (!v4) {
            later(v4.error());
            return;
        }
        relay->acceptors.push_back(std::move(v4.value()));
        if (auto v6 = listenOn(d.io, asio::ip::address_v6::loopback(), forward.hostPort, true); v6)
            relay->acceptors.push_back(std::move(v6.value()));
        else
            spdlog::info("ports: {} is not published on ::1: {}", forward.hostPort, v6.error().message);
    } else if (address.is_v4() && address.to_v4().is_unspecified()) {
        // Every interface: one dual-stack socket for IPv4 and IPv6, or IPv4 alone without IPv6.
        auto any = listenOn(d.io, asio::ip::address_v6::any(), forward.hostPort, false);
        if (!any)
            any = listenOn(d.io, address, forward.hostPort, false);
        if (!any) {
            later(any.error());
            return;
        }
        relay->acceptors.push_back(std::move(any.value()));
    } else {
        auto one = listenOn(d.io, address, forward.hostPort, address.is_v6());
        if (!one) {
            later(one.error());
            return;
        }
        relay->acceptors.push_back(std::move(one.value()));
    }
    // Listening from here on: a connection made before the private forwards exist waits in the
    // listen queue.
    d.relays[key] = relay;
    d.addPrivate(relay, forward, std::move(later));
}

void TcpRelays::remove(const PortForward& forward)
{
    auto& d = *m_impl;
    const auto it = d.relays.find(std::make_pair(forward.hostAddress, forward.hostPort));
    if (it == d.relays.end())
        return;
    d.close(*it->second);
    d.relays.erase(it);
}

std::size_t TcpRelays::connections() const
{
    return static_cast<std::size_t>(std::count_if(m_impl->pipes.begin(), m_impl->pipes.end(), [](const auto& weak) {
        auto pipe = weak.lock();
        return pipe && !pipe->closed;
    }));
}

std::size_t TcpRelays::retries() const
{
    return m_impl->retries;
}

} // namespace berth::vm
