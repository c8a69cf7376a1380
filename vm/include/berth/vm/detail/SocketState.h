#pragma once

#include <boost/asio/ip/tcp.hpp>

namespace berth::vm::detail {

// Whether `socket`'s connect has completed by now, without waiting and without touching its
// pending asynchronous connect (vm/src/platform/…/SocketState.cpp): writable, as poll() sees it;
// on Windows, where asio connects with ConnectEx, SO_CONNECT_TIME says whether it is connected.
bool connectedNow(boost::asio::ip::tcp::socket& socket);

// What waits on the connected `socket`, found without reading it and without waiting: nothing
// yet, bytes, or its end (the peer closed it, or the connection failed). recv(MSG_PEEK |
// MSG_DONTWAIT); on Windows select() and FIONREAD.
enum class Waiting
{
    Nothing,
    Data,
    Closed,
};
Waiting whatWaits(boost::asio::ip::tcp::socket& socket);

} // namespace berth::vm::detail
