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

Result<control::Message> ControlClient::ask(control::Request request, control::Message::Type replyType,
                                            std::chrono::milliseconds timeout)
{
    if (auto sent = m_connection.send(control::encode(request)); !sent)
        return sent.error();
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        auto message = next(deadline);
        if (!message || message->type == replyType)
            return message;
    }
}

Result<AgentStatus> ControlClient::status(std::chrono::milliseconds timeout)
{
    auto reply = ask(control::Request::Status, control::Message::Type::Status, timeout);
    if (!reply)
        return reply.error();
    return std::move(reply->status);
}

Result<control::DiskUsage> ControlClient::disk(std::chrono::milliseconds timeout)
{
    auto reply = ask(control::Request::Disk, control::Message::Type::Disk, timeout);
    if (!reply)
        return reply.error();
    return reply->disk;
}

Status ControlClient::watch()
{
    return m_connection.send(control::encode(control::Request::Watch));
}

Result<std::string> ControlClient::stop(std::chrono::milliseconds timeout)
{
    auto reply = ask(control::Request::Stop, control::Message::Type::Accepted, timeout);
    if (!reply)
        return reply.error();
    return std::move(reply->message);
}

} // namespace berth::vm
