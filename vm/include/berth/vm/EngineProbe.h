#pragma once

#include "berth/vm/Result.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>

namespace berth::vm {

// A small HTTP GET on the engine's Unix socket, for the agent's readiness check and the CLI's
// `version` (engine/ holds the full API client). One request per connection, as the docker CLI
// does.
struct HttpReply
{
    int status = 0;
    std::string body;
};

// Calls `done` once, on the io_context's thread, with the reply or an error saying whether
// nothing listened, the connection failed or `timeout` passed.
void asyncEngineGet(boost::asio::io_context& io, const std::filesystem::path& socket, const std::string& target,
                    std::chrono::milliseconds timeout, std::function<void(Result<HttpReply>)> done);

// The same, blocking the calling thread.
Result<HttpReply> engineGet(const std::filesystem::path& socket, const std::string& target,
                            std::chrono::milliseconds timeout);

} // namespace berth::vm
