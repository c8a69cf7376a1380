#pragma once

#include "berth/vm/LineSocket.h"
#include "berth/vm/Result.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

namespace berth::vm {

// One line the guest sent on its boot channel (vm-image/README.md, "Telling the host").
struct BootEvent
{
    enum class Kind
    {
        Phase, // `name` reached; guestUptime is the guest's /proc/uptime then
        Ready, // dockerd answers /_ping
        Error, // `message` says what failed; the guest powers off after sending it
        Notice, // `message` says what the guest found or repaired on its way (boot continues)
        EngineDown, // dockerd exited after it had been ready; the guest restarts it
        EngineUp,   // dockerd answers /_ping again after an EngineDown
    };
    Kind kind = Kind::Phase;
    std::string name;
    double guestUptime = 0;
    std::string message;
    std::chrono::steady_clock::time_point received;

    // Parses one line without its newline; nullopt for a line that is not a report. Its text is
    // valid UTF-8 (a byte that is not becomes U+FFFD) and its uptime a finite number.
    static std::optional<BootEvent> parse(std::string_view line, std::chrono::steady_clock::time_point received);
};

// The host end of the guest's boot channel, a LineSocket: a Unix socket the host listens on and
// QEMU connects to (on Windows a pipe QEMU makes), so the host waits for the guest without
// polling. All callbacks run on the io_context's thread. Destroying it closes the connection and
// removes the socket file.
class BootChannel final
{
public:
    using EventHandler = std::function<void(const BootEvent&)>;
    using ClosedHandler = std::function<void()>;

    // Readies `path` (LineSocket::listen).
    static Result<std::unique_ptr<BootChannel>> listen(boost::asio::io_context& io, const std::filesystem::path& path);
    ~BootChannel();
    BootChannel(const BootChannel&) = delete;
    BootChannel& operator=(const BootChannel&) = delete;

    // Takes QEMU's connection and reports every line; `onClosed` runs when QEMU closes it
    // (the VM exited). Call once.
    void start(EventHandler onEvent, ClosedHandler onClosed);

private:
    explicit BootChannel(std::unique_ptr<LineSocket> socket);
    std::unique_ptr<LineSocket> m_socket;
};

} // namespace berth::vm
