#include "berth/vm/BootChannel.h"

#include "UnixListener.h"

#include <charconv>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>

namespace berth::vm {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;
using Acceptor = asio::local::stream_protocol::acceptor;

std::optional<BootEvent> BootEvent::parse(std::string_view line, std::chrono::steady_clock::time_point received)
{
    const auto word = [&line]() {
        while (!line.empty() && line.front() == ' ')
            line.remove_prefix(1);
        const auto end = line.find(' ');
        auto w = line.substr(0, end);
        line.remove_prefix(end == std::string_view::npos ? line.size() : end);
        return w;
    };
    const auto number = [](std::string_view text) -> std::optional<double> {
        double value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc{} || end != text.data() + text.size() || value < 0)
            return std::nullopt;
        return value;
    };
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);

    BootEvent event;
    event.received = received;
    const auto kind = word();
    if (kind == "phase") {
        event.kind = BootEvent::Kind::Phase;
        event.name = std::string(word());
        const auto up = number(word());
        if (event.name.empty() || !up)
            return std::nullopt;
        event.guestUptime = *up;
        return event;
    }
    if (kind == "ready") {
        event.kind = BootEvent::Kind::Ready;
        event.name = "ready";
        const auto up = number(word());
        if (!up)
            return std::nullopt;
        event.guestUptime = *up;
        return event;
    }
    if (kind == "error") {
        event.kind = BootEvent::Kind::Error;
        while (!line.empty() && line.front() == ' ')
            line.remove_prefix(1);
        event.message = std::string(line);
        return event;
    }
    return std::nullopt;
}

struct BootChannel::Impl : std::enable_shared_from_this<BootChannel::Impl>
{
    Impl(asio::io_context& io, std::filesystem::path p) : acceptor(io), socket(io), path(std::move(p)) {}
    Acceptor acceptor;
    Socket socket;
    asio::streambuf buffer;
    std::filesystem::path path;
    EventHandler onEvent;
    ClosedHandler onClosed;
    bool alive = true;

    void readLine()
    {
        asio::async_read_until(socket, buffer, '\n', [this, self = shared_from_this()](boost::system::error_code ec,
                                                                                  std::size_t n) {
            if (!alive)
                return;
            if (ec) {
                if (onClosed)
                    onClosed();
                return;
            }
            std::string line(asio::buffers_begin(buffer.data()), asio::buffers_begin(buffer.data()) + n - 1);
            buffer.consume(n);
            if (auto event = BootEvent::parse(line, std::chrono::steady_clock::now()))
                onEvent(*event);
            readLine();
        });
    }
};

Result<std::unique_ptr<BootChannel>> BootChannel::listen(asio::io_context& io, const std::filesystem::path& path)
{
    auto impl = std::make_shared<Impl>(io, path);
    if (auto listening = detail::listenPrivately(impl->acceptor, path, 1); !listening)
        return listening.error();
    return std::unique_ptr<BootChannel>(new BootChannel(std::move(impl)));
}

BootChannel::BootChannel(std::shared_ptr<Impl> impl) : m_impl(std::move(impl)) {}

BootChannel::~BootChannel()
{
    m_impl->alive = false;
    boost::system::error_code ec;
    m_impl->socket.close(ec);
    m_impl->acceptor.close(ec);
    std::error_code fsError;
    std::filesystem::remove(m_impl->path, fsError);
}

void BootChannel::start(EventHandler onEvent, ClosedHandler onClosed)
{
    m_impl->onEvent = std::move(onEvent);
    m_impl->onClosed = std::move(onClosed);
    m_impl->acceptor.async_accept(m_impl->socket, [impl = m_impl](boost::system::error_code ec) {
        if (!impl->alive)
            return;
        if (ec) {
            if (impl->onClosed)
                impl->onClosed();
            return;
        }
        impl->readLine();
    });
}

} // namespace berth::vm
