// TcpRelays (and UdpRelays, last) against a stand-in for QEMU's forward that behaves as libslirp's does where it
// matters here: a listener on 127.0.0.1 with a queue of one that accepts slowly (one connection
// every few milliseconds, as QEMU's main loop does under load). The same relay runs against
// real QEMU in tst_portsshares and bench_portload.
#include "berth/vm/TcpRelay.h"
#include "berth/vm/UdpRelay.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <map>
#include <optional>
#include <atomic>
#include <netinet/in.h>
#include <sys/socket.h>
#include <functional>
#include <poll.h>
#include <thread>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <QTest>

using namespace berth::vm;
namespace asio = boost::asio;

namespace {

// A slow, shallow echo server per private forward: answers "hello:" and the first line it reads.
class SlowForward
{
public:
    explicit SlowForward(std::uint16_t port)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        ::setsockopt(m_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        m_ok = ::bind(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(m_fd, 1) == 0;
        m_thread = std::thread([this] {
            while (!m_stop) {
                std::this_thread::sleep_for(std::chrono::milliseconds(3));
                const int c = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
                if (c < 0)
                    continue;
                std::thread([c] {
                    const int flags = 0;
                    ::fcntl(c, F_SETFL, flags);
                    char buffer[256];
                    const ssize_t n = ::read(c, buffer, sizeof buffer);
                    if (n > 0) {
                        std::string reply = "hello:" + std::string(buffer, static_cast<size_t>(n));
                        (void)!::write(c, reply.data(), reply.size());
                    }
                    ::close(c);
                }).detach();
            }
        });
    }
    ~SlowForward()
    {
        m_stop = true;
        ::shutdown(m_fd, SHUT_RDWR);
        m_thread.join();
        ::close(m_fd);
    }
    bool ok() const { return m_ok; }

private:
    int m_fd = -1;
    bool m_ok = false;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

// Answers on a later turn of the io_context, as QEMU's driver does, after `delay` (a QEMU slow
// to answer its monitor).
class FakeDriver final : public VmDriver
{
public:
    explicit FakeDriver(asio::io_context& io) : m_io(io) {}
    std::map<std::uint16_t, std::unique_ptr<SlowForward>> forwards;
    std::chrono::milliseconds delay{0};
    int adds = 0;
    std::string name() const override { return "fake"; }
    Status create(const MachineSpec&) override { return Ok{}; }
    Status start(const MachineSpec&, Callbacks) override { return Ok{}; }
    void requestShutdown(Done done) override { later([done] { done(Ok{}); }); }
    void kill() override {}
    State state() const override { return State::Running; }
    std::string accelerator() const override { return "none"; }
    std::string acceleratorReason() const override { return {}; }
    void addPortForward(const PortForward& f, Done done) override
    {
        ++adds;
        later([this, f, done] {
            if (f.hostAddress != "127.0.0.1") {
                done(Error{"private forwards must be on 127.0.0.1, not " + f.hostAddress});
                return;
            }
            auto forward = std::make_unique<SlowForward>(f.hostPort);
            if (!forward->ok()) {
                done(Error{"port taken"});
                return;
            }
            forwards[f.hostPort] = std::move(forward);
            done(Ok{});
        });
    }
    void removePortForward(const PortForward& f, Done done) override
    {
        later([this, f, done] {
            forwards.erase(f.hostPort);
            done(Ok{});
        });
    }
    std::optional<int> pid() const override { return std::nullopt; }
    std::filesystem::path consoleLog() const override { return {}; }

private:
    void later(std::function<void()> work)
    {
        auto timer = std::make_shared<asio::steady_timer>(m_io, delay);
        timer->async_wait([timer, work = std::move(work)](boost::system::error_code) { work(); });
    }
    asio::io_context& m_io;
};

// Runs `io` until `relays.add(f)` has answered.
Status addNow(asio::io_context& io, TcpRelays& relays, const PortForward& f)
{
    std::optional<Status> result;
    relays.add(f, [&result](Status r) { result = std::move(r); });
    while (!result) {
        io.restart();
        io.run_one_for(std::chrono::seconds(5));
    }
    return *result;
}

// Runs what is ready on `io` (the driver's answers to removals).
void settle(asio::io_context& io)
{
    io.restart();
    io.run_for(std::chrono::milliseconds(50));
}

std::uint16_t freePort()
{
    asio::io_context io;
    asio::ip::tcp::acceptor a(io, {asio::ip::address_v4::loopback(), 0});
    return a.local_endpoint().port();
}

// One request through the relay from another thread: what came back, empty on failure.
std::string ask(const std::string& address, std::uint16_t port, const std::string& line)
{
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    boost::system::error_code ec;
    s.connect({asio::ip::make_address(address), port}, ec);
    if (ec)
        return {};
    asio::write(s, asio::buffer(line), ec);
    s.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    std::string reply;
    char buffer[256];
    for (std::size_t n; (n = s.read_some(asio::buffer(buffer), ec)) > 0 || !ec;)
        reply.append(buffer, n);
    return reply;
}

} // namespace

class TestTcpRelay final : public QObject
{
    Q_OBJECT

private slots:
    // 60 clients at once on 127.0.0.1 and ::1 all get their own answer, although the forwards
    // behind the relay queue only two connections each and accept one per 3 ms.
    void parallelConnectionsAllArriveOnBothLoopbacks()
    {
        asio::io_context io;
        FakeDriver driver(io);
        TcpRelays relays(io, driver);
        PortForward f{"tcp", "127.0.0.1", freePort(), "10.0.2.15", 8080};
        const auto added = addNow(io, relays, f);
        QVERIFY2(added, added ? "" : added.error().message.c_str());
        settle(io); // the other three private forwards join
        QCOMPARE(driver.forwards.size(), std::size_t{4});

        std::thread loop([&] {
            auto guard = asio::make_work_guard(io);
            io.run();
        });
        std::vector<std::thread> clients;
        std::vector<std::string> replies(60);
        for (int i = 0; i < 60; ++i)
            clients.emplace_back([&, i] {
                replies[static_cast<size_t>(i)] = ask(i % 2 ? "::1" : "127.0.0.1", f.hostPort,
                                                      "client " + std::to_string(i) + "\n");
            });
        for (auto& c : clients)
            c.join();
        asio::post(io, [&] { io.stop(); });
        loop.join();
        for (int i = 0; i < 60; ++i)
            QCOMPARE(replies[static_cast<size_t>(i)], "hello:client " + std::to_string(i) + "\n");
        // The stand-in's queues did overflow, so the answers above came through the retry path.
        qInfo("connect retries after a dropped SYN: %zu", relays.retries());
        QVERIFY(relays.retries() > 0);
    }

