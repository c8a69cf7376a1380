#include "berth/vm/BootChannel.h"

#include <charconv>
#include <cmath>

namespace berth::vm {

namespace asio = boost::asio;

namespace {

// The length of the well-formed UTF-8 sequence at the start of `text` (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 when it does not start with one.
std::size_t utf8SequenceAt(std::string_view text)
{
    const auto byte = [&text](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const auto c = byte(0);
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xbf; // the allowed range of the second byte
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        length = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        length = 3;
        low = c == 0xe0 ? 0xa0 : 0x80;
        high = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        length = 4;
        low = c == 0xf0 ? 0x90 : 0x80;
        high = c == 0xf4 ? 0x8f : 0xbf;
    } else
        return 0;
    if (text.size() < length || byte(1) < low || byte(1) > high)
        return 0;
    for (std::size_t i = 2; i < length; ++i)
        if (byte(i) < 0x80 || byte(i) > 0xbf)
            return 0;
    return length;
}

// `text` with each byte that is not part of well-formed UTF-8 replaced by U+FFFD. What the guest
// says ends up in the agent's status JSON, which must be UTF-8 to be written at all.
std::string validUtf8(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const auto length = utf8SequenceAt(text);
        if (length == 0) {
            out += "\xEF\xBF\xBD";
            text.remove_prefix(1);
        } else {
            out.append(text.substr(0, length));
            text.remove_prefix(length);
        }
    }
    return out;
}

} // namespace

std::optional<BootEvent> BootEvent::parse(std::string_view raw, std::chrono::steady_clock::time_point received)
{
    const auto clean = validUtf8(raw);
    std::string_view line = clean;
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
        // from_chars also reads "nan" and "inf", which JSON cannot carry.
        if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value) || value < 0)
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
