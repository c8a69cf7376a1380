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
    auto ready = std::make_shared<std::promise<QString>>();
    auto outcome = ready->get_future();
    call([&] {
        m_forwarder = vm::SshForwarder::connect(m_io, config, [this, ready](vm::Status connected) {
            if (!connected)
                m_forwarder.reset();
            ready->set_value(connected ? QString() : QString::fromStdString(connected.error().message));
        });
    });
    return outcome.get();
}

std::size_t ForwarderThread::activeConnections()
{
    return call([this] { return m_forwarder ? m_forwarder->activeConnections() : std::size_t(0); });
}

} // namespace berth::test
