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

std::vector<QString> ForwarderThread::runInGuest(const std::string& command, int count)
{
    auto results = std::make_shared<std::vector<std::promise<QString>>>(static_cast<std::size_t>(count));
    call([&] {
        for (std::size_t i = 0; i < results->size(); ++i) {
            if (!m_forwarder) {
                (*results)[i].set_value("no forwarder");
                continue;
            }
            m_forwarder->run(command, [results, i](vm::Result<std::string> out) {
                (*results)[i].set_value(out ? QString::fromStdString(out.value())
                                            : "error: " + QString::fromStdString(out.error().message));
            });
        }
    });
    std::vector<QString> outputs;
    for (auto& r : *results)
        outputs.push_back(r.get_future().get());
    return outputs;
}

std::size_t ForwarderThread::activeConnections()
{
    return call([this] { return m_forwarder ? m_forwarder->activeConnections() : std::size_t(0); });
}

} // namespace berth::test
