#include "berth/vm/InstanceLock.h"

namespace berth::vm {

Result<std::optional<InstanceLock>> InstanceLock::tryAcquire(const Instance& instance)
{
    auto lock = FileLock::tryAcquire(instance.lockFile());
    if (!lock)
        return lock.error();
    if (!lock->has_value())
        return std::optional<InstanceLock>{};
    return std::optional<InstanceLock>(InstanceLock(std::move(**lock)));
}

bool InstanceLock::held(const Instance& instance)
{
    auto lock = tryAcquire(instance);
    return lock.ok() && !lock.value().has_value();
}

} // namespace berth::vm
