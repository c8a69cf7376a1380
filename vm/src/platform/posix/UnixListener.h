#pragma once

#include "berth/vm/Result.h"

#include <filesystem>

#include <boost/asio/local/stream_protocol.hpp>

namespace berth::vm::detail {

// Opens `acceptor` on `path`, mode 0600 from the moment it exists. A stale socket file (left by
// a process that died) is replaced; any other kind of file there is an error, left untouched.
Status listenPrivately(boost::asio::local::stream_protocol::acceptor& acceptor, const std::filesystem::path& path,
                       int backlog);

} // namespace berth::vm::detail
