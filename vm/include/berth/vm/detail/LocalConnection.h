#pragma once

#include "berth/vm/Result.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace berth::vm::detail {

// A blocking client connection to a LocalListener (a Unix socket, or a named pipe on Windows;
// vm/src/platform/…/LocalConnection.cpp). Reads wait no longer than a deadline. For one thread at
// a time.
class LocalConnection final
{
public:
    using Clock = std::chrono::steady_clock;

    // `peer` names the other end in error messages ("QEMU", "the Berth agent").
    static Result<LocalConnection> connect(const std::filesystem::path& where, const std::string& peer);

    LocalConnection(LocalConnection&& other) noexcept;
    LocalConnection& operator=(LocalConnection&& other) noexcept;
    LocalConnection(const LocalConnection&) = delete;
    LocalConnection& operator=(const LocalConnection&) = delete;
    ~LocalConnection();

    Status sendAll(std::string_view bytes);
    // Up to `size` bytes into `buffer`, waiting until `deadline` at most; 0 when the peer closed.
    Result<std::size_t> readSome(char* buffer, std::size_t size, Clock::time_point deadline);
    const std::string& peer() const { return m_peer; }

private:
    LocalConnection(std::intptr_t handle, std::string peer) : m_handle(handle), m_peer(std::move(peer)) {}
    void close();

    std::intptr_t m_handle = -1; // a descriptor, or a HANDLE on Windows
    std::string m_peer;
};

// Milliseconds from now to `deadline`, rounded up (a wait must not end before it), at least 0.
int millisecondsLeft(LocalConnection::Clock::time_point deadline);

} // namespace berth::vm::detail
