#include "Autostart.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>

namespace berth::app {

namespace {

// Desktop Entry Exec quoting: the program in double quotes, with \ " ` $ escaped.
QString execQuoted(const QString& program)
{
    QString quoted;
    for (const QChar c : program) {
        if (c == '\\' || c == '"' || c == '`' || c == '$')
            quoted += '\\';
        quoted += c;
    }
    return "\"" + quoted + "\"";
}

QString xmlEscaped(const QString& text)
{
    return text.toHtmlEscaped();
}

#ifdef Q_OS_WIN
const char* const kRunKey = "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run";
#endif

} // namespace

QString Autostart::desktopEntry(const QString& program)
{
    return "[Desktop Entry]\n"
           "Type=Application\n"
           "Name=Berth\n"
           "Comment=Start Berth's engine dashboard at login\n"
           "Exec=" +
           execQuoted(program) +
           " --minimized\n"
           "Icon=berth\n"
           "Terminal=false\n"
           "X-GNOME-Autostart-enabled=true\n";
}

QString Autostart::launchAgentPlist(const QString& program)
{
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
           "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
           "<plist version=\"1.0\">\n<dict>\n"
           "  <key>Label</key>\n  <string>org.berth.desktop</string>\n"
           "  <key>ProgramArguments</key>\n  <array>\n"
           "    <string>" +
           xmlEscaped(program) +
           "</string>\n"
           "    <string>--minimized</string>\n"
           "  </array>\n"
           "  <key>RunAtLoad</key>\n  <true/>\n"
           "</dict>\n</plist>\n";
}

QString Autostart::entryPath()
{
#if defined(Q_OS_WIN)
    return {};
#elif defined(Q_OS_MACOS)
    return QDir::homePath() + "/Library/LaunchAgents/org.berth.desktop.plist";
#else
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) + "/autostart/berth.desktop";
#endif
}

bool Autostart::enabled()
{
#ifdef Q_OS_WIN
    return QSettings(kRunKey, QSettings::NativeFormat).contains("Berth");
#else
    return QFileInfo::exists(entryPath());
#endif
}

QString Autostart::setEnabled(bool on, const QString& program)
{
#ifdef Q_OS_WIN
    QSettings run(kRunKey, QSettings::NativeFormat);
    if (on)
        run.setValue("Berth", "\"" + QDir::toNativeSeparators(program) + "\" --minimized");
    else
        run.remove("Berth");
    run.sync();
    return run.status() == QSettings::NoError ? QString() : QString("cannot change %1\\Berth").arg(kRunKey);
#else
    const auto path = entryPath();
    if (!on) {
        if (QFileInfo::exists(path) && !QFile::remove(path))
            return "cannot remove " + path;
        return {};
    }
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return "cannot create the folder " + QFileInfo(path).absolutePath();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return "cannot write " + path + ": " + file.errorString();
#ifdef Q_OS_MACOS
    file.write(launchAgentPlist(program).toUtf8());
#else
    file.write(desktopEntry(program).toUtf8());
#endif
    if (!file.commit())
        return "cannot write " + path + ": " + file.errorString();
    return {};
#endif
}

} // namespace berth::app
