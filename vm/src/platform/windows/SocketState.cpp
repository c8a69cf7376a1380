#include "berth/vm/detail/SocketState.h"

// winsock2.h first: mswsock.h builds on its types.
// clang-format off
#include <winsock2.h>
#include <mswsock.h>
// clang-format on

namespace berth::vm::detail {

bool connectedNow(boost::asio::ip::tcp::socket& socket)
{
    // Seconds since the connect completed, or 0xFFFFFFFF while it has not.
    DWORD seconds = 0xFFFFFFFF;
    int size = sizeof seconds;
    return getsockopt(socket.native_handle(), SOL_SOCKET, SO_CONNECT_TIME, reinterpret_cast<char*>(&seconds),
                      &size) == 0 &&
           seconds != 0xFFFFFFFF;
}

Waiting whatWaits(boost::asio::ip::tcp::socket& socket)
{
    // Readable with nothing to read is the end (or an error); readable with bytes is data.
    const SOCKET handle = socket.native_handle();
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(handle, &readable);
    timeval now{0, 0};
    const int ready = select(0, &readable, nullptr, nullptr, &now);
    if (ready == 0)
        return Waiting::Nothing;
    u_long available = 0;
    if (ready < 0 || ioctlsocket(handle, FIONREAD, &available) != 0)
        return Waiting::Closed;
    return available > 0 ? Waiting::Data : Waiting::Closed;
}

} // namespace berth::vm::detail
