#include "../ChardevEndpoint.h"

#include "UnixListener.h"

#include <boost/asio/local/stream_protocol.hpp>

namespace berth::vm::detail {

struct ChardevEndpoint::Impl
{
    explicit Impl(boost::asio::io_context& io) : acceptor(io) {}
    boost::asio::local::stream_protocol::acceptor acceptor;
    std::filesystem::path where;
};

ChardevEndpoint::ChardevEndpoint(boost::asio::io_context& io) : m_impl(std::make_shared<Impl>(io)) {}

ChardevEndpoint::~ChardevEndpoint()
{
    close();
}

Status ChardevEndpoint::open(const std::filesystem::path& where)
{
    auto listening = listenPrivately(m_impl->acceptor, where, 1);
    if (listening)
        m_impl->where = where; // a socket of ours, which close() removes: never a file it refused
    return listening;
}

void ChardevEndpoint::asyncConnect(Stream& stream, std::function<void(Status)> done)
{
    // The operation holds the Impl: its acceptor is in use until the handler runs.
    m_impl->acceptor.async_accept(
        stream, [impl = m_impl, done = std::move(done)](boost::system::error_code ec) {
            boost::system::error_code ignored;
            impl->acceptor.close(ignored); // one peer only
            if (ec)
                done(Error{"QEMU did not connect to " + impl->where.string() + ": " + ec.message()});
            else
                done(Ok{});
        });
}

void ChardevEndpoint::close()
{
    boost::system::error_code ignored;
    m_impl->acceptor.close(ignored);
    if (!m_impl->where.empty()) {
        std::error_code fsError;
        std::filesystem::remove(m_impl->where, fsError);
        m_impl->where.clear(); // once: a later launch may listen there again
    }
}

} // namespace berth::vm::detail
