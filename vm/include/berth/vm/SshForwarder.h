#pragma once

#include "berth/vm/Result.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

namespace berth::vm {

// Forwards every connection to a host Unix socket to a Unix socket in the guest, over one
// persistent libssh2 session: one direct-streamlocal@openssh.com channel per connection, all
// driven by the io_context's thread (no thread per connection). Half-closes travel both ways
// (stdin EOF of `docker run -i`); a slow reader slows its own channel only.
// Not thread-safe: create, use and destroy it on the io_context's thread.
class SshForwarder final
{
public:
    struct Config
    {
        std::string host = "127.0.0.1";
        std::uint16_t port = 22;
        std::string user = "berth";
        std::filesystem::path privateKey;
        std::filesystem::path publicKey;
        std::string pinnedHostKey; // "TYPE AAAA…" (as SshKeys writes it): any other host key is refused
        std::filesystem::path listenSocket; // created 0600; a stale socket file is replaced
        std::string remoteSocket = "/run/docker.sock";
    };

    // Starts connecting and returns at once: the TCP connect, the SSH handshake, the pinned host
    // key check and the authentication run on the io_context without blocking it (bounded by
    // 10 s); then it listens on the host socket and calls onReady(Ok) on the io_context's thread.
    // On failure onReady gets an error saying which step failed (a host key mismatch says so
    // plainly), nothing is forwarded and the forwarder is inert. A session lost later is made
    // again the same way, with backoff. Destroying it first cancels all that; onReady does not
    // run then.
    static std::unique_ptr<SshForwarder> connect(boost::asio::io_context& io, const Config& config,
                                                 std::function<void(Status)> onReady);
    // Stops listening (removing the host socket it made) and closes every connection.
    ~SshForwarder();
    SshForwarder(const SshForwarder&) = delete;
    SshForwarder& operator=(const SshForwarder&) = delete;

    // Runs `command` in the guest on this session (an exec channel, as user `user`) and hands
    // `done` its standard output, on a later turn; an error when the session is not open, is
    // lost meanwhile or this forwarder is destroyed first, or when the command exits with a
    // status other than 0. Output beyond 1 MiB is dropped.
    void run(const std::string& command, std::function<void(Result<std::string>)> done);
    // Connections currently being forwarded.
    std::size_t activeConnections() const;

private:
    struct Impl;
    explicit SshForwarder(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> m_impl;
};

} // namespace berth::vm
