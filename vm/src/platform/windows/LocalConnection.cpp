#include "berth/vm/detail/LocalConnection.h"

#include "UserSecurity.h"
#include "berth/engine/detail/Win32Text.h"

#include <windows.h>

namespace berth::vm::detail {

namespace {

using engine::detail::systemMessage;

HANDLE handleOf(std::intptr_t value)
{
    return reinterpret_cast<HANDLE>(value);
}

// One overlapped operation on `pipe`, waited for until `deadline` (INFINITE without one). The
// operation is cancelled when the wait ends first.
struct Overlapped
{
    OVERLAPPED o{};
    Overlapped() { o.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr); }
    ~Overlapped()
    {
        if (o.hEvent)
            CloseHandle(o.hEvent);
    }
    Overlapped(const Overlapped&) = delete;
    Overlapped& operator=(const Overlapped&) = delete;

    bool ready() const { return o.hEvent != nullptr; }

    // The bytes moved, or the system's error code (WAIT_TIMEOUT when the deadline passed and
    // nothing came). Returns only once the operation is over: `o` may go then.
    DWORD finish(HANDLE pipe, BOOL started, DWORD timeoutMs, DWORD& bytes)
    {
        if (!started && GetLastError() != ERROR_IO_PENDING)
            return GetLastError();
        if (WaitForSingleObject(o.hEvent, timeoutMs) == WAIT_TIMEOUT) {
            CancelIoEx(pipe, &o);
            // What arrived between the timeout and the cancel is kept: dropping it would cut a
            // line in two.
            if (GetOverlappedResult(pipe, &o, &bytes, TRUE) && bytes > 0)
                return ERROR_SUCCESS;
            const DWORD code = GetLastError();
            return code == ERROR_MORE_DATA ? code : WAIT_TIMEOUT;
        }
        return GetOverlappedResult(pipe, &o, &bytes, FALSE) ? ERROR_SUCCESS : GetLastError();
    }
};

} // namespace

Result<LocalConnection> LocalConnection::connect(const std::filesystem::path& where, const std::string& peer)
{
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    // A server has no instance listening for a moment after each client connects, until it makes
    // the next one: "not found" is believed only once it lasts this long.
    const auto gapDeadline = Clock::now() + std::chrono::milliseconds(250);
    for (;;) {
        // SECURITY_IDENTIFICATION: the server may learn who connects, never act as this user.
        const HANDLE pipe =
            CreateFileW(where.wstring().c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                        FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, nullptr);
        if (pipe != INVALID_HANDLE_VALUE) {
            LocalConnection connection(reinterpret_cast<std::intptr_t>(pipe), peer);
            // Pipe names are one namespace for the whole machine: another user's program may
            // have taken this one first. Talk only to a server that runs as this user.
            if (auto mine = windows::pipeServerIsThisUser(pipe, where, peer); !mine)
                return mine.error();
            return connection;
        }
        const DWORD code = GetLastError();
        // Every instance is taken for a moment, until the server makes the next one.
        if (code == ERROR_PIPE_BUSY && Clock::now() < deadline) {
            WaitNamedPipeW(where.wstring().c_str(), static_cast<DWORD>(millisecondsLeft(deadline)));
            continue;
        }
        if (code == ERROR_FILE_NOT_FOUND && Clock::now() < gapDeadline) {
            Sleep(10);
            continue;
        }
        return Error{peer + " is not answering on " + where.string() + " (" + systemMessage(code) + ")"};
    }
}

void LocalConnection::close()
{
    if (m_handle != -1)
        CloseHandle(handleOf(m_handle));
    m_handle = -1;
}

Status LocalConnection::sendAll(std::string_view bytes)
{
    if (m_handle == -1)
        return Error{"the connection to " + m_peer + " is closed"};
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        Overlapped op;
        if (!op.ready())
            return Error{"cannot send to " + m_peer + ": " + systemMessage(GetLastError())};
        DWORD n = 0;
        const BOOL started = WriteFile(handleOf(m_handle), bytes.data() + sent,
                                       static_cast<DWORD>(bytes.size() - sent), nullptr, &op.o);
        if (const DWORD code = op.finish(handleOf(m_handle), started, INFINITE, n); code != ERROR_SUCCESS)
            return Error{"cannot send to " + m_peer + ": " + systemMessage(code)};
        sent += n;
    }
    return Ok{};
}

Result<std::size_t> LocalConnection::readSome(char* buffer, std::size_t size, Clock::time_point deadline)
{
    if (m_handle == -1)
        return std::size_t{0};
    Overlapped op;
    if (!op.ready())
        return Error{"cannot read from " + m_peer + ": " + systemMessage(GetLastError())};
    DWORD n = 0;
    const BOOL started = ReadFile(handleOf(m_handle), buffer, static_cast<DWORD>(size), nullptr, &op.o);
    const DWORD code =
        op.finish(handleOf(m_handle), started, static_cast<DWORD>(millisecondsLeft(deadline)), n);
    if (code == WAIT_TIMEOUT)
        return Error{"timed out waiting for " + m_peer};
    if (code == ERROR_SUCCESS ||
        code == ERROR_MORE_DATA) // a message longer than the buffer: the rest follows
        return static_cast<std::size_t>(n);
    return std::size_t{0}; // broken or disconnected: the peer closed
}

} // namespace berth::vm::detail
