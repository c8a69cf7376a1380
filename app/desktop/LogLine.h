#pragma once

#include <QMetaType>
#include <QString>
#include <QVector>

namespace berth::app {

// One line of a container's output, as the logs view shows it.
struct LogLine
{
    QString timestamp; // RFC 3339 from the engine when timestamps were asked for; else empty
    QString text;      // without its line ending
    bool isStderr = false;
    QString source; // in a window of several containers, the one that printed it ("web-1")
};

} // namespace berth::app

Q_DECLARE_METATYPE(berth::app::LogLine)
Q_DECLARE_METATYPE(QVector<berth::app::LogLine>)
