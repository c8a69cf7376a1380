#include "BerthHome.h"

#include "TestPaths.h"

#include <QDir>
#include <QFile>

namespace berth::test {

BerthHome::BerthHome(const QString& pattern) : m_dir(pattern)
{
    if (!m_dir.isValid())
        return;
    keepIfAsked(m_dir);
    m_home = m_dir.filePath("home");
    QDir().mkpath(instanceDir());
    QDir().mkpath(userHome());
    QDir().mkpath(runtimeDir());
    QFile::setPermissions(runtimeDir(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
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
    // A home and a runtime folder of the test's own, as a person has: where the agent offers
    // the engine socket to SDKs (~/.docker/run/docker.sock, $XDG_RUNTIME_DIR/docker.sock).
    env.insert("HOME", userHome());
    env.insert("XDG_RUNTIME_DIR", runtimeDir());
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
