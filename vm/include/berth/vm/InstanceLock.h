#pragma once

#include "berth/vm/Instance.h"
#include "berth/vm/Result.h"

#include <optional>

namespace berth::vm {

// The lock that makes an instance's agent unique: an exclusive flock on agent.lock in its
// folder, held for the agent's lifetime and released by the kernel when the process ends,
// however it ends.
class InstanceLock final
{
public:
    // Takes the lock without waiting. nullopt: another process holds it.
    static Result<std::optional<InstanceLock>> tryAcquire(const Instance& instance);
    // Some process holds the lock right now.
    static bool held(const Instance& instance);

    InstanceLock(InstanceLock&& other) noexcept;
    InstanceLock& operator=(InstanceLock&& other) noexcept;
    InstanceLock(const InstanceLock&) = delete;
    InstanceLock& operator=(const InstanceLock&) = delete;
    ~InstanceLock();

private:
    explicit InstanceLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

} // namespace berth::vm
