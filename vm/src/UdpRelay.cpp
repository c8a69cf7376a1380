#include "berth/vm/UdpRelay.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <iterator>
#include <map>
#include <string>

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

namespace berth::vm {

namespace asio = boost::asio;
using udp = asio::ip::udp;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr auto kIdle = 60s;
constexpr std::size_t kClientsPerPort = 256;
constexpr std::size_t kDatagram = 65536;

// One client on the IPv6 side, with its own socket towards the IPv4 forward.
struct Client
{
    explicit Client(asio::io_context& io) : upstream(io) {}
    udp::socket upstream;
    udp::endpoint peer;
    Clock::time_point lastUsed = Clock::now();
    std::array<char, kDatagram> buffer{};
};

struct Listener : std::enable_shared_from_this<Listener>
{
    Listener(asio::io_context& ctx, std::uint16_t p) : io(ctx), socket(ctx), sweep(ctx), port(p) {}

    asio::io_context& io;
    udp::socket socket;
    asio::steady_timer sweep;
    std::uint16_t port;
    using Clients = std::map<udp::endpoint, std::shared_ptr<Client>>;
    Clients clients;
    std::array<char, kDatagram> buffer{};
    udp::endpoint from;

    void receive()
    {
        socket.async_receive_from(asio::buffer(buffer), from,
                                  [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                                      if (ec == asio::error::operation_aborted || !self->socket.is_open())
                                          return;
                                      if (!ec)
                                          self->pass(n);
                                      self->receive();
                                  });
    }

    // A datagram from `from`: on to the IPv4 forward from that client's own socket.
    void pass(std::size_t n)
    {
        auto& client = clients[from];
        if (!client) {
            if (clients.size() > kClientsPerPort) // counts the new entry
                dropLongestIdle();
            client = std::make_shared<Client>(io);
            client->peer = from;
            boost::system::error_code ec;
            client->upstream.open(udp::v4(), ec);
            if (!ec)
                client->upstream.connect({asio::ip::address_v4::loopback(), port}, ec);
            if (ec) {
                spdlog::warn("ports: cannot relay UDP port {} from {}: {}", port, from.address().to_string(),
                             ec.message());
                clients.erase(from);
                return;
            }
            answer(client);
        }
        client->lastUsed = Clock::now();
        boost::system::error_code ignored; // UDP: a datagram that cannot go is lost, as on the wire
        client->upstream.send(asio::buffer(buffer.data(), n), 0, ignored);
    }

    // The forward's answers to a client, back to it from the listening socket.
    void answer(const std::shared_ptr<Client>& client)
    {
        client->upstream.async_receive(
            asio::buffer(client->buffer), [weak = weak_from_this(), client](boost::system::error_code ec, std::size_t n) {
                auto self = weak.lock();
                if (!self || ec == asio::error::operation_aborted || !client->upstream.is_open())
                    return;
                if (!ec) {
                    client->lastUsed = Clock::now();
                    boost::system::error_code ignored;
                    self->socket.send_to(asio::buffer(client->buffer.data(), n), client->peer, 0, ignored);
                }
                // A refused datagram (nothing listens in the container yet) is not the end.
                self->answer(client);
            });
    }

    // Makes room: the client idle longest goes (not the entry being made, still empty).
    void dropLongestIdle()
    {
        auto oldest = clients.end();
        for (auto it = clients.begin(); it != clients.end(); ++it)
            if (it->second &&
                (oldest == clients.end() || it->second->lastUsed < oldest->second->lastUsed))
                oldest = it;
        if (oldest != clients.end())
            drop(oldest);
    }

    // Ends a client: its socket closes (cancelling its pending receive) and it is forgotten.
    Clients::iterator drop(Clients::iterator it)
    {
        boost::system::error_code ignored;
        it->second->upstream.close(ignored);
        return clients.erase(it);
    }

    void sweepIdle()
    {
        sweep.expires_after(kIdle / 2);
        sweep.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
            auto self = weak.lock();
            if (ec || !self || !self->socket.is_open())
                return;
            const auto now = Clock::now();
            for (auto it = self->clients.begin(); it != self->clients.end();)
                it = now - it->second->lastUsed < kIdle ? std::next(it) : self->drop(it);
            self->sweepIdle();
        });
    }

    void close()
    {
        boost::system::error_code ignored;
        socket.close(ignored);
        sweep.cancel();
        for (auto it = clients.begin(); it != clients.end();)
            it = drop(it);
    }
};

} // namespace

struct UdpRelays::Impl
{
    explicit Impl(asio::io_context& ctx) : io(ctx) {}
    asio::io_context& io;
    std::map<std::pair<std::string, std::uint16_t>, std::shared_ptr<Listener>> listeners;
};

UdpRelays::UdpRelays(asio::io_context& io) : m_impl(std::make_shared<Impl>(io)) {}

UdpRelays::~UdpRelays()
{
    closeAll();
}

Status UdpRelays::add(const PortForward& forward)
{
    const auto key = std::make_pair(forward.hostAddress, forward.hostPort);
    if (m_impl->listeners.count(key))
        return Ok{};
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(forward.hostAddress, ec);
    if (ec || !address.is_v4() || !(address.to_v4().is_loopback() || address.to_v4().is_unspecified()))
        return Error{"'" + forward.hostAddress + "' has no IPv6 side to relay UDP port " +
                     std::to_string(forward.hostPort) + " on"};
    const auto v6 = address.to_v4().is_loopback() ? asio::ip::address_v6::loopback() : asio::ip::address_v6::any();
    auto listener = std::make_shared<Listener>(m_impl->io, forward.hostPort);
    listener->socket.open(udp::v6(), ec);
    if (!ec)
        listener->socket.set_option(asio::ip::v6_only(true), ec);
    if (!ec)
        listener->socket.bind({v6, forward.hostPort}, ec);
    if (ec) {
        spdlog::info("ports: UDP {} is not published on [{}]: {}", forward.hostPort, v6.to_string(), ec.message());
        return Ok{};
    }
    listener->receive();
    listener->sweepIdle();
    m_impl->listeners[key] = std::move(listener);
    return Ok{};
}

void UdpRelays::remove(const PortForward& forward)
{
    const auto it = m_impl->listeners.find(std::make_pair(forward.hostAddress, forward.hostPort));
    if (it == m_impl->listeners.end())
        return;
    it->second->close();
    m_impl->listeners.erase(it);
}

void UdpRelays::closeAll()
{
    for (auto& [key, listener] : m_impl->listeners)
        listener->close();
    m_impl->listeners.clear();
}

std::size_t UdpRelays::listeners() const
{
    return m_impl->listeners.size();
}

std::size_t UdpRelays::clients() const
{
    std::size_t count = 0;
    for (const auto& [key, listener] : m_impl->listeners)
        count += listener->clients.size();
    return count;
}

} // namespace berth::vm
