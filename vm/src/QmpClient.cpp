#include "berth/vm/QmpClient.h"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <utility>

namespace berth::vm {

namespace {

using Clock = std::chrono::steady_clock;

int millisLeft(Clock::time_point deadline)
{
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

} // namespace

Result<QmpClient> QmpClient::connect(const std::filesystem::path& socket, std::chrono::milliseconds timeout)
{
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (socket.string().size() >= sizeof address.sun_path)
        return Error{"QMP socket path too long: " + socket.string()};
    std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return Error{std::string("cannot create a socket: ") + std::strerror(errno)};
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd);
        return Error{"QEMU is not answering on " + socket.string() + " (" + why + ")"};
    }
    QmpClient client(fd);
    const auto deadline = Clock::now() + timeout;
    auto greeting = client.readMessage(deadline);
    if (!greeting)
        return Error{"no QMP greeting on " + socket.string() + ": " + greeting.error().message};
    if (!greeting->contains("QMP"))
        return Error{"not a QMP server on " + socket.string()};
    auto caps = client.execute("qmp_capabilities", nullptr, std::chrono::milliseconds(millisLeft(deadline)));
    if (!caps)
        return caps.error();
    return client;
}

QmpClient::QmpClient(QmpClient&& other) noexcept
    : m_fd(other.m_fd), m_buffer(std::move(other.m_buffer)), m_events(std::move(other.m_events))
{
    other.m_fd = -1;
}

QmpClient& QmpClient::operator=(QmpClient&& other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = other.m_fd;
        m_buffer = std::move(other.m_buffer);
        m_events = std::move(other.m_events);
        other.m_fd = -1;
    }
    return *this;
}

QmpClient::~QmpClient()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

Result<nlohmann::json> QmpClient::readMessage(Clock::time_point deadline)
{
    for (;;) {
        if (const auto newline = m_buffer.find('\n'); newline != std::string::npos) {
            const auto line = m_buffer.substr(0, newline);
            m_buffer.erase(0, newline + 1);
            auto message = nlohmann::json::parse(line, nullptr, false);
            if (message.is_discarded() || !message.is_object())
                return Error{"QEMU sent malformed QMP: " + line.substr(0, 200)};
            return message;
        }
        if (m_buffer.size() > (1 << 20))
            return Error{"QEMU sent a QMP message over 1 MiB"};
        pollfd p{m_fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, millisLeft(deadline));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return Error{"timed out waiting for QEMU"};
        char chunk[4096];
        const auto n = ::read(m_fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return Error{"QEMU closed the QMP connection"};
        m_buffer.append(chunk, static_cast<size_t>(n));
    }
}

Result<nlohmann::json> QmpClient::execute(const std::string& command, const nlohmann::json& arguments,
                                          std::chrono::milliseconds timeout)
{
    if (m_fd < 0)
        return Error{"QMP connection is closed"};
    nlohmann::json request{{"execute", command}};
    if (!arguments.is_null())
        request["arguments"] = arguments;
    const auto text = request.dump() + "\n";
    if (::send(m_fd, text.data(), text.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(text.size()))
        return Error{"cannot send to QEMU: " + std::string(std::strerror(errno))};
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        auto message = readMessage(deadline);
        if (!message) {
            if (command == "quit" && message.error().message == "QEMU closed the QMP connection")
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
