#pragma once

#include <utility>
#include <variant>

namespace berth {

// A value of type T, or the error E that kept an operation from producing one. Errors are values
// at the boundaries of engine/ and vm/: no exception crosses them. Each library names its own
// Result<T> as Expected<T, ItsError>.
template <typename T, typename E> class Expected final
{
public:
    Expected(T value) : m_state(std::in_place_index<0>, std::move(value)) {}
    Expected(E error) : m_state(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_state.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(m_state); }
    const T& value() const& { return std::get<0>(m_state); }
    T&& value() && { return std::get<0>(std::move(m_state)); }
    T valueOr(T fallback) const& { return ok() ? value() : std::move(fallback); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const E& error() const { return std::get<1>(m_state); }

private:
    std::variant<T, E> m_state;
};

// The value of an operation that only succeeds or fails.
struct Ok
{
};

} // namespace berth
