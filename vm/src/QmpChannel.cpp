#include "berth/vm/QmpChannel.h"

#include "platform/ChardevEndpoint.h"

#include <deque>
#include <map>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

namespace berth::vm {

namespace asio = boost::asio;
using nlohmann::json;

namespace {
constexpr std::size_t kMaxMessage = 1024 * 1024; // QMP answers are small; a longer line is a broken peer
}

struct QmpChannel::Impl : std::enable_shared_from_this<QmpChannel::Impl>
{
    enum class Phase
    {
        Waiting,     // for QEMU to connect and greet
        Negotiating, // qmp_capabilities sent
        Ready,
        Closed,
    };

    struct Pending
    {
        std::string command;
        std::string line; // the request, sent once Ready
        Reply reply;
        std::shared_ptr<asio::steady_timer> deadline;
    };

    Impl(asio::io_context& ctx, std::filesystem::path p)
        : io(ctx), endpoint(ctx), socket(ctx), buffer(kMaxMessage), path(std::move(p))
    {}

    asio::io_context& io;
    detail::ChardevEndpoint endpoint;
    detail::ChardevEndpoint::Stream socket;
    asio::streambuf buffer;
    std::filesystem::path path;
    EventHandler onEvent;
    Phase phase = Phase::Waiting;
    std::uint64_t nextId = 1;
    std::map<std::uint64_t, Pending> pending; // by id: queued or sent, not answered
    std::deque<std::uint64_t> unsent;         // ids waiting for Ready, in order
    std::deque<std::string> out;              // lines being written, one write at a time
    bool writing = false;
    std::string closedWhy;

    // Hands `reply` its result on a later turn of the io_context, never inside a caller's call.
    void answer(Reply reply, Result<json> result)
    {
        asio::post(io, [reply = std::move(reply), result = std::move(result)]() mutable { reply(std::move(result)); });
    }

    void finish(std::uint64_t id, Result<json> result)
    {
        const auto it = pending.find(id);
        if (it == pending.end())
            return; // timed out earlier: its late answer is dropped
        auto entry = std::move(it->second);
        pending.erase(it);
        if (entry.deadline)
            entry.deadline->cancel();
        answer(std::move(entry.reply), std::move(result));
    }

    void close(const std::string& why)
    {
        if (phase == Phase::Closed)
            return;
        phase = Phase::Closed;
        closedWhy = why;
        boost::system::error_code ignored;
        socket.close(ignored);
        endpoint.close();
        unsent.clear();
        out.clear();
        for (auto& [id, entry] : std::exchange(pending, {})) {
            if (entry.deadline)
                entry.deadline->cancel();
            answer(std::move(entry.reply), Error{"QMP " + entry.command + ": " + why});
        }
    }

    void send(std::string line)
    {
        out.push_back(std::move(line));
        if (!writing)
            writeNext();
    }

    void writeNext()
    {
        if (out.empty() || phase == Phase::Closed) {
            writing = false;
            return;
        }
        writing = true;
        // The operations hold the Impl: they use its socket, buffer and queue until their handler
        // runs, even when it runs cancelled after the channel was destroyed.
        asio::async_write(socket, asio::buffer(out.front()),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                              if (self->phase == Phase::Closed)
                                  return;
                              if (ec) {
                                  self->close("cannot write to QEMU's monitor: " + ec.message());
                                  return;
                              }
                              self->out.pop_front();
                              self->writeNext();
                          });
    }

    void readNext()
    {
        asio::async_read_until(socket, buffer, '\n', [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
            if (self->phase == Phase::Closed)
                return;
            if (ec == asio::error::not_found) {
                self->close("QEMU sent a monitor message over 1 MiB");
                return;
            }
            if (ec || n == 0) { // a read of nothing: the end of a pipe's input
                const bool ended = !ec || ec == asio::error::eof || ec == asio::error::connection_reset ||
                                   ec == asio::error::broken_pipe; // a pipe's server went (Windows)
                self->close(ended ? "QEMU closed its monitor connection (the VM stopped)"
                                  : "QEMU's monitor connection failed: " + ec.message());
                return;
            }
            std::string line(asio::buffers_begin(self->buffer.data()), asio::buffers_begin(self->buffer.data()) + n);
            self->buffer.consume(n);
            self->received(json::parse(line, nullptr, false));
            if (self->phase != Phase::Closed)
                self->readNext();
        });
    }