    // A host port another program holds is refused, naming it, with nothing left behind; after
    // remove(), the port is free and the private forwards are gone.
    void takenPortIsNamedAndRemoveFreesEverything()
    {
        asio::io_context io;
        FakeDriver driver(io);
        TcpRelays relays(io, driver);
        asio::ip::tcp::acceptor squatter(io, {asio::ip::address_v4::loopback(), 0});
        PortForward taken{"tcp", "127.0.0.1", squatter.local_endpoint().port(), "10.0.2.15", 80};
        const auto refused = addNow(io, relays, taken);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.find("another program on this computer is using 127.0.0.1:" +
                                              std::to_string(taken.hostPort) + "/tcp") != std::string::npos,
                 refused.error().message.c_str());
        QVERIFY(driver.forwards.empty());
        QCOMPARE(driver.adds, 0);

        PortForward f{"tcp", "127.0.0.1", freePort(), "10.0.2.15", 80};
        QVERIFY(addNow(io, relays, f));
        settle(io);
        QCOMPARE(driver.forwards.size(), std::size_t{4});
        relays.remove(f);
        settle(io);
        QVERIFY(driver.forwards.empty());
        asio::ip::tcp::acceptor again(io);
        boost::system::error_code ec;
        again.open(asio::ip::tcp::v4(), ec);
        again.bind({asio::ip::address_v4::loopback(), f.hostPort}, ec);
        QVERIFY2(!ec, ec.message().c_str());
    }

