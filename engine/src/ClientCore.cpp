// Client's connection handling: version negotiation, the keep-alive pool, operations and their
// cancellation.
#include "ClientImpl.h"

#include <spdlog/spdlog.h>

namespace berth::engine {

void Operation::cancel()
{
    if (!m_state || m_state->cancelled || m_state->finished)
        return;
    m_state->cancelled = true;
    if (auto abort = std::move(m_state->abort))
        abort();
}

bool Operation::active() const
{
    return m_state && !m_state->cancelled && !m_state->finished;
}

std::shared_ptr<detail::OperationState> Client::Impl::newOperation()
{
    if (operations.size() >= 64)
        std::erase_if(operations, [](const auto& weak) { return weak.expired(); });
    auto state = std::make_shared<detail::OperationState>();
    operations.push_back(state);
    return state;
}

void Client::Impl::withVersion(std::function<void(Status)> next)
{
    if (version) {
        next(Ok{});
        return;
    }
    versionWaiters.push_back(std::move(next));
    if (negotiating)
        return;
    negotiating = true;
    detail::Request ping;
    ping.target = "/_ping";
    ping.versioned = false;
    std::weak_ptr<Impl> weak = shared_from_this();
    detail::Exchange::Handlers handlers;
    handlers.onEnd = [weak](Status status, detail::Exchange* exchange) {
        auto self = weak.lock();
        if (!self)
            return;
        self->negotiating = false;
        if (status && exchange) {
            const auto header = exchange->decoder().header("API-Version");
            const auto engineMax = ApiVersion::parse(header);
            const auto chosen = engineMax ? ApiVersion::negotiate(*engineMax) : std::nullopt;
            if (!engineMax)
                status = Error{ErrorKind::Malformed,
                               "the engine's /_ping answer has no usable API-Version (\"" + header + "\")"};
            else if (!chosen)
                status = Error{ErrorKind::Unsupported, "the engine speaks Docker API " + header +
                                                           ", older than the oldest Berth supports (" +
                                                           ApiVersion::oldestSupported().toString() +
                                                           "); upgrade the engine"};
            else {
                self->version = chosen;
                spdlog::debug("engine: API {} (engine offers {})", chosen->toString(), header);
            }
        }
        auto waiters = std::move(self->versionWaiters);
        self->versionWaiters.clear();
        for (auto& waiter : waiters)
            waiter(status);
    };
    auto exchange =
        std::make_shared<detail::Exchange>(shared_from_this(), std::move(ping), std::move(handlers));
    pingExchange = exchange;
    exchange->start(takeIdle());
}

void Client::Impl::send(detail::Request request, const std::shared_ptr<detail::OperationState>& state,
                        detail::Exchange::Handlers handlers)
{
    std::weak_ptr<Impl> weak = shared_from_this();
    const bool versioned = request.versioned;
    auto begin = [weak, request = std::move(request), state,
                  handlers = std::move(handlers)](Status ready) mutable {
        auto self = weak.lock();
        if (!self || state->cancelled || state->finished)
            return;
        if (!ready) {
            if (handlers.onEnd)
                handlers.onEnd(ready, nullptr);
            return;
        }
        const bool ownConnection = request.stream || request.upgrade || request.bodySource;
        auto pooled = ownConnection ? nullptr : self->takeIdle();
        auto exchange = std::make_shared<detail::Exchange>(self, std::move(request), std::move(handlers));
        state->abort = [weakExchange = std::weak_ptr<detail::Exchange>(exchange)] {
            if (auto e = weakExchange.lock())
                e->abort();
        };
        exchange->start(std::move(pooled));
    };
    if (versioned)
        withVersion(std::move(begin));
    else
        begin(Ok{});
}

void Client::Impl::call(detail::Request request, const std::shared_ptr<detail::OperationState>& state,
                        std::function<void(Result<std::string>)> done)
{
    auto body = std::make_shared<std::string>();
    const auto limit = options.maxResponseBytes;
    detail::Exchange::Handlers handlers;
    handlers.onBody = [body, limit, target = request.describe()](std::string_view data) -> Status {
        if (body->size() + data.size() > limit)
            return Error{ErrorKind::Malformed, "the engine's answer to " + target + " is larger than " +
                                                   std::to_string(limit >> 20) + " MiB; it was refused"};
        body->append(data);
        return Ok{};
    };
    handlers.onEnd = [body, done = std::move(done)](Status status, detail::Exchange*) {
        if (status)
            done(std::move(*body));
        else
            done(status.error());
    };
    send(std::move(request), state, std::move(handlers));
}

std::unique_ptr<detail::Socket> Client::Impl::takeIdle()
{
    if (idle.empty())
        return nullptr;
    auto socket = std::move(idle.back());
    idle.pop_back();
    return socket;
}

void Client::Impl::returnToPool(std::unique_ptr<detail::Socket> socket)
{
    if (idle.size() < options.maxIdleConnections)
        idle.push_back(std::move(socket));
}

void Client::Impl::cancelAll()
{
    for (auto& weak : operations)
        if (auto state = weak.lock())
            Operation(state).cancel();
    operations.clear();
    if (auto ping = pingExchange.lock())
        ping->abort();
    versionWaiters.clear();
    idle.clear();
}

Client::Client(boost::asio::io_context& io, Options options)
    : m_impl(std::make_shared<Impl>(io, std::move(options)))
{
    m_impl->version = m_impl->options.apiVersion;
}

Client::~Client()
{
    m_impl->cancelAll();
}

std::optional<ApiVersion> Client::apiVersion() const
{
    return m_impl->version;
}

std::size_t Client::idleConnections() const
{
    return m_impl->idle.size();
}

} // namespace berth::engine
