#include "berth/vm/detail/JsonLineConnection.h"

#include <utility>

namespace berth::vm::detail {

Result<JsonLineConnection> JsonLineConnection::connect(const std::filesystem::path& socket, const std::string& peer)
{
    auto connection = LocalConnection::connect(socket, peer);
    if (!connection)
        return connection.error();
    return JsonLineConnection(std::move(connection).value());
}

Status JsonLineConnection::send(const nlohmann::json& message)
{
    return m_connection.sendAll(message.dump() + "\n");
}

Result<nlohmann::json> JsonLineConnection::read(Clock::time_point deadline)
{
    for (;;) {
        if (const auto newline = m_buffer.find('\n'); newline != std::string::npos) {
            const auto line = m_buffer.substr(0, newline);
            m_buffer.erase(0, newline + 1);
            auto message = nlohmann::json::parse(line, nullptr, false);
            if (message.is_discarded() || !message.is_object())
                return Error{m_connection.peer() + " sent a malformed message: " + line.substr(0, 200)};
            return message;
        }
        if (m_buffer.size() > (1 << 20))
            return Error{m_connection.peer() + " sent a message over 1 MiB"};
        if (m_closed)
            return Error{m_connection.peer() + " closed the connection"};
        char chunk[4096];
        const auto n = m_connection.readSome(chunk, sizeof chunk, deadline);
        if (!n)
            return n.error();
        if (*n == 0) {
            m_closed = true;
            return Error{m_connection.peer() + " closed the connection"};
        }
        m_buffer.append(chunk, *n);
    }
}

} // namespace berth::vm::detail
