#include "berth/vm/SshForwarder.h"

#include "berth/vm/LocalListener.h"
#include "berth/vm/detail/SocketState.h"
#include "berth/vm/detail/SshWire.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <list>
#include <map>
#include <mutex>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <libssh2.h>
#include <spdlog/spdlog.h>

namespace berth::vm {

namespace asio = boost::asio;
using Tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kBufferSize = 256 * 1024;

// libssh2's global state (its crypto back end); 0 when it is ready, else libssh2's error code.
int initLibssh2Once()
{
    static std::once_flag once;
    static int result = 0;
    std::call_once(once, [] { result = libssh2_init(0); });
    return result;
}

// The raw key blob of an OpenSSH public key line ("ssh-ed25519 AAAA… comment").
std::string keyBlob(const std::string& line)
{
    const auto start = line.find(' ');
    if (start == std::string::npos)
        return {};
    auto end = line.find_first_of(" \n", start + 1);
    const auto b64 = line.substr(start + 1, end == std::string::npos ? std::string::npos : end - start - 1);
    return detail::base64Decode(b64).value_or(std::string());
}

std::string lastError(LIBSSH2_SESSION* session)
{
    char* message = nullptr;
    libssh2_session_last_error(session, &message, nullptr, 0);
    return message ? message : "unknown error";
}

// The direct-streamlocal@openssh.com request body (OpenSSH PROTOCOL, 2.4): socket path,
// reserved string, reserved uint32. libssh2 1.10 has no helper for it.
std::string streamlocalMessage(const std::string& path)
{
    std::string m;
    detail::putString(m, path);
    detail::putString(m, ""); // the reserved string and uint32: an empty string is a zero uint32
    detail::putU32(m, 0);
    return m;
}

// The guest is the expensive end of the session (under emulation it does its crypto in software,
// without SHA instructions): libssh2 1.10's default MAC, hmac-sha2-256, made bulk transfers
// about a quarter slower than hmac-sha2-512, which works in 64-bit words and is at least as
// strong. Curve25519 is the cheap and modern choice for the key exchange (ecdh-sha2-nistp256 where
// libssh2 has no Curve25519: WinCNG); the host key can only be of the pinned key's type.
void preferFastMethods(LIBSSH2_SESSION* session, const std::string& hostKeyType)
{
    const std::pair<int, const char*> prefs[] = {
        {LIBSSH2_METHOD_KEX, "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256"},
        {LIBSSH2_METHOD_HOSTKEY, hostKeyType.c_str()},
        {LIBSSH2_METHOD_CRYPT_CS, "aes128-ctr,aes256-ctr"},
        {LIBSSH2_METHOD_CRYPT_SC, "aes128-ctr,aes256-ctr"},
        {LIBSSH2_METHOD_MAC_CS, "hmac-sha2-512,hmac-sha2-256"},
        {LIBSSH2_METHOD_MAC_SC, "hmac-sha2-512,hmac-sha2-256"},
    };
    for (const auto& [method, list] : prefs) {
        if (libssh2_session_method_pref(session, method, list) != 0)
            spdlog::warn("ssh forward: libssh2 refused the method preference '{}'; using its defaults", list);
    }
}

} // namespace

struct SshForwarder::Impl : std::enable_shared_from_this<SshForwarder::Impl>
{
    struct Connection
    {
        explicit Connection(asio::io_context& io) : client(io) {}
        LocalListener::Stream client;
        LIBSSH2_CHANNEL* channel = nullptr;
        bool open = false;
        // client → guest
        std::array<char, kBufferSize> up{};
        std::size_t upLength = 0, upOffset = 0;
        bool upReading = false, clientEof = false, eofSent = false;
        // guest → client
        std::array<char, kBufferSize> down{};
        std::size_t downLength = 0;
        bool downWriting = false, channelEof = false, clientShut = false, clientGone = false;
        bool done = false; // finished: closed as soon as no client I/O is pending
    };

    // A command run in the guest on the forwarder's own session (an exec channel), its standard
    // output collected.
    struct Exec
    {
        std::string command;
        std::function<void(Result<std::string>)> done;
        LIBSSH2_CHANNEL* channel = nullptr;
        bool started = false;
        std::string output;
    };

