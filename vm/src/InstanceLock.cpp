#include "berth/vm/InstanceLock.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <utility>

namespace berth::vm {

Result<std::optional<InstanceLock>> InstanceLock::tryAcquire(const Instance& instance)
{
    const auto file = instance.lockFile();
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return Error{"cannot open " + file.string() + ": " + std::strerror(errno)};
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        ::close(fd);
        if (err == EWOULDBLOCK)
            return std::optional<InstanceLock>{};
        return Error{"cannot lock " + file.string() + ": " + std::strerror(err)};
    }
    return std::optional<InstanceLock>(InstanceLock(fd));
}

bool InstanceLock::held(const Instance& instance)
{
    auto lock = tryAcquire(instance);
    return lock.ok() && !lock.value().has_value();
}

InstanceLock::InstanceLock(InstanceLock&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}

InstanceLock& InstanceLock::operator=(InstanceLock&& other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

InstanceLock::~InstanceLock()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

} // namespace berth::vm
