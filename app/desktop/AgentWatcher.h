#pragma once

#include "berth/vm/AgentStatus.h"
#include "berth/vm/Instance.h"

#include <QByteArray>
#include <QObject>

class QFileSystemWatcher;
class QLocalSocket;
class QTimer;

namespace berth::app {

// Follows one instance's agent from the thread it lives on: a `watch` on the control socket
// while an agent runs; the recorded status, and a watch on the socket folder for the next
// agent, while none does. Used by AgentService; not thread-safe itself.
class AgentWatcher final : public QObject
{
    Q_OBJECT

public:
    explicit AgentWatcher(vm::Instance instance);

public slots:
    void begin();

signals:
    void statusChanged(const berth::vm::AgentStatus& status);
    // Once, after begin(): whether an agent answered on the control socket.
    void agentFound(bool found);

private:
    void tryConnect();
    void readLines();
    void disconnected();
    void reportRecorded();
    void reportFound(bool found);

    vm::Instance m_instance;
    QFileSystemWatcher* m_folder = nullptr;
    QLocalSocket* m_socket = nullptr;
    QTimer* m_recheck = nullptr;
    QByteArray m_buffer;
    bool m_watching = false;
    bool m_reported = false; // agentFound was emitted
    int m_refusals = 0;      // refused connects in a row while the socket file exists
};

} // namespace berth::app
