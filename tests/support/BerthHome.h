#pragma once

#include "RunProcess.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace berth::test {

// A Berth home of its own, for tests that use Berth as a person does (through `berth` and its
// agent): BERTH_HOME and BERTH_IMAGE_DIR are set for this process and every command it runs,
// and docker talks to the instance's engine socket.
class BerthHome final
{
public:
    // `pattern` as for QTemporaryDir; keep it short, since socket paths must fit.
    explicit BerthHome(const QString& pattern);
    BerthHome(const BerthHome&) = delete;
    BerthHome& operator=(const BerthHome&) = delete;

    bool isValid() const { return m_dir.isValid(); }
    QString path(const QString& name) const { return m_dir.filePath(name); }
    QString home() const { return m_home; }
    QString instanceDir() const { return m_home + "/default"; }
    QString engineSocket() const { return instanceDir() + "/sock/docker.sock"; }
    // HOME and XDG_RUNTIME_DIR of the processes this home runs (see environment()).
    QString userHome() const { return m_dir.filePath("user-home"); }
    QString runtimeDir() const { return m_dir.filePath("runtime"); }
    QProcessEnvironment environment() const;

    ProcessRun docker(const QStringList& args, int timeoutMs = 180000) const;
    ProcessRun berth(const QStringList& args, int timeoutMs = 300000) const;

private:
    QTemporaryDir m_dir;
    QString m_home;
};

// "exit N / stdout / stderr" of a run, for failure messages.
QString describe(const ProcessRun& run);

} // namespace berth::test
