#include "berth/vm/LocalListener.h"

#include "UnixListener.h"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace berth::vm {

struct LocalListener::Impl
{
    explicit Impl(boost::asio::io_context& io) : acceptor(io) {}
    boost::asio::local::stream_protocol::acceptor acceptor;
};

LocalListener::LocalListener(boost::asio::io_context& io) : m_impl(std::make_shared<Impl>(io)) {}

LocalListener::~LocalListener()
{
    close();
}

Status LocalListener::listen(const std::filesystem::path& where, int backlog)
{
    return detail::listenPrivately(m_impl->acceptor, where, backlog);
}

void LocalListener::asyncAccept(Stream& stream, std::function<void(boost::system::error_code)> done)
{
    m_impl->acceptor.async_accept(stream, std::move(done));
}

void LocalListener::close()
{
    boost::system::error_code ignored;
    m_impl->acceptor.close(ignored);
}

bool LocalListener::isOpen() const
{
    return m_impl->acceptor.is_open();
}

bool LocalListener::partialRead(const boost::system::error_code&)
{
    return false;
}

std::filesystem::path localEndpoint(const std::filesystem::path& folder, const std::string& name)
{
    return folder / (name + ".sock");
}

std::optional<std::size_t> localEndpointLimit()
{
    return sizeof(sockaddr_un::sun_path) - 8; // room to spare for a socket renamed beside it
}

bool localEndpointAnswers(const std::filesystem::path& where)
{
    sockaddr_un address{};
    const auto text = where.string();
    if (text.size() >= sizeof address.sun_path)
        return true; // cannot tell; assume alive
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
    // Non-blocking: a listener whose backlog is full would hold a blocking connect (EAGAIN: it
    // is there).
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return true;
    const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
    const int err = errno;
    ::close(fd);
    return ok || (err != ENOENT && err != ECONNREFUSED && err != ENOTSOCK);
}

engine::Endpoint engineEndpoint(const std::filesystem::path& local)
{
    return engine::Endpoint::unixSocket(local);
}

} // namespace berth::vm
