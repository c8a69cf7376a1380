#include "BerthHome.h"

#include "TestPaths.h"

#include <QDir>

namespace berth::test {

BerthHome::BerthHome(const QString& pattern) : m_dir(pattern)
{
    if (!m_dir.isValid())
        return;
    keepIfAsked(m_dir);
    m_home = m_dir.filePath("home");
    QDir().mkpath(instanceDir());
    qputenv("BERTH_HOME", m_home.toUtf8());
    qputenv("BERTH_IMAGE_DIR", imageDir().toUtf8());
    qunsetenv("BERTH_INSTANCE");
}

QProcessEnvironment BerthHome::environment() const
{
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("BERTH_HOME", m_home);
    env.insert("DOCKER_HOST", "unix://" + engineSocket());
    env.insert("DOCKER_CONFIG", m_dir.filePath("docker-config"));
    env.remove("DOCKER_CONTEXT");
    return env;
}

ProcessRun BerthHome::docker(const QStringList& args, int timeoutMs) const
{
    return runProcess(binDir() + "/docker", args, {}, timeoutMs, environment());
}

ProcessRun BerthHome::berth(const QStringList& args, int timeoutMs) const
{
    return runProcess(binDir() + "/berth", args, {}, timeoutMs, environment());
}

QString describe(const ProcessRun& run)
{
    return QString("exit %1\nstdout: %2\nstderr: %3")
        .arg(run.exitCode)
        .arg(QString::fromUtf8(run.out), QString::fromUtf8(run.err));
}

} // namespace berth::test
