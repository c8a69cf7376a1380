#include "UnixListener.h"

#include <sys/stat.h>

namespace berth::vm::detail {

Status listenPrivately(boost::asio::local::stream_protocol::acceptor& acceptor, const std::filesystem::path& path,
                       int backlog)
{
    std::error_code fsError;
    const auto status = std::filesystem::symlink_status(path, fsError);
    if (!fsError && std::filesystem::exists(status)) {
        if (!std::filesystem::is_socket(status))
            return Error{path.string() + " exists and is not a socket; remove it"};
        std::filesystem::remove(path, fsError);
    }
    boost::system::error_code ec;
    acceptor.open(boost::asio::local::stream_protocol(), ec);
    const mode_t old = ::umask(0177);
    if (!ec)
        acceptor.bind(boost::asio::local::stream_protocol::endpoint(path.string()), ec);
    ::umask(old);
    if (!ec)
        acceptor.listen(backlog, ec);
    if (ec)
        return Error{"cannot listen on " + path.string() + ": " + ec.message()};
    return Ok{};
}

} // namespace berth::vm::detail
