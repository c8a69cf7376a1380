#pragma once

// The Windows tests' checks, without Qt: a failed CHECK prints the line, the expression and a
// detail; finish() prints the count and gives main() its exit code.
#include <cstdio>
#include <string>

namespace berth::test {

inline int g_failures = 0;
inline int g_checks = 0;

inline void check(bool ok, const char* what, int line, const std::string& detail = {})
{
    ++g_checks;
    if (ok)
        return;
    ++g_failures;
    std::fprintf(stderr, "FAIL line %d: %s%s%s\n", line, what, detail.empty() ? "" : " — ", detail.c_str());
}

inline int finish()
{
    std::printf("%d checks, %d failed\n", g_checks, g_failures);
    return g_failures == 0 ? 0 : 1;
}

} // namespace berth::test

#define CHECK(expr, ...) ::berth::test::check(static_cast<bool>(expr), #expr, __LINE__, ##__VA_ARGS__)
