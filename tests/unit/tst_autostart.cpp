// "Start Berth at login": the XDG autostart entry (Linux), written atomically and removed, and
// the LaunchAgent text the macOS path writes.
#include "Autostart.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using berth::app::Autostart;

class TestAutostart : public QObject
{
    Q_OBJECT

private slots:
    void xdgEntryIsWrittenAndRemoved()
    {
        QTemporaryDir config;
        qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
        const auto path = Autostart::entryPath();
        QCOMPARE(path, config.path() + "/autostart/berth.desktop");
        QVERIFY(!Autostart::enabled());
        QCOMPARE(Autostart::setEnabled(true, "/opt/My Apps/berth-desktop"), QString());
        QVERIFY(Autostart::enabled());
        QFile entry(path);
        QVERIFY(entry.open(QIODevice::ReadOnly));
        const auto text = QString::fromUtf8(entry.readAll());
        QVERIFY2(text.startsWith("[Desktop Entry]\nType=Application\n"), qPrintable(text));
        QVERIFY2(text.contains("Exec=\"/opt/My Apps/berth-desktop\" --minimized\n"), qPrintable(text));
        QCOMPARE(Autostart::setEnabled(false, {}), QString());
        QVERIFY(!Autostart::enabled());
        QVERIFY(!QFile::exists(path));
        QCOMPARE(Autostart::setEnabled(false, {}), QString()); // already off: nothing to do
    }

    void execQuotingEscapesShellCharacters()
    {
        const auto text = Autostart::desktopEntry("/x/$HOME/\"b\"`c`\\d");
        QVERIFY2(text.contains("Exec=\"/x/\\$HOME/\\\"b\\\"\\`c\\`\\\\d\" --minimized"), qPrintable(text));
    }

    void launchAgentNamesTheProgram()
    {
        const auto plist = Autostart::launchAgentPlist("/Applications/Berth & Co.app/Contents/MacOS/berth-desktop");
        QVERIFY(plist.contains("<key>Label</key>\n  <string>org.berth.desktop</string>"));
        QVERIFY(plist.contains("<string>/Applications/Berth &amp; Co.app/Contents/MacOS/berth-desktop</string>"));
        QVERIFY(plist.contains("<key>RunAtLoad</key>\n  <true/>"));
    }

    void unwritableFolderIsReported()
    {
        QTemporaryDir config;
        QFile blocker(config.path() + "/autostart");
        QVERIFY(blocker.open(QIODevice::WriteOnly)); // a file where the folder should be
        blocker.close();
        qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
        const auto error = Autostart::setEnabled(true, "/usr/bin/berth-desktop");
        QVERIFY2(error.contains(config.path() + "/autostart"), qPrintable(error));
        QVERIFY(!Autostart::enabled());
    }
};

QTEST_GUILESS_MAIN(TestAutostart)
#include "tst_autostart.moc"