    // Hands a command its outcome on a later turn, once.
    void answer(Exec& e, Result<std::string> result)
    {
        if (e.done)
            asio::post(io, [done = std::exchange(e.done, {}), result = std::move(result)] { done(result); });
    }
    static Error execError(const std::string& command, const std::string& why)
    {
        return Error{"cannot run `" + command + "` in the VM: " + why};
    }

    Impl(asio::io_context& context, Config c)
        : io(context), config(std::move(c)), ssh(context), listener(context), keepalive(context)
    {
    }

    ~Impl()
    {
        for (auto& e : std::exchange(execs, {})) { // nobody is left to tell
            if (e.channel)
                libssh2_channel_free(e.channel);
        }
        teardownSession(true);
    }

    asio::io_context& io;
    Config config;
    Tcp::socket ssh;
    LIBSSH2_SESSION* session = nullptr;
    LocalListener listener; // the engine socket on the host
    asio::steady_timer keepalive;
    std::map<unsigned, std::shared_ptr<Connection>> connections;
    std::list<Exec> execs; // in the order asked
    // The connection or command whose channel open libssh2 is in the middle of: a session has one
    // open in progress, and any other open call would resume it and take its channel.
    const void* opener = nullptr;
    unsigned nextId = 1;
    bool readArmed = false, writeArmed = false, stopped = false, pumping = false;
    bool listening = false; // the host socket is ours (removed when this ends)
    bool idleDataPending = false; // unread bytes arrived while no connection needed the session
    static constexpr std::chrono::milliseconds kFirstRetry{200}, kLastRetry{5000};
    std::chrono::milliseconds retryDelay{0}; // of the last failed reconnect; 0 after a success

    // One attempt at a session, driven by the io_context: the TCP connect, then libssh2's
    // handshake and authentication in non-blocking mode, each step resumed when the socket is
    // ready in the direction libssh2 is blocked on. Nothing waits on this thread. The whole
    // attempt is bounded by kHandshakeTimeout. `done` runs once, unless stop() comes first.
    static constexpr std::chrono::seconds kHandshakeTimeout{10};
    LIBSSH2_SESSION* handshaking = nullptr; // the session being set up; `session` once it works
    std::uint64_t attempt = 0;              // a newer attempt (or a stop) orphans an older one's handlers
    asio::steady_timer attemptDeadline{io};
    std::function<void(Status)> attemptDone;

    void connectSession(std::function<void(Status)> done)
    {
        const auto mine = ++attempt;
        attemptDone = std::move(done);
        if (const int rc = initLibssh2Once(); rc != 0) {
            endAttempt(mine, Error{"libssh2 could not initialise its crypto back end (error " + std::to_string(rc) + ")"});
            return;
        }
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(config.host, ec);
        if (ec) {
            endAttempt(mine, Error{"'" + config.host + "' is not an IP address"});
            return;
        }
        ssh = Tcp::socket(io);
        attemptDeadline.expires_after(kHandshakeTimeout);
        attemptDeadline.async_wait([weak = weak_from_this(), mine](boost::system::error_code timerError) {
            auto self = weak.lock();
            if (timerError || !self || self->attempt != mine)
                return;
            self->endAttempt(mine, Error{"the VM's SSH server on " + self->config.host + ":" +
                                         std::to_string(self->config.port) + " did not complete the handshake within " +
                                         std::to_string(kHandshakeTimeout.count()) + " s"});
        });
        ssh.async_connect(Tcp::endpoint(address, config.port), [weak = weak_from_this(), mine](boost::system::error_code connectError) {
            auto self = weak.lock();
            if (!self || self->attempt != mine)
                return;
            if (connectError) {
                self->endAttempt(mine, Error{"cannot reach the VM's SSH server on " + self->config.host + ":" +
                                             std::to_string(self->config.port) + ": " + connectError.message()});
                return;
            }
            boost::system::error_code ignored;
            self->ssh.set_option(Tcp::no_delay(true), ignored);
            self->handshaking = libssh2_session_init();
            if (!self->handshaking) {
                self->endAttempt(mine, Error{"libssh2 could not create an SSH session (out of memory?)"});
                return;
            }
            libssh2_session_set_blocking(self->handshaking, 0);
            preferFastMethods(self->handshaking,
                              self->config.pinnedHostKey.substr(0, self->config.pinnedHostKey.find(' ')));
            self->handshakeStep(mine, false);
        });
    }

