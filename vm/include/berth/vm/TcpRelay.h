#pragma once

#include "berth/vm/Result.h"
#include "berth/vm/VmDriver.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace berth::vm {

// A TCP port on 127.0.0.1 that was free a moment ago (for a QEMU forward); the error names
// `purpose`.
Result<std::uint16_t> freeLoopbackPort(boost::asio::io_context& io, const std::string& purpose);
// `count` such ports, all different.
Result<std::vector<std::uint16_t>> freeLoopbackPorts(boost::asio::io_context& io, std::size_t count,
                                                     const std::string& purpose);

// Published TCP ports, accepted on the host by the agent itself and carried into the guest
// through a private QEMU forward on 127.0.0.1.
//
// QEMU's own host listener (libslirp) takes IPv4 only and has a listen queue of one, so clients
// that try ::1 first for "localhost" were refused, and parallel connections beyond the queue had
// their SYN dropped and waited a full second for the retry. Here the host side listens with the
// system's full queue on 127.0.0.1 and ::1 (or on every IPv4 and IPv6 address for a port
// published on all interfaces). Each accepted connection then connects to the private forward
// with a short deadline: if QEMU's queue dropped the SYN, it tries again at once with a new one
// instead of waiting for the kernel's one-second retransmit. The bytes themselves still go through
// QEMU's forward (no encryption in the guest, unlike an SSH channel); the relay adds one copy on
// the host.
//
// Single-threaded: create, use and destroy it on the io_context's thread. Destroying it closes
// every connection it carries.
class TcpRelays final
{
public:
    TcpRelays(boost::asio::io_context& io, VmDriver& driver);
    ~TcpRelays();
    TcpRelays(const TcpRelays&) = delete;
    TcpRelays& operator=(const TcpRelays&) = delete;

    // Listens for `forward` (protocol tcp) on the host at once, adds its private forwards
    // through the driver, then accepts; connections made meanwhile wait in the listen queue.
    // `done` runs once, on a later turn of the io_context (unless these relays are destroyed
    // first, and it has already heard that the port is open): an error says which address another
    // program holds, or why the VM's forward failed, and nothing is left half made.
    void add(const PortForward& forward, VmDriver::Done done);
    // Stops listening for `forward` and removes its private forwards (also those an add() still
    // makes: that add() then fails); connections already made keep going. Errors are logged.
    void remove(const PortForward& forward);
    // Stops every listener, removes every private forward and closes every connection; the
    // destructor does this too.
    void closeAll();
    // Connections being carried now, and connect retries made so far (QEMU's queue was full).
    std::size_t connections() const;
    std::size_t retries() const;

private:
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

} // namespace berth::vm