    // While QEMU is slow to make the private forwards (a busy monitor), the host port already
    // listens: a client that connects meanwhile waits in the queue and is answered once they
    // exist, and the io_context keeps serving everything else all the while.
    void aConnectionMadeWhileTheForwardIsMadeWaitsAndArrives()
    {
        asio::io_context io;
        FakeDriver driver(io);
        driver.delay = std::chrono::milliseconds(600); // QEMU answers the four forwards after 600 ms
        TcpRelays relays(io, driver);
        PortForward f{"tcp", "127.0.0.1", freePort(), "10.0.2.15", 80};
        std::optional<Status> added;
        relays.add(f, [&added](Status r) { added = std::move(r); });
        QVERIFY(!added);
        std::string reply;
        std::thread client([&] { reply = ask("127.0.0.1", f.hostPort, "early\n"); });
        int ticks = 0;
        asio::steady_timer ticker(io);
        std::function<void()> tick = [&] {
            ticker.expires_after(std::chrono::milliseconds(10));
            ticker.async_wait([&](boost::system::error_code ec) {
                if (ec)
                    return;
                ++ticks;
                if (!added)
                    tick();
            });
        };
        tick();
        std::thread loop([&] {
            auto guard = asio::make_work_guard(io);
            io.run();
        });
        client.join();
        asio::post(io, [&] { io.stop(); });
        loop.join();
        QVERIFY(added && *added);
        QCOMPARE(reply, std::string("hello:early\n"));
        QVERIFY2(ticks >= 20, qPrintable(QString("the loop ran its timer only %1 times in 600 ms").arg(ticks)));
    }

    // remove() while the private forwards are still being made: that add() fails, saying so, and
    // the forwards QEMU makes after that are removed.
    void removeWhileAddingLeavesNothing()
    {
        asio::io_context io;
        FakeDriver driver(io);
        driver.delay = std::chrono::milliseconds(20);
        TcpRelays relays(io, driver);
        PortForward f{"tcp", "127.0.0.1", freePort(), "10.0.2.15", 80};
        std::optional<Status> added;
        relays.add(f, [&added](Status r) { added = std::move(r); });
        relays.remove(f); // QEMU has not answered yet: it makes the forwards, which are then removed
        while (!added) {
            io.restart();
            io.run_one_for(std::chrono::seconds(5));
        }
        settle(io);
        QVERIFY(!*added);
        QVERIFY2(added->error().message.find("unpublished") != std::string::npos, added->error().message.c_str());
        QVERIFY(driver.forwards.empty());
        QCOMPARE(relays.connections(), std::size_t{0});
        QVERIFY(addNow(io, relays, f)); // the port is free to publish again
    }

    // UDP's IPv6 side: datagrams to [::1]:P reach the IPv4 forward at 127.0.0.1:P (here an echo
    // server standing in for QEMU's), and each of two clients gets its own answers back.
    void udpOnIpv6ReachesTheIpv4Forward()
    {
        asio::io_context io;
        asio::ip::udp::socket forward(io, {asio::ip::address_v4::loopback(), 0});
        const auto port = forward.local_endpoint().port();
        std::array<char, 512> echoBuffer{};
        asio::ip::udp::endpoint sender;
        std::function<void()> echo = [&] {
            forward.async_receive_from(asio::buffer(echoBuffer), sender, [&](boost::system::error_code ec, std::size_t n) {
                if (ec)
                    return;
                forward.send_to(asio::buffer("echo:" + std::string(echoBuffer.data(), n)), sender);
                echo();
            });
        };
        echo();
        UdpRelays relays(io);
        QVERIFY(relays.add({"udp", "127.0.0.1", port, "10.0.2.15", 53}));
        QCOMPARE(relays.listeners(), std::size_t{1});
        QVERIFY(!relays.add({"udp", "192.0.2.7", port, "10.0.2.15", 53})); // no IPv6 side to serve

        std::thread loop([&] {
            auto guard = asio::make_work_guard(io);
            io.run();
        });
        const auto ask = [port](const std::string& text) {
            asio::io_context own;
            asio::ip::udp::socket client(own, asio::ip::udp::v6());
            client.send_to(asio::buffer(text), {asio::ip::address_v6::loopback(), port});
            std::array<char, 512> answer{};
            pollfd p{client.native_handle(), POLLIN, 0};
            if (::poll(&p, 1, 2000) != 1)
                return std::string("(no answer)");
            return std::string(answer.data(), client.receive(asio::buffer(answer)));
        };
        const auto first = ask("one");
        const auto second = ask("two");
        std::size_t clients = 0;
        asio::post(io, [&] {
            clients = relays.clients();
            relays.closeAll();
            forward.close();
            io.stop();
        });
        loop.join();
        QCOMPARE(first, std::string("echo:one"));
        QCOMPARE(second, std::string("echo:two"));
        QCOMPARE(clients, std::size_t{2}); // a socket of each one's own towards the forward
        QCOMPARE(relays.listeners(), std::size_t{0});
    }
};

QTEST_GUILESS_MAIN(TestTcpRelay)
#include "tst_tcprelay.moc"
