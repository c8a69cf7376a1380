#include "berth/vm/QmpClient.h"

#include <utility>

namespace berth::vm {

Result<QmpClient> QmpClient::connect(const std::filesystem::path& socket, std::chrono::milliseconds timeout)
{
    auto connection = detail::JsonLineConnection::connect(socket, "QEMU");
    if (!connection)
        return connection.error();
    QmpClient client(std::move(connection).value());
    const auto deadline = detail::JsonLineConnection::Clock::now() + timeout;
    auto greeting = client.m_connection.read(deadline);
    if (!greeting)
        return Error{"no QMP greeting on " + socket.string() + ": " + greeting.error().message};
    if (!greeting->contains("QMP"))
        return Error{"not a QMP server on " + socket.string()};
    auto caps = client.execute("qmp_capabilities", nullptr,
                               std::chrono::milliseconds(detail::millisecondsLeft(deadline)));
    if (!caps)
        return caps.error();
    return client;
}

Result<nlohmann::json> QmpClient::execute(const std::string& command, const nlohmann::json& arguments,
                                          std::chrono::milliseconds timeout)
{
    nlohmann::json request{{"execute", command}};
    if (!arguments.is_null())
        request["arguments"] = arguments;
    if (auto sent = m_connection.send(request); !sent)
        return sent.error();
    const auto deadline = detail::JsonLineConnection::Clock::now() + timeout;
    for (;;) {
        auto message = m_connection.read(deadline);
        if (!message) {
            if (command == "quit" && m_connection.closedByPeer())
                return nlohmann::json::object();
            return Error{"QMP " + command + ": " + message.error().message};
        }
        if (message->contains("event")) {
            m_events.push_back(std::move(message).value());
            continue;
        }
        if (const auto it = message->find("return"); it != message->end())
            return *it;
        if (const auto it = message->find("error"); it != message->end())
            return Error{"QEMU refused " + command + ": " + it->value("desc", it->dump())};
    }
}

std::vector<nlohmann::json> QmpClient::takeEvents()
{
    return std::exchange(m_events, {});
}

} // namespace berth::vm
