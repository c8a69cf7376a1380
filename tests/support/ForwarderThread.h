#pragma once

#include "berth/vm/SshForwarder.h"

#include <QString>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace berth::test {

// Runs a vm::SshForwarder on its own io_context thread, as the agent will; every call is made
// on that thread and waited for.
class ForwarderThread final
{
public:
    ForwarderThread();
    ~ForwarderThread();
    ForwarderThread(const ForwarderThread&) = delete;
    ForwarderThread& operator=(const ForwarderThread&) = delete;

    // Empty on success, else the forwarder's error message.
    QString start(const vm::SshForwarder::Config& config);
    std::size_t activeConnections();
    // Starts `count` runs of `command` in the guest over the forwarder's session at once and
    // waits for them all: each one's output, or its error message.
    std::vector<QString> runInGuest(const std::string& command, int count);

private:
    template <typename F>
    auto call(F f) -> decltype(f())
    {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        boost::asio::post(m_io, [&task] { task(); });
        return result.get();
    }

    boost::asio::io_context m_io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_work;
    std::unique_ptr<vm::SshForwarder> m_forwarder;
    std::thread m_thread;
};

} // namespace berth::test
