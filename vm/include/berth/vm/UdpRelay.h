#pragma once

#include "berth/vm/Result.h"
#include "berth/vm/VmDriver.h"

#include <cstddef>
#include <memory>

#include <boost/asio/io_context.hpp>

namespace berth::vm {

// The IPv6 side of published UDP ports. QEMU's UDP forward listens on IPv4 only (127.0.0.1, or
// 0.0.0.0 for every interface), so for each such port the agent listens on ::1 (or on every
// IPv6 address) and passes each datagram on to the forward at 127.0.0.1 from a socket of that
// client's own, whose answers go back to the client. A client's socket closes after 60 s
// without traffic, and at most 256 clients per port are kept (the longest idle goes first).
//
// Single-threaded: create, use and destroy it on the io_context's thread.
class UdpRelays final
{
public:
    explicit UdpRelays(boost::asio::io_context& io);
    ~UdpRelays();
    UdpRelays(const UdpRelays&) = delete;
    UdpRelays& operator=(const UdpRelays&) = delete;

    // Listens on the IPv6 side of `forward` (protocol udp, host address 127.0.0.1 or 0.0.0.0),
    // relaying to 127.0.0.1 on the same port, where the IPv4 forward must be. When this computer
    // has no IPv6, or another program holds the port there, it says so in the log and the port
    // stays IPv4 only, as before; an error only for an address it cannot relay.
    Status add(const PortForward& forward);
    void remove(const PortForward& forward);
    // Stops every listener and closes every client's socket; the destructor does this too.
    void closeAll();
    // IPv6 listeners open, and clients being relayed now.
    std::size_t listeners() const;
    std::size_t clients() const;

private:
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

} // namespace berth::vm
