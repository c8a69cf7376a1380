#include "AgentService.h"

#include "AgentWatcher.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include <QPointer>

namespace berth::app {

// What the workers share with the service: who to report to (null once it is gone) and how
// many still run.
struct AgentService::Workers
{
    std::mutex mutex;
    std::condition_variable idle;
    AgentService* owner = nullptr;
    int running = 0;
};

AgentService::AgentService(vm::InstanceControl control, QObject* parent)
    : QObject(parent), m_control(std::move(control)), m_workers(std::make_shared<Workers>())
{
    qRegisterMetaType<vm::AgentStatus>();
    m_status.instance = m_control.instance().name();
    m_workers->owner = this;
}

AgentService::~AgentService()
{
    // Waiting operations end within moments of cancel(); one stuck on an unresponsive agent
    // (a timeout of a few seconds) is left to end on its own, reporting to no one.
    m_control.cancel();
    {
        std::unique_lock lock(m_workers->mutex);
        m_workers->owner = nullptr;
        m_workers->idle.wait_for(lock, std::chrono::seconds(2), [this] { return m_workers->running == 0; });
    }
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
    m_watcher = new AgentWatcher(m_control.instance());
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

void AgentService::onWorker(std::function<std::function<void()>(const vm::InstanceControl&)> work)
{
    {
        std::lock_guard lock(m_workers->mutex);
        ++m_workers->running;
    }
    std::thread([workers = m_workers, control = m_control, work = std::move(work)] {
        auto then = work(control);
        std::lock_guard lock(workers->mutex);
        // Posted while the owner cannot go away (its destructor takes this mutex first); an
        // event posted to an object that is then deleted is dropped with it.
        if (workers->owner)
            QMetaObject::invokeMethod(workers->owner, std::move(then), Qt::QueuedConnection);
        --workers->running;
        workers->idle.notify_all();
    }).detach();
}

namespace {

// An operation's failure, or nullopt when it worked.
template <typename T> std::optional<vm::ControlError> failureOf(const vm::ControlResult<T>& result)
{
    return result ? std::nullopt : std::optional(result.error());
}

} // namespace

void AgentService::startEngine()
{
    runCommand("start", [](const vm::InstanceControl& c) { return failureOf(c.start({})); });
}

void AgentService::stopEngine()
{
    runCommand("stop", [](const vm::InstanceControl& c) { return failureOf(c.stop()); });
}

void AgentService::restartEngine()
{
    runCommand("restart", [](const vm::InstanceControl& c) { return failureOf(c.restart({})); });
}

void AgentService::factoryReset()
{
    runCommand("reset", [](const vm::InstanceControl& c) { return failureOf(c.reset(true)); });
}

void AgentService::runCommand(const QString& verb, Operation operation)
{
    if (m_running++ == 0)
        emit busyChanged(true);
    const auto what = verb == "start"     ? tr("Start")
                      : verb == "stop"    ? tr("Stop")
                      : verb == "restart" ? tr("Restart")
                                          : tr("Reset");
    onWorker([this, verb, what, operation = std::move(operation)](const vm::InstanceControl& c) {
        std::optional<vm::ControlError> failure;
        try {
            failure = operation(c);
        } catch (const std::exception& e) { // a worker's exception would end the app
            failure = vm::ControlError{std::string("unexpected error: ") + e.what()};
        }
        return std::function<void()>([this, verb, what, failure] {
            if (--m_running == 0)
                emit busyChanged(false);
            if (failure)
                emit commandFailed(what, QString::fromStdString(failure->text()));
            emit commandFinished(verb, !failure);
        });
    });
}

void AgentService::versions(QObject* context, std::function<void(const QString&)> done)
{
    onWorker([guard = QPointer<QObject>(context), done = std::move(done)](const vm::InstanceControl& c) {
        QString text;
        try {
            text = QString::fromStdString(c.versions()).trimmed();
        } catch (const std::exception& e) {
            text = tr("Cannot tell the versions: %1").arg(QString::fromUtf8(e.what()));
        }
        return std::function<void()>([guard, done, text] {
            if (guard)
                done(text);
        });
    });
}

void AgentService::diagnose(QObject* context, std::function<void(bool, const QString&)> done)
{
    onWorker([guard = QPointer<QObject>(context), done = std::move(done)](const vm::InstanceControl& c) {
        vm::DiagnosticsOptions options;
        auto file = vm::defaultDiagnosticsFile(options.at);
        bool ok = false;
        QString text;
        if (!file) {
            text = QString::fromStdString(file.error().message);
        } else {
            options.output = std::move(file).value();
            try {
                auto written = c.diagnose(options);
                ok = written.ok();
                text = QString::fromStdString(ok ? written->archive.string() : written.error().message);
            } catch (const std::exception& e) {
                text = QString::fromUtf8(e.what());
            }
        }
        return std::function<void()>([guard, done, ok, text] {
            if (guard)
                done(ok, text);
        });
    });
}

} // namespace berth::app
