#pragma once

#include "berth/vm/Result.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

namespace berth::vm {

// The agent's own QEMU Machine Protocol connection, asynchronous on an io_context, for the
// life of one QEMU process. The agent listens on a private Unix socket and QEMU connects to it
// as a chardev client when it starts (QemuConfig::monitorSocket), so there is no connect to wait
// for and no race with QEMU creating a socket; on Windows QEMU makes a pipe and waits for the
// agent to open it (vm/src/platform/ChardevEndpoint.h). Commands may be queued from the moment it
// listens: they go out once QEMU has greeted and capabilities are negotiated, each with an id,
// and each reply is matched by its id, so one command that QEMU answers late cannot take another's
// answer. QEMU's own `-qmp` socket stays free for people and tests.
//
// Single-threaded: create, use and destroy it on the io_context's thread.
class QmpChannel final
{
public:
    using Reply = std::function<void(Result<nlohmann::json>)>;
    using EventHandler = std::function<void(const nlohmann::json& event)>;

    // Listens on `path` (mode 0600; a stale socket file is replaced); on Windows `path` is the
    // pipe QEMU will make.
    static Result<std::unique_ptr<QmpChannel>> listen(boost::asio::io_context& io, const std::filesystem::path& path);
    // Closes the connection and removes the socket file. Replies still owed are posted with an
    // error saying the VM stopped; nothing else runs after that.
    ~QmpChannel();
    QmpChannel(const QmpChannel&) = delete;
    QmpChannel& operator=(const QmpChannel&) = delete;

    // Takes QEMU's connection and negotiates; `onEvent` gets each asynchronous event (POWERDOWN, STOP, …).
    // Call once.
    void start(EventHandler onEvent);
    // Runs `command` with `arguments` (an object, or null). `reply` runs exactly once, later, on
    // the io_context's thread: with the command's "return" value, with QEMU's own error, or with
    // an error when QEMU has not answered within `timeout` (counted from this call) or closed
    // the connection.
    void execute(const std::string& command, nlohmann::json arguments, Reply reply,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // True once QEMU greeted and capabilities are negotiated, until the connection ends.
    bool ready() const;

private:
    struct Impl;
    explicit QmpChannel(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> m_impl;
};

} // namespace berth::vm
