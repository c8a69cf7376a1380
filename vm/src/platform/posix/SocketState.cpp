#include "berth/vm/detail/SocketState.h"

#include <cerrno>
#include <poll.h>
#include <sys/socket.h>

namespace berth::vm::detail {

bool connectedNow(boost::asio::ip::tcp::socket& socket)
{
    pollfd check{socket.native_handle(), POLLOUT, 0};
    return ::poll(&check, 1, 0) == 1 && (check.revents & POLLOUT) != 0;
}

Waiting whatWaits(boost::asio::ip::tcp::socket& socket)
{
    char byte = 0;
    const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0)
        return Waiting::Data;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return Waiting::Nothing;
    return Waiting::Closed;
}

} // namespace berth::vm::detail
