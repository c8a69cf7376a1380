#include "CannedEngine.h"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <regex>

namespace berth::test {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;

struct CannedEngine::Impl : std::enable_shared_from_this<Impl>
{
    Impl(asio::io_context& context, std::filesystem::path path)
        : io(context), socketPath(std::move(path)), acceptor(context)
    {}

    asio::io_context& io;
    std::filesystem::path socketPath;
    asio::local::stream_protocol::acceptor acceptor;
    std::vector<std::pair<std::string, std::string>> answers;
    std::vector<std::string> requests;

    void accept()
    {
        acceptor.async_accept([self = shared_from_this()](boost::system::error_code ec, Socket socket) {
            if (ec)
                return;
            self->serve(std::make_shared<Socket>(std::move(socket)));
            self->accept();
        });
    }

    void serve(std::shared_ptr<Socket> socket)
    {
        auto input = std::make_shared<asio::streambuf>();
        asio::async_read_until(
            *socket, *input, "\r\n\r\n",
            [self = shared_from_this(), socket, input](boost::system::error_code ec, std::size_t headLength) {
                if (ec)
                    return;
                const std::string head(asio::buffers_begin(input->data()),
                                       asio::buffers_begin(input->data()) + headLength);
                input->consume(headLength);
                std::smatch length;
                std::size_t bodyLeft = 0;
                if (std::regex_search(head, length, std::regex("Content-Length: *([0-9]+)", std::regex::icase)))
                    bodyLeft = std::stoul(length[1]) - std::min(std::stoul(length[1]), input->size());
                const auto requestLine = head.substr(0, head.find("\r\n"));
                self->requests.push_back(requestLine);
                auto answer = std::make_shared<std::string>(self->answerFor(requestLine));
                // The request body (a JSON object at most, in these tests) is read and dropped.
                asio::async_read(*socket, *input, asio::transfer_exactly(bodyLeft),
                                 [socket, input, answer](boost::system::error_code readError, std::size_t) {
                                     if (readError)
                                         return;
                                     asio::async_write(*socket, asio::buffer(*answer),
                                                       [socket, answer](boost::system::error_code, std::size_t) {
                                                           boost::system::error_code ignored;
                                                           socket->shutdown(Socket::shutdown_both, ignored);
                                                           socket->close(ignored);
                                                       });
                                 });
            });
    }

    std::string answerFor(const std::string& requestLine) const
    {
        // "METHOD /v1.45/target HTTP/1.1": the target without its version prefix.
        const auto start = requestLine.find(' ') + 1;
        auto target = requestLine.substr(start, requestLine.rfind(' ') - start);
        static const std::regex version("^/v[0-9]+\\.[0-9]+(/.*)$");
        if (std::smatch m; std::regex_match(target, m, version))
            target = m[1];
        for (const auto& [prefix, bytes] : answers)
            if (target.starts_with(prefix))
                return bytes;
        return "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 28\r\n"
               "Connection: close\r\n\r\n{\"message\":\"no such answer\"}";
    }
};

CannedEngine::CannedEngine(asio::io_context& io, std::filesystem::path socket)
    : m_impl(std::make_shared<Impl>(io, std::move(socket)))
{
    std::filesystem::remove(m_impl->socketPath);
    m_impl->acceptor.open();
    m_impl->acceptor.bind(asio::local::stream_protocol::endpoint(m_impl->socketPath.string()));
    m_impl->acceptor.listen();
    m_impl->accept();
}

CannedEngine::~CannedEngine()
{
    boost::system::error_code ignored;
    m_impl->acceptor.close(ignored);
    std::error_code ignoredToo;
    std::filesystem::remove(m_impl->socketPath, ignoredToo);
}

void CannedEngine::answer(std::string targetPrefix, std::string bytes)
{
    m_impl->answers.emplace_back(std::move(targetPrefix), std::move(bytes));
}

const std::filesystem::path& CannedEngine::socket() const
{
    return m_impl->socketPath;
}

std::vector<std::string> CannedEngine::requests() const
{
    return m_impl->requests;
}

} // namespace berth::test
