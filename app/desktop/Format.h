#pragma once

#include <QString>
#include <QtGlobal>

namespace berth::app {

// "512 KiB", "12.4 MiB", "1.25 GiB"
QString bytesText(quint64 bytes);
// "1 container", "3 containers": English plurals without a loaded translation.
QString countText(qint64 count, const QString& one, const QString& many);
// A time as the tables show it: "2026-11-23 14:05", from seconds since the epoch.
QString timeText(qint64 secondsSinceEpoch);
// The same from the engine's RFC 3339 text; the text itself when it does not parse.
QString timeText(const QString& rfc3339);
// How long ago, as current desktop apps say it: "just now", "1 min ago", "5 hours ago",
// "3 days ago", "2 months ago". `now` and the time in seconds since the epoch.
QString agoText(qint64 secondsSinceEpoch, qint64 now);
// The same against the clock.
QString agoText(qint64 secondsSinceEpoch);
// A failed pull of `reference` in words a person can act on ("Cannot reach Docker Hub…",
// "sign in to REGISTRY first", "not found in REGISTRY"), from the engine's message, which
// follows on a line of its own.
QString pullErrorText(const QString& reference, const QString& engineMessage);
// The registry a reference names: its host ("registry.example.com:5000", "localhost:5000"),
// or "Docker Hub".
QString registryOf(const QString& reference);

// The Dockerfile instruction that made an image layer, from its history's CreatedBy: "RUN apk
// add curl" for "/bin/sh -c apk add curl", "CMD [\"sh\"]" for "/bin/sh -c #(nop)  CMD [\"sh\"]";
// BuildKit's "# buildkit" mark dropped; anything else as it is.
QString layerInstruction(const QString& createdBy);

// What a terminal would show of `text`, as plain text: escape sequences (colours, cursor
// movement, window titles) and carriage returns taken out. For logs written for a terminal,
// such as the guest's console.
QString plainTerminalText(const QString& text);

} // namespace berth::app
