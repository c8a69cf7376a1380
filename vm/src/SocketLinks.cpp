#include "berth/vm/SocketLinks.h"

#include "berth/vm/LocalEndpoint.h"
#include "berth/vm/PrivateFiles.h"

#include <cstdlib>

namespace fs = std::filesystem;

namespace berth::vm {

std::vector<fs::path> conventionalSocketPaths()
{
#ifdef _WIN32
    // Windows' docker CLI and SDKs look for the pipe docker_engine, not a file; the docker
    // context is how they find Berth there.
    return {};
#else
    std::vector<fs::path> paths;
    std::error_code ec;
    if (const char* runtime = std::getenv("XDG_RUNTIME_DIR");
        runtime && *runtime == '/' && fs::is_directory(runtime, ec))
        paths.push_back(fs::path(runtime) / "docker.sock");
    if (const char* home = std::getenv("HOME"); home && *home == '/')
        paths.push_back(fs::path(home) / ".docker" / "run" / "docker.sock");
    return paths;
#endif
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
        if (auto made = makePrivateFolder(folder); !made)
            return made;
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
        fs::create_symlink(socket, link, ec);
        if (!ec)
            return Ok{};
        if (ec != std::errc::file_exists)
            return Error{"cannot link " + link.string() + " to the engine socket: " + ec.message()};
        const auto there = fs::symlink_status(link, ec);
        if (ec || there.type() == fs::file_type::not_found)
            continue; // gone meanwhile: try again
        if (!fs::is_symlink(there))
            return Error{link.string() + " is another program's (" +
                         (fs::is_socket(there) ? "a socket" : "not a link of Berth's") + "); left as it is"};
        if (linksTo(link, socket))
            return Ok{};
        if (localEndpointAnswers(link)) {
            std::error_code ignored;
            return Error{link.string() + " leads to another engine that is running (" +
                         fs::read_symlink(link, ignored).string() + "); left as it is"};
        }
        // A link to an engine that no longer answers (a stopped Berth, a removed product).
        if (fs::remove(link, ec); ec)
            return Error{"cannot replace the dead link " + link.string() + ": " + ec.message()};
    }
    return Error{link.string() + " keeps changing; left as it is"};
}

void withdrawSocketAt(const fs::path& link, const fs::path& socket)
{
    std::error_code ignored;
    if (linksTo(link, socket))
        fs::remove(link, ignored);
}

} // namespace berth::vm
