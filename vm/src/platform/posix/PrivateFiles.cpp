#include "berth/vm/PrivateFiles.h"

#include "../PlatformDetail.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::vm {

namespace fs = std::filesystem;

Status writeFileAtomically(const fs::path& file, const std::string& contents, unsigned mode)
{
    const auto tmp = file.parent_path() / ("." + file.filename().string() + ".tmp");
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return Error{"cannot write " + tmp.string() + ": " + std::strerror(errno) + "; " + file.string() +
                     " was not changed"};
    ::fchmod(fd, mode);
    size_t done = 0;
    while (done < contents.size()) {
        const auto n = ::write(fd, contents.data() + done, contents.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const std::string why = std::strerror(errno);
            ::close(fd);
            ::unlink(tmp.c_str());
            return Error{"cannot write " + tmp.string() + ": " + why + "; " + file.string() +
                         " was not changed"};
        }
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(tmp.c_str());
        return Error{"cannot write " + tmp.string() + ": " + std::strerror(errno) + "; " + file.string() +
                     " was not changed"};
    }
    if (::rename(tmp.c_str(), file.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        ::unlink(tmp.c_str());
        return Error{"cannot replace " + file.string() + ": " + why};
    }
    if (const int dirFd = ::open(file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    return Ok{};
}

namespace detail {

Status restrictToUser(const fs::path& dir)
{
    if (::chmod(dir.c_str(), 0700) != 0)
        return Error{"cannot make " + dir.string() + " private (mode 0700): " + std::strerror(errno)};
    return Ok{};
}

} // namespace detail

} // namespace berth::vm
