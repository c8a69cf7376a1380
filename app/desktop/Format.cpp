#include "Format.h"

#include <QDateTime>

namespace berth::app {

QString bytesText(quint64 bytes)
{
    constexpr double kKiB = 1024.0;
    if (bytes >= 1024ull * 1024 * 1024)
        return QString::number(double(bytes) / (kKiB * kKiB * kKiB), 'f', 2) + " GiB";
    if (bytes >= 1024ull * 1024)
        return QString::number(double(bytes) / (kKiB * kKiB), 'f', 1) + " MiB";
    if (bytes >= 1024)
        return QString::number(double(bytes) / kKiB, 'f', 0) + " KiB";
    return QString::number(bytes) + " B";
}

QString countText(qint64 count, const QString& one, const QString& many)
{
    return QString("%1 %2").arg(count).arg(count == 1 ? one : many);
}

QString timeText(qint64 secondsSinceEpoch)
{
    return QDateTime::fromSecsSinceEpoch(secondsSinceEpoch).toString("yyyy-MM-dd HH:mm");
}

QString timeText(const QString& rfc3339)
{
    const auto time = QDateTime::fromString(rfc3339, Qt::ISODateWithMs);
    return time.isValid() ? time.toLocalTime().toString("yyyy-MM-dd HH:mm") : rfc3339;
}

} // namespace berth::app
