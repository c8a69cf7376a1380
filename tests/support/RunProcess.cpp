#include "RunProcess.h"

#include <QDebug>
#include <QProcess>

namespace berth::test {

ProcessRun runProcess(const QString& program, const QStringList& args, const QByteArray& input, int timeoutMs,
                      const QProcessEnvironment& env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    ProcessRun run;
    if (!p.waitForStarted(10000)) {
        run.err = program.toUtf8() + " did not start";
        return run;
    }
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
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

void keepIfAsked(QTemporaryDir& dir)
{
    dir.setAutoRemove(qEnvironmentVariableIsEmpty("BERTH_KEEP_TEST_DIRS"));
    qInfo() << "test folder:" << dir.path();
}

} // namespace berth::test
