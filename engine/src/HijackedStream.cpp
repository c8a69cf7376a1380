#include "berth/engine/HijackedStream.h"

#include "berth/engine/detail/HijackState.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace berth::engine {

namespace detail {

HijackState::HijackState(std::unique_ptr<Socket> socket, std::string firstBytes, bool tty)
    : m_socket(std::move(socket)), m_firstBytes(std::move(firstBytes)), m_tty(tty), m_in(64 * 1024)
{}

void HijackState::start(HijackedStream::OutputSink onOutput, std::function<void(Status)> onEnd)
{
    if (m_started || m_closed)
        return;
    m_started = true;
    m_onOutput = std::move(onOutput);
    m_onEnd = std::move(onEnd);
    if (!m_tty)
        m_demux.emplace([this](StreamKind kind, std::string_view data) {
            if (!m_closed && m_onOutput)
                m_onOutput(kind, data);
        });
    boost::asio::post(m_socket->get_executor(), [self = shared_from_this()] {
        if (self->m_closed)
            return;
        if (!self->m_firstBytes.empty())
            self->deliver(std::exchange(self->m_firstBytes, {}));
        if (!self->m_closed)
            self->read();
    });
}

void HijackState::deliver(std::string_view data)
{
    if (m_closed)
        return;
    if (m_tty) {
        if (m_onOutput)
            m_onOutput(StreamKind::Raw, data);
        return;
    }
    auto status = m_demux->feed(data);
    if (!status)
        end(status);
}

void HijackState::read()
{
    m_socket->async_read_some(boost::asio::buffer(m_in), [self = shared_from_this()](
                                                             const boost::system::error_code& ec,
                                                             std::size_t n) {
        if (self->m_closed)
            return;
        if (detail::peerClosed(ec)) {
            self->end(self->m_demux ? self->m_demux->finish() : Status(Ok{}));
            return;
        }
        if (ec) {
            self->end(Error{ErrorKind::Unreachable, "the connection to the process broke: " + ec.message()});
            return;
        }
        self->deliver(std::string_view(self->m_in.data(), n));
        if (!self->m_closed)
            self->read();
    });
}

void HijackState::write(std::string data)
{
    if (m_closed || m_stdinClosing || data.empty())
        return;
    m_queue.push_back(std::move(data));
    pump();
}

void HijackState::closeStdin()
{
    if (m_closed || m_stdinClosing)
        return;
    m_stdinClosing = true;
    pump();
}

void HijackState::pump()
{
    if (m_writing || m_closed)
        return;
    if (m_queue.empty()) {
        if (m_stdinClosing && !m_stdinClosed) {
            m_stdinClosed = true;
            shutdownSend(*m_socket);
        }
        return;
    }
    m_writing = true;
    boost::asio::async_write(
        *m_socket, boost::asio::buffer(m_queue.front()),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
            self->m_writing = false;
            if (self->m_closed)
                return;
            if (ec) {
                self->end(
                    Error{ErrorKind::Unreachable, "writing to the process's stdin failed: " + ec.message()});
                return;
            }
            self->m_queue.pop_front();
            self->pump();
        });
}

void HijackState::end(Status status)
{
    if (m_closed)
        return;
    m_closed = true;
    boost::system::error_code ignored;
    m_socket->close(ignored);
    if (auto onEnd = std::move(m_onEnd))
        onEnd(std::move(status));
}

void HijackState::close()
{
    if (m_closed)
        return;
    m_closed = true; // callbacks stay: close() may be called from inside one of them
    boost::system::error_code ignored;
    m_socket->close(ignored);
}

} // namespace detail

HijackedStream::HijackedStream(std::shared_ptr<detail::HijackState> state) : m_state(std::move(state)) {}

HijackedStream::~HijackedStream()
{
    m_state->close();
}

void HijackedStream::start(OutputSink onOutput, std::function<void(Status)> onEnd)
{
    m_state->start(std::move(onOutput), std::move(onEnd));
}

void HijackedStream::write(std::string data)
{
    m_state->write(std::move(data));
}

void HijackedStream::closeStdin()
{
    m_state->closeStdin();
}

void HijackedStream::close()
{
    m_state->close();
}

bool HijackedStream::tty() const
{
    return m_state->tty();
}

} // namespace berth::engine
