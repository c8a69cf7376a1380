#include "berth/vm/BootChannel.h"

#include <charconv>

namespace berth::vm {

namespace asio = boost::asio;

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
    if (kind == "engine") {
        const auto what = word();
        const auto up = number(word());
        if (!up || (what != "down" && what != "up"))
            return std::nullopt;
        event.kind = what == "down" ? BootEvent::Kind::EngineDown : BootEvent::Kind::EngineUp;
        event.name = "engine-" + std::string(what);
        event.guestUptime = *up;
        return event;
    }
    if (kind == "error" || kind == "notice") {
        event.kind = kind == "error" ? BootEvent::Kind::Error : BootEvent::Kind::Notice;
        while (!line.empty() && line.front() == ' ')
            line.remove_prefix(1);
        event.message = std::string(line);
        return event;
    }
    return std::nullopt;
}

Result<std::unique_ptr<BootChannel>> BootChannel::listen(asio::io_context& io, const std::filesystem::path& path)
{
    auto socket = LineSocket::listen(io, path);
    if (!socket)
        return socket.error();
    return std::unique_ptr<BootChannel>(new BootChannel(std::move(socket).value()));
}

BootChannel::BootChannel(std::unique_ptr<LineSocket> socket) : m_socket(std::move(socket)) {}

BootChannel::~BootChannel() = default;

void BootChannel::start(EventHandler onEvent, ClosedHandler onClosed)
{
    m_socket->start(
        [onEvent = std::move(onEvent)](std::string_view line) {
            if (auto event = BootEvent::parse(line, std::chrono::steady_clock::now()))
                onEvent(*event);
        },
        std::move(onClosed));
}

} // namespace berth::vm
