#pragma once

#include "berth/vm/ControlProtocol.h"
#include "berth/vm/Result.h"
#include "berth/vm/detail/JsonLineConnection.h"

#include <chrono>
#include <filesystem>

namespace berth::vm {

// A blocking client of an agent's control socket (see ControlProtocol.h), for the CLI. For one
// thread at a time.
class ControlClient final
{
public:
    using Clock = std::chrono::steady_clock;

    // Fails (notRunning() true) when no agent listens on `socket`.
    static Result<ControlClient> connect(const std::filesystem::path& socket);

    Result<AgentStatus> status(std::chrono::milliseconds timeout);
    // After watch(), next() returns the current status, then every change.
    Status watch();
    // The data disk's use, which the agent measures in the guest; an error while the engine does
    // not run.
    Result<control::DiskUsage> disk(std::chrono::milliseconds timeout);
    // Asks the agent to stop; returns its "accepted" message.
    Result<std::string> stop(std::chrono::milliseconds timeout);
    // The next message before `deadline`. agentGone() is true once the agent closed the socket.
    Result<control::Message> next(Clock::time_point deadline);
    bool agentGone() const { return m_connection.closedByPeer(); }

private:
    explicit ControlClient(detail::JsonLineConnection connection) : m_connection(std::move(connection)) {}
    // Sends `request` and returns the first reply of `replyType`, skipping events.
    Result<control::Message> ask(control::Request request, control::Message::Type replyType,
                                 std::chrono::milliseconds timeout);
    detail::JsonLineConnection m_connection;
};

} // namespace berth::vm
