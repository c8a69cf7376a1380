#include "ForwarderThread.h"

namespace berth::test {

ForwarderThread::ForwarderThread() : m_work(boost::asio::make_work_guard(m_io)), m_thread([this] { m_io.run(); }) {}

ForwarderThread::~ForwarderThread()
{
    call([this] { m_forwarder.reset(); });
    m_work.reset();
    m_io.stop();
    m_thread.join();
}

QString ForwarderThread::start(const vm::SshForwarder::Config& config)
{
    return call([&] {
        auto started = vm::SshForwarder::start(m_io, config);
        if (!started)
            return QString::fromStdString(started.error().message);
        m_forwarder = std::move(started).value();
        return QString();
    });
}

std::size_t ForwarderThread::activeConnections()
{
    return call([this] { return m_forwarder ? m_forwarder->activeConnections() : std::size_t(0); });
}

} // namespace berth::test
