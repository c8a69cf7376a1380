#include "berth/vm/detail/LocalConnection.h"

#include <utility>

namespace berth::vm::detail {

int millisecondsLeft(LocalConnection::Clock::time_point deadline)
{
    // Rounded up: a wait must not end before the deadline, or a caller that checks the clock
    // after a timeout would find time left.
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - LocalConnection::Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

LocalConnection::LocalConnection(LocalConnection&& other) noexcept
    : m_handle(std::exchange(other.m_handle, -1)), m_peer(std::move(other.m_peer))
{}

LocalConnection& LocalConnection::operator=(LocalConnection&& other) noexcept
{
    if (this != &other) {
        close();
        m_handle = std::exchange(other.m_handle, -1);
        m_peer = std::move(other.m_peer);
    }
    return *this;
}

LocalConnection::~LocalConnection()
{
    close();
}

} // namespace berth::vm::detail
