#pragma once

#include <functional>
#include <memory>

namespace berth::engine {

namespace detail {
struct OperationState;
}

// A handle on one running operation of Client. cancel() ends it at once: its connection is
// closed (a stream's connection is freed in the engine as well) and none of its callbacks runs
// afterwards. A default-constructed or finished Operation ignores cancel(). Copies share the
// operation. Use on the client's io_context thread.
class Operation final
{
public:
    Operation() = default;
    explicit Operation(std::shared_ptr<detail::OperationState> state) : m_state(std::move(state)) {}

    void cancel();
    // Still running: not finished and not cancelled.
    bool active() const;

private:
    std::shared_ptr<detail::OperationState> m_state;
};

namespace detail {

// Shared by an Operation handle and the I/O that carries it out.
struct OperationState
{
    bool cancelled = false;
    bool finished = false;
    std::function<void()> abort; // closes whatever the operation is waiting on
};

} // namespace detail

} // namespace berth::engine
