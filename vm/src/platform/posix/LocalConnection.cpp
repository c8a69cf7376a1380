#include "berth/vm/detail/LocalConnection.h"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace berth::vm::detail {

Result<LocalConnection> LocalConnection::connect(const std::filesystem::path& where, const std::string& peer)
{
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (where.string().size() >= sizeof address.sun_path)
        return Error{"socket path too long: " + where.string()};
    std::strncpy(address.sun_path, where.c_str(), sizeof address.sun_path - 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return Error{std::string("cannot create a socket: ") + std::strerror(errno)};
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd);
        return Error{peer + " is not answering on " + where.string() + " (" + why + ")"};
    }
    return LocalConnection(fd, peer);
}

void LocalConnection::close()
{
    if (m_handle >= 0)
        ::close(static_cast<int>(m_handle));
    m_handle = -1;
}

Status LocalConnection::sendAll(std::string_view bytes)
{
    if (m_handle < 0)
        return Error{"the connection to " + m_peer + " is closed"};
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const auto n =
            ::send(static_cast<int>(m_handle), bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return Error{"cannot send to " + m_peer + ": " + std::strerror(errno)};
        sent += static_cast<std::size_t>(n);
    }
    return Ok{};
}

Result<std::size_t> LocalConnection::readSome(char* buffer, std::size_t size, Clock::time_point deadline)
{
    if (m_handle < 0)
        return std::size_t{0};
    for (;;) {
        pollfd p{static_cast<int>(m_handle), POLLIN, 0};
        const int ready = ::poll(&p, 1, millisecondsLeft(deadline));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return Error{"timed out waiting for " + m_peer};
        const auto n = ::read(static_cast<int>(m_handle), buffer, size);
        if (n < 0 && errno == EINTR)
            continue;
        return static_cast<std::size_t>(n < 0 ? 0 : n); // a reset ends it as a close does
    }
}

} // namespace berth::vm::detail
