#include "berth/vm/FileLock.h"

#include <utility>

// What every platform shares; tryAcquire() and release() are in vm/src/platform.
namespace berth::vm {

FileLock::FileLock(FileLock&& other) noexcept : m_handle(std::exchange(other.m_handle, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept
{
    if (this != &other) {
        release();
        m_handle = std::exchange(other.m_handle, -1);
    }
    return *this;
}

FileLock::~FileLock()
{
    release();
}

} // namespace berth::vm
