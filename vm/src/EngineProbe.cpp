#include "berth/vm/EngineProbe.h"

#include "berth/engine/detail/Transport.h"
#include "berth/vm/LocalEndpoint.h"

#include <memory>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace berth::vm {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

struct Exchange : std::enable_shared_from_this<Exchange>
{
    Exchange(asio::io_context& io, std::function<void(Result<HttpReply>)> d) : socket(io), timer(io), done(std::move(d))
    {
    }
    engine::detail::Socket socket; // a Unix socket, or a named pipe on Windows
    asio::steady_timer timer;
    http::request<http::empty_body> request;
    http::response<http::string_body> response;
    boost::beast::flat_buffer buffer;
    std::function<void(Result<HttpReply>)> done;
    std::string what; // the socket, for messages
    bool timedOut = false;

    void finish(Result<HttpReply> result)
    {
        if (!done)
            return;
        timer.cancel();
        boost::system::error_code ignored;
        socket.close(ignored);
        auto callback = std::move(done);
        done = nullptr;
        callback(std::move(result));
    }

    void failed(const std::string& step, boost::system::error_code ec)
    {
        if (timedOut)
            finish(Error{"the engine did not answer on " + what + " in time"});
        else
            finish(Error{step + " " + what + ": " + ec.message()});
    }
};

} // namespace

void asyncEngineGet(asio::io_context& io, const std::filesystem::path& socket, const std::string& target,
                    std::chrono::milliseconds timeout, std::function<void(Result<HttpReply>)> done)
{
    auto x = std::make_shared<Exchange>(io, std::move(done));
    x->what = socket.string();
    x->request = {http::verb::get, target, 11};
    x->request.set(http::field::host, "docker");
    x->request.set(http::field::user_agent, "berth");
    x->timer.expires_after(timeout);
    x->timer.async_wait([x](boost::system::error_code ec) {
        if (ec)
            return;
        x->timedOut = true;
        boost::system::error_code ignored;
        x->socket.close(ignored);
    });
    engine::detail::asyncConnect(x->socket, engineEndpoint(socket), [x](engine::Status connected) {
        // The deadline holds also while a connect waits for a busy pipe, which the timer cannot
        // cut short (no handle is open yet).
        if (x->timedOut)
            return x->finish(Error{"the engine did not answer on " + x->what + " in time"});
        if (!connected)
            return x->finish(Error{connected.error().message});
        http::async_write(x->socket, x->request, [x](boost::system::error_code ec2, std::size_t) {
            if (ec2)
                return x->failed("cannot send to", ec2);
            http::async_read(x->socket, x->buffer, x->response, [x](boost::system::error_code ec3, std::size_t) {
                if (ec3)
                    return x->failed("no reply on", ec3);
                x->finish(HttpReply{static_cast<int>(x->response.result_int()), std::move(x->response.body())});
            });
        });
    });
}

Result<HttpReply> engineGet(const std::filesystem::path& socket, const std::string& target,
                            std::chrono::milliseconds timeout)
{
    asio::io_context io;
    Result<HttpReply> result = Error{"no reply"};
    asyncEngineGet(io, socket, target, timeout, [&result](Result<HttpReply> r) { result = std::move(r); });
    io.run();
    return result;
}

} // namespace berth::vm
