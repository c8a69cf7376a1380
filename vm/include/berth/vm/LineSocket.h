#pragma once

#include "berth/vm/Result.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>

#include <boost/asio/io_context.hpp>

namespace berth::vm {

// One of QEMU's chardevs as the host receives it (vm/src/platform/ChardevEndpoint.h: a Unix
// socket the host listens on for exactly one peer, QEMU connecting in client mode; on Windows a
// named pipe QEMU makes and the host opens), delivering what QEMU writes line by line. Lines
// longer than 64 KiB are cut into 64 KiB pieces. All callbacks run on the io_context's thread.
// Destroying it closes the connection and removes the socket file; no callback runs after that.
class LineSocket final
{
public:
    using LineHandler = std::function<void(std::string_view line)>;
    using ClosedHandler = std::function<void()>;

    // Listens on the Unix socket `path` (mode 0600; a stale socket file left by a crash is
    // replaced, any other kind of file there is an error); on Windows `path` is the pipe
    // \\.\pipe\NAME QEMU will make.
    static Result<std::unique_ptr<LineSocket>> listen(boost::asio::io_context& io, const std::filesystem::path& path);
    ~LineSocket();
    LineSocket(const LineSocket&) = delete;
    LineSocket& operator=(const LineSocket&) = delete;

    // Takes QEMU's connection (accepts it, or opens its pipe once it exists) and reports every line without
    // its "\n" (a "\r" before it is dropped); `onClosed` runs once when the peer closes. Call once.
    void start(LineHandler onLine, ClosedHandler onClosed);

private:
    struct Impl;
    explicit LineSocket(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> m_impl;
};

} // namespace berth::vm
