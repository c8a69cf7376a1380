#pragma once

#include <QString>

namespace berth::app {

// "Start Berth at login", per platform: an XDG autostart entry on Linux
// ($XDG_CONFIG_HOME/autostart/berth.desktop), a LaunchAgent on macOS
// (~/Library/LaunchAgents/org.berth.desktop.plist), and the current user's Run key on Windows
// (HKCU\Software\Microsoft\Windows\CurrentVersion\Run, value "Berth"). The entry starts
// `program` with --minimized (to the tray).
class Autostart final
{
public:
    // Whether an entry of Berth's is there now.
    static bool enabled();
    // Writes (atomically) or removes the entry. An empty string on success, else what went wrong,
    // naming the file or key.
    static QString setEnabled(bool on, const QString& program);

    // The entries' text, for the platforms that use files (tested on every platform).
    static QString desktopEntry(const QString& program);
    static QString launchAgentPlist(const QString& program);
    // Where the file-based entry lives on this platform; empty on Windows.
    static QString entryPath();
};

} // namespace berth::app
