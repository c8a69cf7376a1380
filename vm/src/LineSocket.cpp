#include "berth/vm/LineSocket.h"

#include "platform/posix/UnixListener.h"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>

namespace berth::vm {

namespace asio = boost::asio;

namespace {
constexpr std::size_t kMaxLine = 64 * 1024;
}

struct LineSocket::Impl : std::enable_shared_from_this<LineSocket::Impl>
{
    Impl(asio::io_context& io, std::filesystem::path p) : acceptor(io), socket(io), buffer(kMaxLine), path(std::move(p))
    {
    }
    asio::local::stream_protocol::acceptor acceptor;
    asio::local::stream_protocol::socket socket;
    asio::streambuf buffer;
    std::filesystem::path path;
    LineHandler onLine;
    ClosedHandler onClosed;
    bool alive = true;

    void closed()
    {
        if (onClosed)
            onClosed();
    }

    void deliver(std::size_t n, bool withNewline)
    {
        std::string line(asio::buffers_begin(buffer.data()), asio::buffers_begin(buffer.data()) + n);
        buffer.consume(n);
        if (withNewline)
            line.pop_back();
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        onLine(line);
    }

    void readLine()
    {
        asio::async_read_until(socket, buffer, '\n', [this, self = shared_from_this()](boost::system::error_code ec,
                                                                                  std::size_t n) {
            if (!alive)
                return;
            if (ec == asio::error::not_found) {
                deliver(buffer.size(), false); // a line longer than the buffer: hand over what there is
                readLine();
                return;
            }
            if (ec) {
                closed();
                return;
            }
            deliver(n, true);
            readLine();
        });
    }
};

Result<std::unique_ptr<LineSocket>> LineSocket::listen(asio::io_context& io, const std::filesystem::path& path)
{
    auto impl = std::make_shared<Impl>(io, path);
    if (auto listening = detail::listenPrivately(impl->acceptor, path, 1); !listening)
        return listening.error();
    return std::unique_ptr<LineSocket>(new LineSocket(std::move(impl)));
}

LineSocket::LineSocket(std::shared_ptr<Impl> impl) : m_impl(std::move(impl)) {}

LineSocket::~LineSocket()
{
    m_impl->alive = false;
    boost::system::error_code ec;
    m_impl->socket.close(ec);
    m_impl->acceptor.close(ec);
    std::error_code fsError;
    std::filesystem::remove(m_impl->path, fsError);
}

void LineSocket::start(LineHandler onLine, ClosedHandler onClosed)
{
    m_impl->onLine = std::move(onLine);
    m_impl->onClosed = std::move(onClosed);
    m_impl->acceptor.async_accept(m_impl->socket, [impl = m_impl](boost::system::error_code ec) {
        if (!impl->alive)
            return;
        if (ec) {
            impl->closed();
            return;
        }
        boost::system::error_code ignored;
        impl->acceptor.close(ignored); // one peer only
        impl->readLine();
    });
}

} // namespace berth::vm
