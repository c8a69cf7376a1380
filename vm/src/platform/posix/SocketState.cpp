#include "berth/vm/detail/SocketState.h"

#include <poll.h>

namespace berth::vm::detail {

bool connectedNow(boost::asio::ip::tcp::socket& socket)
{
    pollfd check{socket.native_handle(), POLLOUT, 0};
    return ::poll(&check, 1, 0) == 1 && (check.revents & POLLOUT) != 0;
}

} // namespace berth::vm::detail
