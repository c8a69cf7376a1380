#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace berth::test {

// A stand-in for the engine in unit tests: a Unix socket that answers each request with bytes
// given in advance (a capture from tests/unit/captures, say), then closes the connection. The
// first answer whose prefix matches the request's target (after the /v1.xx version) is used;
// a request nothing matches gets a 404. Runs on the caller's io_context; destroying it stops
// listening.
class CannedEngine final
{
public:
    CannedEngine(boost::asio::io_context& io, std::filesystem::path socket);
    ~CannedEngine();
    CannedEngine(const CannedEngine&) = delete;
    CannedEngine& operator=(const CannedEngine&) = delete;

    void answer(std::string targetPrefix, std::string bytes);
    const std::filesystem::path& socket() const;
    // The request lines received so far ("GET /v1.45/events HTTP/1.1").
    std::vector<std::string> requests() const;

private:
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

} // namespace berth::test
