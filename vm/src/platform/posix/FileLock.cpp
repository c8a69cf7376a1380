#include "berth/vm/FileLock.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace berth::vm {

Result<std::optional<FileLock>> FileLock::tryAcquire(const std::filesystem::path& file)
{
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return Error{"cannot open " + file.string() + ": " + std::strerror(errno)};
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        ::close(fd);
        if (err == EWOULDBLOCK)
            return std::optional<FileLock>{};
        return Error{"cannot lock " + file.string() + ": " + std::strerror(err)};
    }
    return std::optional<FileLock>(FileLock(fd));
}

void FileLock::release()
{
    if (m_handle >= 0)
        ::close(static_cast<int>(m_handle));
    m_handle = -1;
}

} // namespace berth::vm
