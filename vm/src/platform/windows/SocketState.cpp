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

} // namespace berth::vm::detail
