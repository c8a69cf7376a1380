#pragma once

#include "LogLine.h"
#include "berth/engine/Client.h"

#include <functional>
#include <memory>

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

namespace berth::app {

// The desktop app's door to the engine: an engine::Client on an io_context of its own thread.
// Every public function may be called on the GUI thread and returns at once; results and engine
// changes arrive as signals, queued to the thread this object lives on.
//
// Lists are kept current from /events, never by polling: one full list of each kind when the
// engine becomes reachable, then, for containers, one list request per burst of events for the
// containers they name (a row takes an event's state at once, before that request returns); for
// images, volumes and networks a fresh list after their events settle. When the engine goes
// away, engineReachable(false) is emitted and the service tries again every two seconds.
class EngineService final : public QObject
{
    Q_OBJECT

public:
    // At most this many containers have a live stats stream (CPU %, memory) at once; the rest
    // show no figures. Each stream is a connection and a cgroup read a second in the engine.
    static constexpr int kMaxStatsStreams = 24;

    explicit EngineService(engine::Endpoint endpoint, QObject* parent = nullptr);
    ~EngineService() override;
    EngineService(const EngineService&) = delete;
    EngineService& operator=(const EngineService&) = delete;

    // Connects and begins following the engine. Idempotent.
    void start();
    // Tries to connect at once instead of at the next two-second retry, e.g. when the agent
    // reports the engine running. Does nothing while connected.
    void reconnectNow();
    bool reachable() const { return m_reachable; }
    // The engine's address as DOCKER_HOST says it ("unix:///…/docker.sock"), for the docker CLI.
    QString dockerHost() const { return m_dockerHost; }

    // Runs `call` with the client on the I/O thread; `done` gets its result on the GUI thread,
    // unless `context` was destroyed by then. `call` must copy what it captures.
    template <typename T>
    void request(QObject* context,
                 std::function<engine::Operation(engine::Client&, engine::Callback<T>)> call,
                 std::function<void(engine::Result<T>)> done);
    // The same for operations that return only success or an error.
    void act(QObject* context, std::function<engine::Operation(engine::Client&, engine::Done)> call,
             std::function<void(engine::Status)> done);

    // Container actions; failures come back through operationFailed with the daemon's message.
    void startContainer(const QString& id);
    void stopContainer(const QString& id);
    void restartContainer(const QString& id);
    void pauseContainer(const QString& id);
    void unpauseContainer(const QString& id);
    void removeContainer(const QString& id, bool force);

    // Follows a container's output. Lines arrive through logLines in batches, at most every
    // 25 ms; logEnded when the stream ends. A new call for the same `token` replaces the stream.
    void followLogs(int token, const QString& id, bool timestamps, int tail);
    void stopLogs(int token);

    // Pulls an image; progress through pullProgress, the end through pullFinished.
    void pullImage(int token, const QString& reference);
    void cancelPull(int token);

    // An interactive shell in a running container: an exec of bash when the image has it, else
    // /bin/sh, with a TTY of `rows` x `columns` and TERM=xterm-256color. Output arrives through
    // terminalOutput, the end through terminalEnded. A new call for the same `token` replaces
    // the session.
    void openTerminal(int token, const QString& containerId, int rows, int columns);
    void writeTerminal(int token, const QByteArray& bytes);
    void resizeTerminal(int token, int rows, int columns);
    void closeTerminal(int token);

    // Follows one container's stats (every figure, about once a second) until stopStats.
    void followStats(int token, const QString& containerId);
    void stopStats(int token);

signals:
    void engineReachable(bool reachable, const QString& reason);
    // The whole list, after (re)connecting; then changes one container at a time.
    void containersReset(const QList<berth::engine::Container>& containers);
    void containerChanged(const berth::engine::Container& container);
    void containerRemoved(const QString& id);
    // The state an event implies, at once; containerChanged follows with the whole row.
    void containerStateChanged(const QString& id, const QString& state);
    // A container's latest stats sample, about once a second while it runs.
    void containerStats(const QString& id, double cpuPercent, quint64 memoryUsage, quint64 memoryLimit);
    void imagesReset(const QList<berth::engine::Image>& images);
    void volumesReset(const QList<berth::engine::Volume>& volumes);
    void networksReset(const QList<berth::engine::Network>& networks);
    void operationFailed(const QString& what, const QString& message);
    // A container action asked for here is on its way ("Stopping…"), and has ended (a failure
    // also comes through operationFailed). A stop may take the container's whole grace time.
    void containerActionStarted(const QString& id, const QString& pending);
    void containerActionFinished(const QString& id);

    void logLines(int token, const QVector<berth::app::LogLine>& lines);
    void logEnded(int token, const QString& reason);
    void pullProgress(int token, const berth::engine::ProgressMessage& message);
    void pullFinished(int token, bool ok, const QString& error);

    void terminalOutput(int token, const QByteArray& bytes);
    // The shell exited (`exitCode`, -1 when unknown) or could not run; `message` says which.
    void terminalEnded(int token, int exitCode, const QString& message);
    void statsSample(int token, const berth::engine::Stats& sample);
    void statsEnded(int token, const QString& reason);

private:
    struct Io;
    struct LogStream;
    struct Terminal;
    // Sends the terminal's wanted size unless a resize is on its way (then it follows that one).
    void sendTerminalSize(const std::shared_ptr<Terminal>& terminal);

    // Runs `work` on the I/O thread.
    void onIo(std::function<void()> work);
    // Runs `work` on this object's thread, unless this object is gone by then.
    void toGui(std::function<void()> work);
    // The client, on the I/O thread; clientReady() is false while the engine is unreachable.
    bool clientReady() const;
    engine::Client& client();

    void connectToEngine();
    // The connection of generation `gen` failed; a later one's callbacks are left alone.
    void lost(std::uint64_t gen, const QString& reason);
    void onEvent(const engine::Event& event);
    void queueRefresh(const std::string& id, const std::string& impliedState);
    void refreshQueued();
    void listKind(int kind); // images, volumes (from /system/df) or networks
    void settle(int kind);
    void updateStatsStreams();
    void flushLogs(LogStream& stream);
    void containerAction(const QString& id, const QString& what, const QString& pending,
                         std::function<engine::Operation(engine::Client&, engine::Done)> call);

    std::unique_ptr<Io> m_io; // touched only on the I/O thread once started
    bool m_reachable = false;
    bool m_started = false;
    QString m_dockerHost;
};

template <typename T>
void EngineService::request(QObject* context,
                            std::function<engine::Operation(engine::Client&, engine::Callback<T>)> call,
                            std::function<void(engine::Result<T>)> done)
{
    QPointer<QObject> guard(context);
    onIo([this, guard, call = std::move(call), done = std::move(done)]() mutable {
        auto deliver = [this, guard, done](engine::Result<T> result) {
            toGui([guard, done, result = std::move(result)] {
                if (guard)
                    done(result);
            });
        };
        if (!clientReady()) {
            deliver(engine::Error{engine::ErrorKind::Unreachable, "The engine is not running.", 0});
            return;
        }
        call(client(), deliver);
    });
}

} // namespace berth::app

Q_DECLARE_METATYPE(berth::engine::Container)
Q_DECLARE_METATYPE(berth::engine::Image)
Q_DECLARE_METATYPE(berth::engine::Volume)
Q_DECLARE_METATYPE(berth::engine::Network)
Q_DECLARE_METATYPE(berth::engine::ProgressMessage)
Q_DECLARE_METATYPE(berth::engine::Stats)
