#include "berth/vm/detail/JsonLineConnection.h"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <utility>

namespace berth::vm::detail {

int millisecondsLeft(JsonLineConnection::Clock::time_point deadline)
{
    // Rounded up: poll() must not return before the deadline, or a caller that checks the clock
    // after a timeout would find time left.
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - JsonLineConnection::Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

Result<JsonLineConnection> JsonLineConnection::connect(const std::filesystem::path& socket, const std::string& peer)
{
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (socket.string().size() >= sizeof address.sun_path)
        return Error{"socket path too long: " + socket.string()};
    std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return Error{std::string("cannot create a socket: ") + std::strerror(errno)};
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd);
        return Error{peer + " is not answering on " + socket.string() + " (" + why + ")"};
    }
    return JsonLineConnection(fd, peer);
}

JsonLineConnection::JsonLineConnection(JsonLineConnection&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_peer(std::move(other.m_peer)), m_buffer(std::move(other.m_buffer)),
      m_closed(other.m_closed)
{
}

JsonLineConnection& JsonLineConnection::operator=(JsonLineConnection&& other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
        m_peer = std::move(other.m_peer);
        m_buffer = std::move(other.m_buffer);
        m_closed = other.m_closed;
    }
    return *this;
}

JsonLineConnection::~JsonLineConnection()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

Status JsonLineConnection::send(const nlohmann::json& message)
{
    if (m_fd < 0)
        return Error{"the connection to " + m_peer + " is closed"};
    const auto text = message.dump() + "\n";
    std::size_t sent = 0;
    while (sent < text.size()) {
        const auto n = ::send(m_fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return Error{"cannot send to " + m_peer + ": " + std::strerror(errno)};
        sent += static_cast<std::size_t>(n);
    }
    return Ok{};
}

Result<nlohmann::json> JsonLineConnection::read(Clock::time_point deadline)
{
    for (;;) {
        if (const auto newline = m_buffer.find('\n'); newline != std::string::npos) {
            const auto line = m_buffer.substr(0, newline);
            m_buffer.erase(0, newline + 1);
            auto message = nlohmann::json::parse(line, nullptr, false);
            if (message.is_discarded() || !message.is_object())
                return Error{m_peer + " sent a malformed message: " + line.substr(0, 200)};
            return message;
        }
        if (m_buffer.size() > (1 << 20))
            return Error{m_peer + " sent a message over 1 MiB"};
        if (m_closed || m_fd < 0)
            return Error{m_peer + " closed the connection"};
        pollfd p{m_fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, millisecondsLeft(deadline));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return Error{"timed out waiting for " + m_peer};
        char chunk[4096];
        const auto n = ::read(m_fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            m_closed = true;
            return Error{m_peer + " closed the connection"};
        }
        m_buffer.append(chunk, static_cast<size_t>(n));
    }
}

} // namespace berth::vm::detail
