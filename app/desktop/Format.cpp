#include "Format.h"

#include <algorithm>

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

QString agoText(qint64 secondsSinceEpoch, qint64 now)
{
    const qint64 ago = std::max<qint64>(0, now - secondsSinceEpoch);
    auto in = [ago](qint64 unit, const char* one, const char* many) {
        const auto n = ago / unit;
        return n == 1 ? QString::fromLatin1(one) : QString::fromLatin1(many).arg(n);
    };
    if (ago < 60)
        return QStringLiteral("just now");
    if (ago < 3600)
        return in(60, "1 min ago", "%1 min ago");
    if (ago < 86400)
        return in(3600, "1 hour ago", "%1 hours ago");
    if (ago < 14 * 86400)
        return in(86400, "1 day ago", "%1 days ago");
    if (ago < 60 * 86400)
        return in(7 * 86400, "1 week ago", "%1 weeks ago");
    if (ago < 365 * 86400)
        return in(30 * 86400, "1 month ago", "%1 months ago");
    return in(365 * 86400, "1 year ago", "%1 years ago");
}

QString agoText(qint64 secondsSinceEpoch)
{
    return agoText(secondsSinceEpoch, QDateTime::currentSecsSinceEpoch());
}

QString plainTerminalText(const QString& text)
{
    QString plain;
    plain.reserve(text.size());
    const auto n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        const auto c = text.at(i).unicode();
        if (c == 0x1b && i + 1 < n) {
            const auto kind = text.at(i + 1).unicode();
            if (kind == '[') { // CSI: parameters and intermediates, then one final byte 0x40–0x7e
                i += 2;
                while (i < n && !(text.at(i).unicode() >= 0x40 && text.at(i).unicode() <= 0x7e))
                    ++i;
            } else if (kind == ']' || kind == 'P' || kind == '_' || kind == '^') {
                // OSC, DCS, APC, PM: a string up to BEL or ESC \ (ST).
                i += 2;
                while (i < n && text.at(i).unicode() != 0x07 &&
                       !(text.at(i).unicode() == 0x1b && i + 1 < n && text.at(i + 1) == u'\\'))
                    ++i;
                if (i < n && text.at(i).unicode() == 0x1b)
                    ++i;
            } else if (kind == '(' || kind == ')' || kind == '#' || kind == '%') {
                i += 2; // a character-set choice: one more byte
            } else {
                i += 1; // a two-byte sequence (ESC 7, ESC M, …)
            }
            continue;
        }
        if (c == '\r' || c == 0x07 || c == 0x1b)
            continue;
        plain.append(text.at(i));
    }
    return plain;
}

QString registryOf(const QString& reference)
{
    // A first component with a dot or a port, or "localhost", is a registry host (as the
    // docker CLI reads references); anything else is on Docker Hub.
    const auto slash = reference.indexOf('/');
    if (slash > 0) {
        const auto first = reference.left(slash);
        if (first.contains('.') || first.contains(':') || first == "localhost")
            return first;
    }
    return QStringLiteral("Docker Hub");
}

QString pullErrorText(const QString& reference, const QString& engineMessage)
{
    const auto registry = registryOf(reference);
    auto has = [&engineMessage](const char* words) {
        return engineMessage.contains(QLatin1String(words), Qt::CaseInsensitive);
    };
    QString plain;
    if (has("no such host"))
        plain =
            QObject::tr("Cannot reach %1: its name could not be looked up. Check this computer's internet "
                        "connection (and proxy or VPN), and the registry's name.")
                .arg(registry);
    else if (has("dial tcp") || has("i/o timeout") || has("connection refused") ||
             has("network is unreachable") || has("tls handshake timeout") || has("client.timeout") ||
             has("deadline exceeded"))
        plain =
            QObject::tr("Cannot reach %1. Check this computer's internet connection (and proxy or VPN), and "
                        "that the registry is up.")
                .arg(registry);
    else if (has("server gave http response to https client"))
        plain = QObject::tr("%1 answers over plain HTTP. To use it, add it to the insecure registries in "
                            "Settings → Engine, then restart the engine.")
                    .arg(registry);
    else if (has("toomanyrequests") || has("rate limit"))
        plain = QObject::tr("%1 refused more pulls for now (a rate limit). Sign in, or try again later.")
                    .arg(registry);
    else if (has("unauthorized") || has("authentication required") || has("denied") || has("401"))
        plain = QObject::tr("%1 refused access to %2: sign in to %1 first (docker login), or check the name.")
                    .arg(registry, reference);
    else if (has("manifest unknown") || has("not found") || has("does not exist"))
        plain = QObject::tr("%1 was not found in %2: check the name and the tag.").arg(reference, registry);
    else
        plain = QObject::tr("Pulling %1 failed.").arg(reference);
    return engineMessage.isEmpty() ? plain
                                   : plain + "\n" + QObject::tr("The engine said: %1").arg(engineMessage);
}

QString layerInstruction(const QString& createdBy)
{
    auto text = createdBy.trimmed();
    if (text.endsWith(QLatin1String("# buildkit")))
        text = text.chopped(10).trimmed();
    const QString shellForm = QStringLiteral("/bin/sh -c ");
    const QString runShell = QStringLiteral("RUN /bin/sh -c ");
    if (text.startsWith(runShell))
        return QStringLiteral("RUN ") + text.mid(runShell.size()).trimmed();
    if (text.startsWith(shellForm)) {
        auto rest = text.mid(shellForm.size()).trimmed();
        if (rest.startsWith(QLatin1String("#(nop)")))
            return rest.mid(6).trimmed(); // metadata: CMD, ENV, LABEL, COPY …
        return QStringLiteral("RUN ") + rest;
    }
    return text;
}

} // namespace berth::app