    void received(const json& message)
    {
        if (!message.is_object()) {
            close("QEMU's monitor sent something that is not a JSON object");
            return;
        }
        if (phase == Phase::Waiting) {
            if (!message.contains("QMP")) {
                close("the peer on " + path.string() + " is not a QMP server");
                return;
            }
            phase = Phase::Negotiating;
            send(json{{"execute", "qmp_capabilities"}, {"id", 0}}.dump() + "\n");
            return;
        }
        if (message.contains("event")) {
            if (onEvent)
                onEvent(message);
            return;
        }
        const auto id = message.find("id");
        if (id == message.end() || !id->is_number_unsigned())
            return; // an answer to no request of ours
        if (phase == Phase::Negotiating && *id == 0) {
            if (message.contains("error")) {
                close("QEMU refused capability negotiation: " + message["error"].value("desc", message.dump()));
                return;
            }
            phase = Phase::Ready;
            for (const auto queued : std::exchange(unsent, {})) {
                if (const auto it = pending.find(queued); it != pending.end())
                    send(std::move(it->second.line));
            }
            return;
        }
        const auto number = id->get<std::uint64_t>();
        const auto it = pending.find(number);
        if (it == pending.end())
            return;
        if (const auto r = message.find("return"); r != message.end())
            finish(number, *r);
        else if (const auto e = message.find("error"); e != message.end())
            finish(number, Error{"QEMU refused " + it->second.command + ": " + e->value("desc", e->dump())});
    }
};

Result<std::unique_ptr<QmpChannel>> QmpChannel::listen(asio::io_context& io, const std::filesystem::path& path)
{
    auto impl = std::make_shared<Impl>(io, path);
    if (auto listening = impl->endpoint.open(path); !listening)
        return listening.error();
    return std::unique_ptr<QmpChannel>(new QmpChannel(std::move(impl)));
}

QmpChannel::QmpChannel(std::shared_ptr<Impl> impl) : m_impl(std::move(impl)) {}

QmpChannel::~QmpChannel()
{
    m_impl->close("the VM stopped");
    m_impl->onEvent = {};
}

void QmpChannel::start(EventHandler onEvent)
{
    m_impl->onEvent = std::move(onEvent);
    m_impl->endpoint.asyncConnect(m_impl->socket, [self = m_impl](Status connected) {
        if (self->phase == Impl::Phase::Closed)
            return;
        if (!connected) {
            self->close(connected.error().message);
            return;
        }
        self->readNext();
    });
}

void QmpChannel::execute(const std::string& command, json arguments, Reply reply, std::chrono::milliseconds timeout)
{
    auto& d = *m_impl;
    if (d.phase == Impl::Phase::Closed) {
        d.answer(std::move(reply), Error{"QMP " + command + ": " + d.closedWhy});
        return;
    }
    const auto id = d.nextId++;
    json request{{"execute", command}, {"id", id}};
    if (!arguments.is_null())
        request["arguments"] = std::move(arguments);
    auto deadline = std::make_shared<asio::steady_timer>(d.io, timeout);
    deadline->async_wait([weak = std::weak_ptr<Impl>(m_impl), id, command, timeout](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self)
            return;
        const auto phase = self->phase;
        self->finish(id, Error{"QEMU did not answer " + command + " within " + std::to_string(timeout.count()) +
                               " ms" + (phase == Impl::Phase::Ready ? "" : " (its monitor was not ready yet)")});
    });
    d.pending[id] = {command, request.dump() + "\n", std::move(reply), std::move(deadline)};
    if (d.phase == Impl::Phase::Ready)
        d.send(std::move(d.pending[id].line));
    else
        d.unsent.push_back(id);
}

bool QmpChannel::ready() const
{
    return m_impl->phase == Impl::Phase::Ready;
}

} // namespace berth::vm
