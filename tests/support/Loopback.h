#pragma once

#include <functional>

#include <QByteArray>
#include <QtGlobal>

namespace berth::test {

// Helpers for reaching published ports on this computer's loopback, blocking and bounded.

// One HTTP/1.0 GET of `path` on 127.0.0.1:`port`; the whole answer, empty when nothing answered.
QByteArray httpGet(quint16 port, const QByteArray& path, int timeoutMs = 3000);
// The answer's status line says 200.
bool answers200(const QByteArray& answer);
// True when something accepts TCP connections on 127.0.0.1:`port`.
bool acceptsOnLoopback(quint16 port);
// A TCP port on 127.0.0.1 that was free a moment ago, below the range of ports the system gives
// outgoing connections (so that none of those takes it before the caller listens there).
quint16 freeTcpPort();
// Polls `condition` every 50 ms until it holds (true) or `timeoutMs` passed (false).
bool waitFor(const std::function<bool()>& condition, int timeoutMs);

} // namespace berth::test
