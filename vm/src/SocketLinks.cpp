#include "berth/vm/SocketLinks.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace berth::vm {

std::vector<fs::path> conventionalSocketPaths()
{
    std::vector<fs::path> paths;
    std::error_code ec;
    if (const char* runtime = std::getenv("XDG_RUNTIME_DIR");
        runtime && *runtime == '/' && fs::is_directory(runtime, ec))
        paths.push_back(fs::path(runtime) / "docker.sock");
    if (const char* home = std::getenv("HOME"); home && *home == '/')
        paths.push_back(fs::path(home) / ".docker" / "run" / "docker.sock");
    return paths;
}

bool socketAnswers(const fs::path& path)
{
    sockaddr_un address{};
    const auto text = path.string();
    if (text.size() >= sizeof address.sun_path)
        return true; // cannot tell; assume alive
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
    // Non-blocking: a listener whose backlog is full would hold a blocking connect (EAGAIN: it
    // is there). Only "nothing there" and "nobody listens" count as dead; anything else as alive.
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return true;
    const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
    const int err = errno;
    ::close(fd);
    return ok || (err != ENOENT && err != ECONNREFUSED && err != ENOTSOCK);
}

bool linksTo(const fs::path& link, const fs::path& socket)
{
    std::error_code ec;
    const auto target = fs::read_symlink(link, ec);
    return !ec && target == socket;
}

Status offerSocketAt(const fs::path& link, const fs::path& socket)
{
    std::error_code ec;
    const auto folder = link.parent_path();
    if (folder.filename() == "run" && folder.parent_path().filename() == ".docker" && !fs::exists(folder, ec)) {
        fs::create_directories(folder.parent_path(), ec);
        if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST)
            return Error{"cannot make " + folder.string() + ": " + std::strerror(errno)};
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (::symlink(socket.c_str(), link.c_str()) == 0)
            return Ok{};
        if (errno != EEXIST)
            return Error{"cannot link " + link.string() + " to the engine socket: " + std::strerror(errno)};
        struct stat st{};
        if (::lstat(link.c_str(), &st) != 0)
            continue; // gone meanwhile: try again
        if (!S_ISLNK(st.st_mode))
            return Error{link.string() + " is another program's (" +
                         (S_ISSOCK(st.st_mode) ? "a socket" : "not a link of Berth's") + "); left as it is"};
        if (linksTo(link, socket))
            return Ok{};
        if (socketAnswers(link)) {
            std::error_code ignored;
            return Error{link.string() + " leads to another engine that is running (" +
                         fs::read_symlink(link, ignored).string() + "); left as it is"};
        }
        // A link to an engine that no longer answers (a stopped Berth, a removed product).
        if (::unlink(link.c_str()) != 0 && errno != ENOENT)
            return Error{"cannot replace the dead link " + link.string() + ": " + std::strerror(errno)};
    }
    return Error{link.string() + " keeps changing; left as it is"};
}

void withdrawSocketAt(const fs::path& link, const fs::path& socket)
{
    if (linksTo(link, socket))
        ::unlink(link.c_str());
}

} // namespace berth::vm
