#pragma once

#include <vector>

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace berth::test {

struct ProcessRun
{
    int exitCode = -1; // -1: did not start, crashed or timed out (err says which)
    QByteArray out;
    QByteArray err;
};

// Runs `program` with `args`, writes `input` and closes its stdin (so a reader sees EOF), and
// waits up to `timeoutMs`, killing it on timeout.
ProcessRun runProcess(const QString& program, const QStringList& args, const QByteArray& input = {},
                      int timeoutMs = 180000,
                      const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment());

// Starts `count` copies of `program` at once (stdin closed), then waits for each as runProcess
// does; the runs in start order.
std::vector<ProcessRun>
runConcurrently(const QString& program, const QStringList& args, int count, int timeoutMs = 180000,
                const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment());

// For a VM test's folder: kept for a post-mortem when BERTH_KEEP_TEST_DIRS is set, and named in
// the test's output either way.
void keepIfAsked(QTemporaryDir& dir);

} // namespace berth::test
