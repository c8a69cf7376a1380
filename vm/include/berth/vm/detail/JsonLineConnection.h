#pragma once

#include "berth/vm/Result.h"
#include "berth/vm/detail/LocalConnection.h"

#include <chrono>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace berth::vm::detail {

// A blocking client connection to a local socket (LocalConnection) that exchanges one JSON
// object per line (QMP, the agent's control socket). Every read is bounded by a deadline. For one thread at a time.
class JsonLineConnection final
{
public:
    using Clock = std::chrono::steady_clock;

    // `peer` names the other end in error messages ("QEMU", "the Berth agent").
    static Result<JsonLineConnection> connect(const std::filesystem::path& socket, const std::string& peer);


    Status send(const nlohmann::json& message);
    // The next object. Errors: timeout, the peer closing (closedByPeer() then says so), a line
    // that is not a JSON object, a line over 1 MiB.
    Result<nlohmann::json> read(Clock::time_point deadline);
    bool closedByPeer() const { return m_closed; }

private:
    explicit JsonLineConnection(LocalConnection connection) : m_connection(std::move(connection)) {}
    LocalConnection m_connection;
    std::string m_buffer;
    bool m_closed = false;
};

} // namespace berth::vm::detail
