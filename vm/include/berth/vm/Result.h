#pragma once

#include <string>
#include <utility>
#include <variant>

namespace berth::vm {

// An error a person can act on: what went wrong and, where known, what to do about it.
struct Error
{
    std::string message;
};

// The value of an operation that can fail with an Error. Errors are values at this library's
// boundary; no exception crosses it.
template <typename T> class Result final
{
public:
    Result(T value) : m_state(std::move(value)) {}
    Result(Error error) : m_state(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<T>(m_state); }
    const T& value() const& { return std::get<T>(m_state); }
    T&& value() && { return std::get<T>(std::move(m_state)); }
    T valueOr(T fallback) const& { return ok() ? value() : std::move(fallback); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<Error>(m_state); }

private:
    std::variant<T, Error> m_state;
};

struct Ok
{
};
using Status = Result<Ok>;

} // namespace berth::vm
