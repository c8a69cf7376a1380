#pragma once

#include "berth/vm/FileLock.h"
#include "berth/vm/Instance.h"
#include "berth/vm/Result.h"

#include <optional>

namespace berth::vm {

// The lock that makes an instance's agent unique: an exclusive FileLock on agent.lock in its
// folder, held for the agent's lifetime and released by the system when the process ends,
// however it ends.
class InstanceLock final
{
public:
    // Takes the lock without waiting. nullopt: another process holds it.
    static Result<std::optional<InstanceLock>> tryAcquire(const Instance& instance);
    // Some process holds the lock right now.
    static bool held(const Instance& instance);

private:
    explicit InstanceLock(FileLock lock) : m_lock(std::move(lock)) {}
    FileLock m_lock;
};

} // namespace berth::vm
