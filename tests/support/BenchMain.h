#pragma once

#include <QCoreApplication>
#include <QTest>
#include <algorithm>
#include <vector>

namespace berth::test {

inline double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// How many runs a benchmark makes: $BERTH_BENCH_RUNS, default 3.
inline int benchRuns()
{
    bool ok = false;
    const int n = qEnvironmentVariableIntValue("BERTH_BENCH_RUNS", &ok);
    return ok && n > 0 ? n : 3;
}

} // namespace berth::test

// main() for a benchmark: like QTEST_GUILESS_MAIN, but a benchmark's single function may run for
// many minutes under TCG, past Qt Test's default 300 s limit (unless the caller set one).
#define BERTH_BENCH_MAIN(TestClass)                                                                                    \
    int main(int argc, char* argv[])                                                                                   \
    {                                                                                                                  \
        if (qEnvironmentVariableIsEmpty("QTEST_FUNCTION_TIMEOUT"))                                                     \
            qputenv("QTEST_FUNCTION_TIMEOUT", "3600000");                                                              \
        QCoreApplication app(argc, argv);                                                                              \
        TestClass test;                                                                                                \
        return QTest::qExec(&test, argc, argv);                                                                        \
    }
