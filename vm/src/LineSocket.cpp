#include "berth/vm/LineSocket.h"

#include "platform/ChardevEndpoint.h"

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>

namespace berth::vm {

namespace asio = boost::asio;

namespace {
constexpr std::size_t kMaxLine = 64 * 1024;
}

struct LineSocket::Impl : std::enable_shared_from_this<LineSocket::Impl>
{
    explicit Impl(asio::io_context& io) : endpoint(io), socket(io), buffer(kMaxLine) {}
    detail::ChardevEndpoint endpoint;
    detail::ChardevEndpoint::Stream socket;
    asio::streambuf buffer;
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
            // A read of nothing ends the input (a zero-length message, where the peer is a pipe).
            if (ec || n == 0) {
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
    auto impl = std::make_shared<Impl>(io);
    if (auto listening = impl->endpoint.open(path); !listening)
        return listening.error();
    return std::unique_ptr<LineSocket>(new LineSocket(std::move(impl)));
}

LineSocket::LineSocket(std::shared_ptr<Impl> impl) : m_impl(std::move(impl)) {}

LineSocket::~LineSocket()
{
    m_impl->alive = false;
    boost::system::error_code ec;
    m_impl->socket.close(ec);
    m_impl->endpoint.close();
}

void LineSocket::start(LineHandler onLine, ClosedHandler onClosed)
{
    m_impl->onLine = std::move(onLine);
    m_impl->onClosed = std::move(onClosed);
    m_impl->endpoint.asyncConnect(m_impl->socket, [impl = m_impl](Status connected) {
        if (!impl->alive)
            return;
        if (!connected) {
            impl->closed();
            return;
        }
        impl->readLine();
    });
}

} // namespace berth::vm
