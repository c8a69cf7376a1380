#include "AgentService.h"

#include "AgentWatcher.h"

#include <QPointer>
#include <QProcess>

namespace berth::app {

AgentService::AgentService(vm::Instance instance, QString berthExecutable, QObject* parent)
    : QObject(parent), m_instance(std::move(instance)), m_berth(std::move(berthExecutable))
{
    qRegisterMetaType<vm::AgentStatus>();
    m_status.instance = m_instance.name();
}

AgentService::~AgentService()
{
    if (m_watcher) {
        m_thread.quit();
        m_thread.wait();
        delete m_watcher; // its thread has ended: nothing of it runs any more
    }
}

void AgentService::start()
{
    if (m_watcher)
        return;
    m_watcher = new AgentWatcher(m_instance);
    m_watcher->moveToThread(&m_thread);
    connect(m_watcher, &AgentWatcher::statusChanged, this, [this](const vm::AgentStatus& status) {
        m_status = status;
        emit statusChanged(m_status);
    });
    connect(m_watcher, &AgentWatcher::agentFound, this, &AgentService::agentFound);
    m_thread.setObjectName("berth-agent-watch");
    m_thread.start();
    QMetaObject::invokeMethod(m_watcher, &AgentWatcher::begin);
}

void AgentService::startEngine()
{
    runCommand("start");
}

void AgentService::stopEngine()
{
    runCommand("stop");
}

void AgentService::restartEngine()
{
    runCommand("restart");
}

void AgentService::factoryReset()
{
    runCommand("reset", {"--yes", "--factory"});
}

void AgentService::runCommand(const QString& verb, const QStringList& extra)
{
    if (m_running++ == 0)
        emit busyChanged(true);
    const auto what = verb == "start"     ? tr("Start")
                      : verb == "stop"    ? tr("Stop")
                      : verb == "restart" ? tr("Restart")
                                          : tr("Reset");
    // Output is not read: an agent that `start` launches must not hold a pipe of ours.
    runBerth(QStringList{verb} + extra, this, [this, verb, what](bool ok, const QString&, const QString& error) {
        if (--m_running == 0)
            emit busyChanged(false);
        if (!ok)
            emit commandFailed(what, error);
        emit commandFinished(verb, ok);
    }, false);
}

void AgentService::runBerth(const QStringList& arguments, QObject* context,
                            std::function<void(bool, const QString&, const QString&)> done, bool readOutput)
{
    auto* process = new QProcess(this);
    process->setProgram(m_berth);
    process->setArguments(arguments + QStringList{"--instance", QString::fromStdString(m_instance.name())});
    process->setProcessChannelMode(QProcess::SeparateChannels);
    if (!readOutput)
        process->setStandardOutputFile(QProcess::nullDevice());
    QPointer<QObject> guard(context);
    auto finish = [process, guard, done](bool ok, const QString& out, const QString& error) {
        process->deleteLater();
        if (guard)
            done(ok, out, error);
    };
    connect(process, &QProcess::finished, this, [process, finish](int code, QProcess::ExitStatus exit) {
        const auto out = QString::fromLocal8Bit(process->readAllStandardOutput());
        if (exit == QProcess::NormalExit && code == 0) {
            finish(true, out, {});
            return;
        }
        auto message = QString::fromLocal8Bit(process->readAllStandardError()).trimmed();
        if (message.isEmpty())
            message = tr("`berth` ended with code %1").arg(code);
        finish(false, out, message);
    });
    connect(process, &QProcess::errorOccurred, this, [this, process, finish](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            finish(false, {}, tr("cannot run %1: %2").arg(m_berth, process->errorString()));
    });
    process->start();
}

} // namespace berth::app