    // Runs the handshake (then, `authenticating`, the key authentication) as far as it goes
    // without blocking, and waits for the socket when libssh2 says EAGAIN.
    void handshakeStep(std::uint64_t mine, bool authenticating)
    {
        LIBSSH2_SESSION* s = handshaking;
        if (!authenticating) {
            const int rc = libssh2_session_handshake(s, ssh.native_handle());
            if (rc == LIBSSH2_ERROR_EAGAIN) {
                waitForSocket(mine, false);
                return;
            }
            if (rc != 0) {
                endAttempt(mine, Error{"SSH handshake with the VM failed: " + lastError(s)});
                return;
            }
            std::size_t length = 0;
            int type = 0;
            const char* key = libssh2_session_hostkey(s, &length, &type);
            const auto pinned = keyBlob(config.pinnedHostKey);
            if (!key || pinned.empty() || std::string(key, length) != pinned) {
                endAttempt(mine, Error{"the SSH host key at 127.0.0.1:" + std::to_string(config.port) +
                                       " does not match the key pinned for this instance; refusing to connect (another "
                                       "program may be answering there, or the pinned key file was changed)"});
                return;
            }
        }
        // libssh2 opens the files by narrow name (the ANSI code page on Windows).
        const int rc = libssh2_userauth_publickey_fromfile_ex(
            s, config.user.c_str(), static_cast<unsigned>(config.user.size()),
            config.publicKey.string().c_str(), config.privateKey.string().c_str(), nullptr);
        if (rc == LIBSSH2_ERROR_EAGAIN) {
            waitForSocket(mine, true);
            return;
        }
        if (rc != 0) {
            endAttempt(mine, Error{"the VM refused Berth's SSH key for user " + config.user + ": " + lastError(s)});
            return;
        }
        // No reply wanted: an idle session then has nothing unread on its socket.
        libssh2_keepalive_config(s, 0, 5);
        session = std::exchange(handshaking, nullptr);
        endAttempt(mine, Ok{});
    }

