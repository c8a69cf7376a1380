#pragma once

#include <QCoreApplication>
#include <QTest>

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
