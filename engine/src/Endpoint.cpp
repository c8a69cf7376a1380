#include "berth/engine/Endpoint.h"

namespace berth::engine {

Endpoint Endpoint::unixSocket(std::filesystem::path path)
{
    return Endpoint(Kind::UnixSocket, path.string());
}

Endpoint Endpoint::namedPipe(const std::string& name)
{
    return Endpoint(Kind::NamedPipe, "//./pipe/" + name);
}

Result<Endpoint> Endpoint::parse(std::string_view dockerHost)
{
    const auto startsWith = [&](std::string_view prefix) {
        return dockerHost.substr(0, prefix.size()) == prefix;
    };
#ifdef _WIN32
    if (startsWith("npipe://")) {
        constexpr std::string_view local = "//./pipe/";
        const auto path = dockerHost.substr(8);
        if (path.substr(0, local.size()) != local || path.size() == local.size())
            return Error{ErrorKind::Unsupported,
                         "\"" + std::string(dockerHost) +
                             "\" is not a usable engine address: an npipe:// address names a pipe on this "
                             "computer, as in npipe:////./pipe/docker_engine"};
        return Endpoint(Kind::NamedPipe, std::string(path));
    }
    if (startsWith("unix://"))
        return Error{ErrorKind::Unsupported, "Unix sockets (" + std::string(dockerHost) +
                                                 ") are not used on Windows; use the engine's npipe:// address"};
#else
    if (startsWith("unix://")) {
        const auto path = dockerHost.substr(7);
        if (path.empty() || path.front() != '/')
            return Error{ErrorKind::Unsupported,
                         "\"" + std::string(dockerHost) +
                             "\" is not a usable engine address: a unix:// address " +
                             "needs an absolute socket path, as in unix:///run/docker.sock"};
        return Endpoint(Kind::UnixSocket, std::string(path));
    }
    if (startsWith("npipe://"))
        return Error{ErrorKind::Unsupported,
                     "named pipes (" + std::string(dockerHost) +
                         ") are only reachable from Windows; use a unix:// address here"};
#endif
    if (startsWith("tcp://") || startsWith("ssh://") || startsWith("http://") || startsWith("https://"))
        return Error{ErrorKind::Unsupported, "Berth does not talk to an engine over the network (" +
                                                 std::string(dockerHost) + "); use its unix:// socket"};
    return Error{ErrorKind::Unsupported,
                 "\"" + std::string(dockerHost) +
                     "\" is not an engine address; expected unix:///path/to/docker.sock"};
}

std::string Endpoint::toString() const
{
    return (m_kind == Kind::UnixSocket ? "unix://" : "npipe://") + m_path;
}

const char* toString(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::SocketMissing:
        return "socket missing";
    case ErrorKind::Unreachable:
        return "engine unreachable";
    case ErrorKind::Timeout:
        return "timeout";
    case ErrorKind::Http:
        return "HTTP error";
    case ErrorKind::Malformed:
        return "malformed response";
    case ErrorKind::Stream:
        return "stream error";
    case ErrorKind::Cancelled:
        return "cancelled";
    case ErrorKind::Unsupported:
        return "unsupported";
    }
    return "error";
}

} // namespace berth::engine
