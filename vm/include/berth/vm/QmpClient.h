#pragma once

#include "berth/vm/Result.h"
#include "berth/vm/detail/JsonLineConnection.h"

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::vm {

// A QEMU Machine Protocol client on QEMU's Unix socket. Blocking calls, each bounded by a
// timeout; for one thread at a time. Asynchronous events QEMU sends while a call waits
// (POWERDOWN, SHUTDOWN, STOP, …) are kept for events().
class QmpClient final
{
public:
    // Connects, reads the greeting and negotiates capabilities. Fails naming the socket when
    // QEMU is not listening there or does not answer in time.
    static Result<QmpClient> connect(const std::filesystem::path& socket, std::chrono::milliseconds timeout);

    QmpClient(QmpClient&&) noexcept = default;
    QmpClient& operator=(QmpClient&&) noexcept = default;
    QmpClient(const QmpClient&) = delete;
    QmpClient& operator=(const QmpClient&) = delete;
    ~QmpClient() = default;

    // Runs `command` with `arguments` (an object, or null for none) and returns its "return"
    // value; QEMU's own error description on failure. `quit` succeeds when QEMU closes the
    // connection before answering.
    Result<nlohmann::json> execute(const std::string& command, const nlohmann::json& arguments = nullptr,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // Events received so far, oldest first; taking them empties the list.
    std::vector<nlohmann::json> takeEvents();

private:
    explicit QmpClient(detail::JsonLineConnection connection) : m_connection(std::move(connection)) {}

    detail::JsonLineConnection m_connection;
    std::vector<nlohmann::json> m_events;
};

} // namespace berth::vm