    void waitForSocket(std::uint64_t mine, bool authenticating)
    {
        const bool out = (libssh2_session_block_directions(handshaking) & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0;
        ssh.async_wait(out ? Tcp::socket::wait_write : Tcp::socket::wait_read,
                       [weak = weak_from_this(), mine, authenticating](boost::system::error_code ec) {
                           auto self = weak.lock();
                           if (!self || self->attempt != mine)
                               return;
                           if (ec) {
                               self->endAttempt(mine, Error{"the SSH connection to the VM failed: " + ec.message()});
                               return;
                           }
                           self->handshakeStep(mine, authenticating);
                       });
    }

    void endAttempt(std::uint64_t mine, Status result)
    {
        if (attempt != mine || !attemptDone)
            return;
        ++attempt; // the attempt's other handlers find themselves orphaned
        attemptDeadline.cancel();
        if (!result) {
            if (handshaking) {
                libssh2_session_free(handshaking);
                handshaking = nullptr;
            }
            boost::system::error_code ignored;
            ssh.close(ignored);
        }
        auto done = std::exchange(attemptDone, {});
        done(std::move(result));
    }

    // Drops the session. Connections whose channel was open die with it; ones still waiting for
    // a channel are kept for the next session unless `everything`.
    void teardownSession(bool everything)
    {
        for (auto it = connections.begin(); it != connections.end();) {
            auto& c = *it->second;
            if (!everything && !c.open) {
                ++it;
                continue;
            }
            if (c.channel)
                libssh2_channel_free(c.channel);
            c.channel = nullptr;
            boost::system::error_code ec;
            c.client.close(ec);
            it = connections.erase(it);
        }
        opener = nullptr;
        for (auto& e : std::exchange(execs, {})) {
            if (e.channel)
                libssh2_channel_free(e.channel);
            answer(e, execError(e.command, "the SSH session ended"));
        }
        if (session) {
            libssh2_session_free(session);
            session = nullptr;
        }
        if (handshaking) {
            libssh2_session_free(handshaking);
            handshaking = nullptr;
        }
        boost::system::error_code ec;
        ssh.close(ec);
    }

    void accept()
    {
        auto c = std::make_shared<Connection>(io);
        listener.asyncAccept(c->client, [self = shared_from_this(), c](boost::system::error_code ec) {
            if (self->stopped || ec == asio::error::operation_aborted)
                return;
            if (!ec) {
                self->connections.emplace(self->nextId++, c);
                self->pump();
            }
            self->accept();
        });
    }

    void scheduleKeepalive()
    {
        keepalive.expires_after(std::chrono::seconds(5));
        keepalive.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
            auto self = weak.lock();
            if (!self || ec || self->stopped || !self->session)
                return;
            int next = 0;
            if (socketError(libssh2_keepalive_send(self->session, &next))) {
                spdlog::warn("ssh forward: the SSH session to the VM is gone; reconnecting");
                self->reconnect();
                return;
            }
            self->pump();
            self->scheduleKeepalive();
        });
    }

    // Arms readiness waits on the SSH socket for whatever libssh2 is blocked on. While no
    // connection needs the session, the read wait stays armed too, to notice at once when the
    // guest closes the session, and reconnect before the next client arrives.
    void arm()
    {
        if (!session)
            return;
        const bool needed = wantsSessionInput();
        if (needed)
            idleDataPending = false; // libssh2 reads it now
        if (!readArmed && (needed || !idleDataPending)) {
            readArmed = true;
            ssh.async_wait(Tcp::socket::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
                self->readArmed = false;
                if (ec || self->stopped)
                    return;
                if (self->wantsSessionInput())
                    self->pump();
                else
                    self->idleReadable();
            });
        }
        if (!writeArmed && (libssh2_session_block_directions(session) & LIBSSH2_SESSION_BLOCK_OUTBOUND)) {
            writeArmed = true;
            ssh.async_wait(Tcp::socket::wait_write, [self = shared_from_this()](boost::system::error_code ec) {
                self->writeArmed = false;
                if (!ec && !self->stopped)
                    self->pump();
            });
        }
    }

    // The socket became readable while nothing needed the session: the guest closed it (then
    // reconnect), or sent something libssh2 will read with its next call (stop watching until
    // then, so the readable socket does not spin the loop).
    void idleReadable()
    {
        const auto waiting = detail::whatWaits(ssh);
        if (waiting == detail::Waiting::Closed) {
            spdlog::warn("ssh forward: the VM closed the idle SSH session; reconnecting");
            reconnect();
            return;
        }
        if (waiting == detail::Waiting::Data)
            idleDataPending = true;
        arm();
    }

    static bool fatal(ssize_t rc) { return rc < 0 && rc != LIBSSH2_ERROR_EAGAIN; }
    static bool socketError(ssize_t rc)
    {
        return rc == LIBSSH2_ERROR_SOCKET_SEND || rc == LIBSSH2_ERROR_SOCKET_RECV ||
               rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_TIMEOUT;
    }
    // True when some connection will call into libssh2 on the next pump: only then is data
    // arriving on the SSH socket consumed, so only then may a read wait be armed.
    bool wantsSessionInput() const
    {
        for (const auto& [id, c] : connections) {
            if (!c->open || (c->downLength == 0 && !c->channelEof) || c->upOffset < c->upLength ||
                (c->clientEof && !c->eofSent))
                return true;
        }
        return !execs.empty();
    }

    // Moves one command forward; true once it has finished (its `done` then runs) or failed.
    bool progressExec(Exec& e, bool& moved, bool& sessionLost)
    {
        const auto failed = [&](const std::string& step) {
            const int err = libssh2_session_last_errno(session);
            sessionLost = socketError(err);
            if (e.channel) {
                libssh2_channel_free(e.channel);
                e.channel = nullptr;
            }
            answer(e, execError(e.command, step + ": " + lastError(session)));
            return true;
        };
        if (!e.channel) {
            if (opener && opener != &e)
                return false; // another channel is being opened: libssh2 has one open in progress per session
            e.channel = libssh2_channel_open_session(session);
            if (!e.channel && libssh2_session_last_errno(session) == LIBSSH2_ERROR_EAGAIN) {
                opener = &e;
                return false;
            }
            opener = nullptr;
            if (!e.channel)
                return failed("no session channel");
            moved = true;
        }
        if (!e.started) {
            const int rc = libssh2_channel_process_startup(e.channel, "exec", 4, e.command.data(),
                                                           static_cast<unsigned>(e.command.size()));
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return false;
            if (rc != 0)
                return failed("the guest refused it");
            e.started = true;
            moved = true;
        }
        std::array<char, 4096> buffer{};
        for (;;) {
            const auto n = libssh2_channel_read(e.channel, buffer.data(), buffer.size());
            if (n > 0) {
                if (e.output.size() < 1024 * 1024)
                    e.output.append(buffer.data(), static_cast<std::size_t>(n));
                moved = true;
                continue;
            }
            if (n == LIBSSH2_ERROR_EAGAIN && !libssh2_channel_eof(e.channel))
                return false;
            if (n < 0 && n != LIBSSH2_ERROR_EAGAIN)
                return failed("reading its output");
            break; // end of output
        }
        // Discard what it printed on stderr; then its exit status.
        while (libssh2_channel_read_stderr(e.channel, buffer.data(), buffer.size()) > 0) {
        }
        const int closed = libssh2_channel_close(e.channel);
        if (closed == LIBSSH2_ERROR_EAGAIN)
            return false;
        const int status = libssh2_channel_get_exit_status(e.channel);
        libssh2_channel_free(e.channel);
        e.channel = nullptr;
        moved = true;
        Result<std::string> result = std::move(e.output);
        if (status != 0)
            result = Error{"`" + e.command + "` exited with status " + std::to_string(status) + " in the VM"};
        answer(e, std::move(result));
        return true;
    }

    // Moves one connection forward as far as it can without blocking; true if anything moved.
    // Sets `sessionLost` when libssh2 reports the session itself is gone.
    bool progress(Connection& c, bool& finished, bool& sessionLost)
    {
        bool moved = false;
        if (!c.open) {
            if (opener && opener != &c)
                return false; // another channel is being opened: libssh2 has one open in progress per session
            const auto message = streamlocalMessage(config.remoteSocket);
            c.channel = libssh2_channel_open_ex(session, "direct-streamlocal@openssh.com", 30,
                                                LIBSSH2_CHANNEL_WINDOW_DEFAULT * 8, LIBSSH2_CHANNEL_PACKET_DEFAULT,
                                                message.data(), static_cast<unsigned>(message.size()));
            const int err = c.channel ? 0 : libssh2_session_last_errno(session);
            opener = err == LIBSSH2_ERROR_EAGAIN ? static_cast<const void*>(&c) : nullptr;
            if (!c.channel) {
                if (err == LIBSSH2_ERROR_EAGAIN)
                    return false;
                spdlog::warn("ssh forward: the guest refused a channel to {}: {}", config.remoteSocket,
                             lastError(session));
                if (socketError(err)) {
                    sessionLost = true; // the connection waits for the next session
                    return false;
                }
                finished = true;
                return true;
            }
            c.open = true;
            moved = true;
        }

        // client → guest
        while (c.upOffset < c.upLength) {
            const auto n = libssh2_channel_write(c.channel, c.up.data() + c.upOffset, c.upLength - c.upOffset);
            if (n == LIBSSH2_ERROR_EAGAIN)
                break;
            if (fatal(n)) {
                sessionLost = socketError(n);
                finished = true;
                return true;
            }
            c.upOffset += static_cast<std::size_t>(n);
            moved = true;
        }
        if (c.upOffset == c.upLength && c.upLength != 0) {
            c.upOffset = c.upLength = 0;
            moved = true;
        }
        if (c.clientEof && c.upLength == 0 && !c.eofSent) {
            const int rc = libssh2_channel_send_eof(c.channel);
            if (rc == 0) {
                c.eofSent = true;
                moved = true;
            } else if (fatal(rc)) {
                sessionLost = socketError(rc);
                finished = true;
                return true;
            }
        }

        // guest → client: gather every packet libssh2 holds into one client write
        while (!c.downWriting && !c.channelEof && c.downLength < c.down.size()) {
            const auto n = libssh2_channel_read(c.channel, c.down.data() + c.downLength, c.down.size() - c.downLength);
            if (n > 0) {
                if (!c.clientGone) // with nobody to deliver to, drain so the guest is not stalled
                    c.downLength += static_cast<std::size_t>(n);
                moved = true;
                continue;
            }
            if (n == 0 || libssh2_channel_eof(c.channel)) {
                if (libssh2_channel_eof(c.channel)) {
                    c.channelEof = true;
                    moved = true;
                }
                break;
            }
            if (n == LIBSSH2_ERROR_EAGAIN)
                break;
            sessionLost = socketError(n);
            finished = true;
            return true;
        }
        if (c.channelEof && c.downLength == 0 && !c.downWriting && !c.clientShut) {
            engine::detail::shutdownSend(c.client);
            c.clientShut = true;
            moved = true;
        }
        // Done when both directions are closed, or at once when the client went away (a stream
        // such as logs -f would otherwise run on with nobody reading).
        if ((c.clientShut && c.eofSent) || c.clientGone)
            finished = true;
        return moved;
    }

    void startClientIo(const std::shared_ptr<Connection>& c)
    {
        if (c->open && !c->upReading && c->upLength == 0 && !c->clientEof && !c->clientGone) {
            c->upReading = true;
            c->client.async_read_some(asio::buffer(c->up), [self = shared_from_this(), c](boost::system::error_code ec,
                                                                                          std::size_t n) {
                c->upReading = false;
                if (self->stopped)
                    return;
                // EOF or reset: either way, no more bytes from the client. On a named pipe the
                // end of input is an empty message: a read of nothing without an error; and a
                // message longer than the buffer arrives in parts, each but the last with an error.
                if ((ec && !LocalListener::partialRead(ec)) || n == 0)
                    c->clientEof = true;
                c->upLength = n;
                c->upOffset = 0;
                self->pump();
            });
        }
        if (c->downLength != 0 && !c->downWriting) {
            c->downWriting = true;
            asio::async_write(c->client, asio::buffer(c->down.data(), c->downLength),
                              [self = shared_from_this(), c](boost::system::error_code ec, std::size_t) {
                                  c->downWriting = false;
                                  if (self->stopped)
                                      return;
                                  if (ec) {
                                      c->clientGone = true;
                                      c->clientEof = true;
                                  }
                                  c->downLength = 0;
                                  self->pump();
                              });
        }
    }

    void close(Connection& c)
    {
        if (c.channel) {
            // Non-blocking close and free: libssh2 finishes the exchange on later calls.
            libssh2_channel_close(c.channel);
            libssh2_channel_free(c.channel);
            c.channel = nullptr;
        }
        boost::system::error_code ec;
        c.client.close(ec);
    }

    void pump()
    {
        if (pumping || stopped || !session)
            return;
        pumping = true;
        bool sessionLost = false;
        for (bool moved = true; moved && !sessionLost;) {
            moved = false;
            for (auto it = connections.begin(); it != connections.end();) {
                auto c = it->second;
                bool finished = false;
                if (!c->done && progress(*c, finished, sessionLost))
                    moved = true;
                c->done = c->done || finished;
                if (c->done && !c->upReading && !c->downWriting) {
                    close(*c);
                    it = connections.erase(it);
                    continue;
                }
                if (c->done) {
                    // Pending client I/O completes as cancelled and re-enters pump(), which closes then.
                    boost::system::error_code ec;
                    c->client.cancel(ec);
                } else {
                    startClientIo(c);
                }
                ++it;
            }
            for (auto it = execs.begin(); it != execs.end() && !sessionLost;)
                it = progressExec(*it, moved, sessionLost) ? execs.erase(it) : std::next(it);
        }
        pumping = false;
        if (sessionLost) {
            spdlog::warn("ssh forward: lost the SSH session to the VM; reconnecting");
            reconnect();
            return;
        }
        arm();
    }

    // Tries again at once, then after 200 ms, doubling up to 5 s while the VM's sshd does not
    // answer. Each try runs on the io_context without blocking it: connections already forwarded
    // over other sessions, and everything else the agent serves, go on meanwhile; new clients
    // wait in the listen queue or for their channel.
    void reconnect(std::chrono::milliseconds delay = std::chrono::milliseconds(0))
    {
        teardownSession(false);
        readArmed = writeArmed = idleDataPending = false;
        auto timer = std::make_shared<asio::steady_timer>(io, delay);
        timer->async_wait([weak = weak_from_this(), timer](boost::system::error_code ec) {
            auto self = weak.lock();
            if (!self || ec || self->stopped)
                return;
            self->connectSession([weak](Status connected) {
                auto again = weak.lock();
                if (!again || again->stopped)
                    return;
                if (!connected) {
                    spdlog::warn("ssh forward: {}", connected.error().message);
                    again->retryDelay = std::clamp(again->retryDelay * 2, kFirstRetry, kLastRetry);
                    again->reconnect(again->retryDelay);
                    return;
                }
                again->retryDelay = std::chrono::milliseconds(0);
                spdlog::info("ssh forward: reconnected to the VM");
                again->scheduleKeepalive();
                again->pump();
            });
        });
    }

    void stop()
    {
        stopped = true;
        for (auto& e : execs) // answered now: ~Impl may run when nothing turns the io_context
            answer(e, execError(e.command, "the SSH session was closed"));
        ++attempt;
        attemptDone = {};
        attemptDeadline.cancel();
        boost::system::error_code ec;
        listener.close();
        keepalive.cancel();
        ssh.cancel(ec);
        for (auto& [id, c] : connections)
            c->client.cancel(ec);
    }
};

