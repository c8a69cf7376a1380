#pragma once

#include "berth/vm/Process.h"

#include <QString>
#include <optional>

namespace berth::test {

// Debian's docker-registry (distribution 2.8), serving on 127.0.0.1 on a free port with its
// storage in `dir`, for pull and push tests without any network. Stopped by the destructor.
// From inside the guest the host's loopback is 10.0.2.2 (QEMU user networking).
class LocalRegistry final
{
public:
    explicit LocalRegistry(QString dir);
    ~LocalRegistry();
    LocalRegistry(const LocalRegistry&) = delete;
    LocalRegistry& operator=(const LocalRegistry&) = delete;

    // Starts it and waits until GET /v2/ answers 200. False with errorString() on failure.
    bool start();
    void stop();
    quint16 port() const { return m_port; }
    QString errorString() const { return m_error; }
    // HTTP GET on the registry; returns the status code and body (empty on no answer).
    std::pair<int, QByteArray> get(const QString& path) const;

private:
    QString m_dir;
    quint16 m_port = 0;
    std::optional<vm::Process> m_process;
    QString m_error;
};

} // namespace berth::test
