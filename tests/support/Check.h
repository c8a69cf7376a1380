#pragma once

// Checks for the tests that build without Qt (tests/windows, tests/engine), so that they run on
// Windows too: a failed CHECK prints the line, the expression and a detail, and the test goes on;
// VERIFY, VERIFY2, COMPARE, FAIL and VERIFY_THROWS stop the test function they are in, as their
// QTest namesakes do. run() runs one such function by name; finish() prints the counts and gives
// main() its exit code.
#include <cstdio>
#include <exception>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

namespace berth::test {

inline int g_failures = 0;
inline int g_checks = 0;

inline bool check(bool ok, const char* what, int line, const std::string& detail = {})
{
    ++g_checks;
    if (ok)
        return true;
    ++g_failures;
    std::fprintf(stderr, "FAIL line %d: %s%s%s\n", line, what, detail.empty() ? "" : " — ", detail.c_str());
    return false;
}

// A value as a failed COMPARE shows it: what operator<< prints, else "(a value)".
template <typename T> std::string shown(const T& value)
{
    if constexpr (std::is_enum_v<T>)
        return std::to_string(static_cast<long long>(value));
    else if constexpr (requires(std::ostream & out) { out << value; }) {
        std::ostringstream out;
        out << value;
        return out.str();
    } else
        return "(a value)";
}
template <typename T> std::string shown(const std::optional<T>& value)
{
    return value ? shown(*value) : std::string("(none)");
}

template <typename A, typename B> bool compare(const A& actual, const B& expected, const char* what, int line)
{
    const bool same = actual == expected;
    return check(same, what, line,
                 same ? std::string() : "got " + shown(actual) + ", expected " + shown(expected));
}

// Runs test function `name`; says PASS or FAIL with the number of failed checks in it.
inline void run(const char* name, const std::function<void()>& test)
{
    const int before = g_failures;
    try {
        test();
    } catch (const std::exception& e) {
        check(false, "an exception escaped", 0, e.what());
    }
    std::printf("%s: %s\n", g_failures == before ? "PASS" : "FAIL", name);
}

inline int finish()
{
    std::printf("%d checks, %d failed\n", g_checks, g_failures);
    return g_failures == 0 ? 0 : 1;
}

} // namespace berth::test

#define CHECK(expr, ...) ::berth::test::check(static_cast<bool>(expr), #expr, __LINE__, ##__VA_ARGS__)
#define VERIFY(expr)                                                                                         \
    do {                                                                                                     \
        if (!::berth::test::check(static_cast<bool>(expr), #expr, __LINE__))                                 \
            return;                                                                                          \
    } while (false)
#define VERIFY2(expr, detail)                                                                                \
    do {                                                                                                     \
        if (!::berth::test::check(static_cast<bool>(expr), #expr, __LINE__, detail))                         \
            return;                                                                                          \
    } while (false)
#define COMPARE(actual, expected)                                                                            \
    do {                                                                                                     \
        if (!::berth::test::compare((actual), (expected), #actual " == " #expected, __LINE__))               \
            return;                                                                                          \
    } while (false)
#define FAIL(detail)                                                                                         \
    do {                                                                                                     \
        ::berth::test::check(false, "FAIL", __LINE__, detail);                                               \
        return;                                                                                              \
    } while (false)
#define VERIFY_THROWS(exceptionType, expr)                                                                   \
    do {                                                                                                     \
        bool thrown = false;                                                                                 \
        try {                                                                                                \
            (void)(expr);                                                                                    \
        } catch (const exceptionType&) {                                                                     \
            thrown = true;                                                                                   \
        }                                                                                                    \
        if (!::berth::test::check(thrown, #expr " throws " #exceptionType, __LINE__))                        \
            return;                                                                                          \
    } while (false)