std::unique_ptr<SshForwarder> SshForwarder::connect(asio::io_context& io, const Config& config,
                                                    std::function<void(Status)> onReady)
{
    auto impl = std::make_shared<Impl>(io, config);
    // On a later turn, so that onReady never runs before this returns.
    asio::post(io, [weak = std::weak_ptr<Impl>(impl), onReady = std::move(onReady)]() mutable {
        auto starting = weak.lock();
        if (!starting || starting->stopped)
            return;
        starting->connectSession([weak, onReady = std::move(onReady)](Status connected) {
            auto self = weak.lock();
            if (!self || self->stopped)
                return;
            if (connected)
                connected = self->listener.listen(self->config.listenSocket, 128);
            if (!connected) {
                self->stop();
                self->teardownSession(true);
                onReady(connected);
                return;
            }
            self->listening = true;
            self->accept();
            self->scheduleKeepalive();
            self->arm();
            onReady(Ok{});
        });
    });
    return std::unique_ptr<SshForwarder>(new SshForwarder(std::move(impl)));
}

SshForwarder::SshForwarder(std::shared_ptr<Impl> impl) : m_impl(std::move(impl)) {}

SshForwarder::~SshForwarder()
{
    m_impl->stop();
    if (m_impl->listening) {
        std::error_code fsError;
        std::filesystem::remove(m_impl->config.listenSocket, fsError);
    }
}

void SshForwarder::run(const std::string& command, std::function<void(Result<std::string>)> done)
{
    auto& d = *m_impl;
    Impl::Exec exec;
    exec.command = command;
    exec.done = std::move(done);
    if (!d.session) {
        d.answer(exec, Impl::execError(command, "the SSH session is not open"));
        return;
    }
    d.execs.push_back(std::move(exec));
    d.pump();
}

std::size_t SshForwarder::activeConnections() const
{
    return m_impl->connections.size();
}

} // namespace berth::vm
