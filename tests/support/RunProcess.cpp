#include "RunProcess.h"

#include <memory>

#include <QDebug>
#include <QProcess>

namespace berth::test {

namespace {

// Waits for a started process, killing it after `timeoutMs`, and collects what it did.
ProcessRun collect(QProcess& p, const QString& program, const QStringList& args, int timeoutMs)
{
    ProcessRun run;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        run.err = "timed out: " + program.toUtf8() + " " + args.join(' ').toUtf8();
        return run;
    }
    run.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    run.out = p.readAllStandardOutput();
    run.err = p.readAllStandardError();
    return run;
}

} // namespace

ProcessRun runProcess(const QString& program, const QStringList& args, const QByteArray& input, int timeoutMs,
                      const QProcessEnvironment& env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForStarted(10000)) {
        ProcessRun run;
        run.err = program.toUtf8() + " did not start";
        return run;
    }
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    return collect(p, program, args, timeoutMs);
}

std::vector<ProcessRun> runConcurrently(const QString& program, const QStringList& args, int count,
                                        int timeoutMs, const QProcessEnvironment& env)
{
    std::vector<std::unique_ptr<QProcess>> processes;
    for (int i = 0; i < count; ++i) {
        auto p = std::make_unique<QProcess>();
        p->setProcessEnvironment(env);
        p->start(program, args);
        p->closeWriteChannel();
        processes.push_back(std::move(p));
    }
    std::vector<ProcessRun> runs;
    for (auto& p : processes)
        runs.push_back(collect(*p, program, args, timeoutMs));
    return runs;
}

void keepIfAsked(QTemporaryDir& dir)
{
    dir.setAutoRemove(qEnvironmentVariableIsEmpty("BERTH_KEEP_TEST_DIRS"));
    qInfo() << "test folder:" << dir.path();
}

} // namespace berth::test
