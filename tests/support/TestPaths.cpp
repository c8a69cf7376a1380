#include "TestPaths.h"

#include <csignal>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QtGlobal>

namespace berth::test {

namespace {

// A test that ctest ends at its timeout cannot stop what it started: an agent that `berth
// start` detached, and that agent's QEMU, run on and slow every later test. So every test
// process marks what it starts with BERTH_TEST_OWNER=<its pid> (children inherit it), and on
// its way in ends the marked processes whose owner is gone. Only processes this user may read
// are seen; a person's own Berth carries no mark.
void endOrphansOfDeadTests()
{
    const QByteArray key = "BERTH_TEST_OWNER=";
    const auto self = QByteArray::number(qint64(::getpid()));
    for (const auto& entry : QDir("/proc").entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        if (!isPid || pid == ::getpid())
            continue;
        QFile environ("/proc/" + entry + "/environ");
        if (!environ.open(QIODevice::ReadOnly))
            continue;
        for (const auto& variable : environ.readAll().split('\0')) {
            if (!variable.startsWith(key))
                continue;
            const auto owner = variable.mid(key.size());
            if (owner != self && !QFile::exists("/proc/" + QString::fromLatin1(owner))) {
                qWarning("ending pid %lld, left running by test process %s, which is gone", pid, owner.constData());
                ::kill(static_cast<pid_t>(pid), SIGKILL);
            }
            break;
        }
    }
    qputenv("BERTH_TEST_OWNER", self);
}
Q_CONSTRUCTOR_FUNCTION(endOrphansOfDeadTests)

QString fromEnv(const char* name, const char* fallback)
{
    const auto value = qEnvironmentVariable(name);
    return value.isEmpty() ? QString::fromUtf8(fallback) : value;
}

} // namespace

QString imageDir()
{
    return fromEnv("BERTH_IMAGE_DIR", BERTH_IMAGE_DIR);
}

QString binDir()
{
    return fromEnv("BERTH_BIN_DIR", BERTH_BIN_DIR);
}

QString testImagesDir()
{
    return fromEnv("BERTH_TEST_IMAGES_DIR", BERTH_TEST_IMAGES_DIR);
}

} // namespace berth::test
