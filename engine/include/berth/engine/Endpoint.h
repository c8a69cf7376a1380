#pragma once

#include "berth/engine/Error.h"

#include <filesystem>
#include <string>
#include <string_view>

namespace berth::engine {

// Where the engine listens: a Unix socket on Linux and macOS, a named pipe (npipe://) on
// Windows; detail::Transport chooses the stream type at compile time so that every read and
// write stays a direct call.
class Endpoint final
{
public:
    enum class Kind
    {
        UnixSocket,
        NamedPipe,
    };

    static Endpoint unixSocket(std::filesystem::path path);
    // The local pipe \\.\pipe\NAME (npipe:////./pipe/NAME).
    static Endpoint namedPipe(const std::string& name);
    // Parses a DOCKER_HOST value: "unix:///path/docker.sock", or on Windows
    // "npipe:////./pipe/name" (a pipe on this computer; the other form is refused where it cannot
    // be reached, with a message).
    // tcp:// and ssh:// are refused with a message: Berth never speaks to an engine over TCP.
    static Result<Endpoint> parse(std::string_view dockerHost);

    Kind kind() const { return m_kind; }
    const std::string& path() const { return m_path; }
    // "unix:///path" — for messages and logs.
    std::string toString() const;

private:
    Endpoint(Kind kind, std::string path) : m_kind(kind), m_path(std::move(path)) {}

    Kind m_kind;
    std::string m_path;
};

} // namespace berth::engine
