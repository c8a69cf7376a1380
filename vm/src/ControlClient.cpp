#include "berth/vm/ControlClient.h"

namespace berth::vm {

Result<ControlClient> ControlClient::connect(const std::filesystem::path& socket)
{
    auto connection = detail::JsonLineConnection::connect(socket, "the Berth agent");
    if (!connection)
        return connection.error();
    return ControlClient(std::move(connection).value());
}

Result<control::Message> ControlClient::next(Clock::time_point deadline)
{
    auto line = m_connection.read(deadline);
    if (!line)
        return line.error();
    auto message = control::parseMessage(line.value());
    if (!message)
        return message.error();
    if (message->type == control::Message::Type::Error)
        return Error{"the Berth agent refused: " + message->message};
    return message;
}

Result<AgentStatus> ControlClient::status(std::chrono::milliseconds timeout)
{
    if (auto sent = m_connection.send(control::encode(control::Request::Status)); !sent)
        return sent.error();
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        auto message = next(deadline);
        if (!message)
            return message.error();
        if (message->type == control::Message::Type::Status)
            return std::move(message->status);
    }
}

Status ControlClient::watch()
{
    return m_connection.send(control::encode(control::Request::Watch));
}

Result<std::string> ControlClient::stop(std::chrono::milliseconds timeout)
{
    if (auto sent = m_connection.send(control::encode(control::Request::Stop)); !sent)
        return sent.error();
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        auto message = next(deadline);
        if (!message)
            return message.error();
        if (message->type == control::Message::Type::Accepted)
            return std::move(message->message);
    }
}

} // namespace berth::vm
