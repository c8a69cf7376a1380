#pragma once

#include "berth/engine/Client.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QThread>
#include <functional>
#include <memory>

namespace berth::app {

// The desktop app's door to the engine: an engine::Client on an io_context of its own thread.
// Every public function may be called on the GUI thread and returns at once; results and engine
// changes arrive as signals, queued to the thread this object lives on. The container list is
// kept current from /events: one full list when the engine becomes reachable, then one
// inspect per event for the container it names. When the engine goes away, engineReachable(false)
// is emitted and the service tries again every two seconds until it is back.
class EngineService final : public QObject
{
    Q_OBJECT

public:
    explicit EngineService(engine::Endpoint endpoint, QObject* parent = nullptr);
    ~EngineService() override;
    EngineService(const EngineService&) = delete;
    EngineService& operator=(const EngineService&) = delete;

    // Connects and begins following the engine. Idempotent.
    void start();
    bool reachable() const { return m_reachable; }

    // Container actions; failures come back through operationFailed with the daemon's message.
    void startContainer(const QString& id);
    void stopContainer(const QString& id);
    void restartContainer(const QString& id);
    void pauseContainer(const QString& id);
    void unpauseContainer(const QString& id);
    void removeContainer(const QString& id, bool force);

signals:
    void engineReachable(bool reachable, const QString& reason);
    // The whole list, after (re)connecting; then changes one container at a time.
    void containersReset(const QList<berth::engine::Container>& containers);
    void containerChanged(const berth::engine::Container& container);
    void containerRemoved(const QString& id);
    void operationFailed(const QString& what, const QString& message);

private:
    // Runs `work` on the I/O thread.
    void onIo(std::function<void()> work);
    // Runs `work` on this object's thread, unless this object is gone by then.
    void toGui(std::function<void()> work);
    void connectToEngine();
    void lost(const QString& reason);
    void refreshContainer(const std::string& id, const std::string& impliedState);
    void containerAction(const QString& what, const QString& id,
                         std::function<engine::Operation(engine::Client&, engine::Done)> call);

    struct Io;
    std::unique_ptr<Io> m_io; // owned by the I/O thread once started
    QThread m_thread;
    bool m_reachable = false;
    bool m_started = false;
};

} // namespace berth::app

Q_DECLARE_METATYPE(berth::engine::Container)
