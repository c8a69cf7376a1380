// The Troubleshoot page's logs, from an instance folder of the test's own: the guest console's
// terminal colours become plain text, and long lines wrap instead of scrolling sideways. The
// page against a running engine is in tst_desktopdepth.
#include "AgentService.h"
#include "EngineService.h"
#include "Format.h"
#include "TroubleshootPage.h"
#include "berth/vm/Instance.h"
#include "berth/vm/InstanceControl.h"

#include <QFile>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QTest>

using namespace berth;

class TestTroubleshootPage final : public QObject
{
    Q_OBJECT

private slots:
    void escapeSequencesAreTakenOut()
    {
        QCOMPARE(app::plainTerminalText("\x1b[36mINFO\x1b[0m[0001] started"), QString("INFO[0001] started"));
        QCOMPARE(app::plainTerminalText("\x1b[1;31merror\x1b[m: x\r"), QString("error: x"));
        QCOMPARE(app::plainTerminalText("\x1b]0;title\x07shown"), QString("shown"));
        QCOMPARE(app::plainTerminalText("\x1b]2;t\x1b\\shown"), QString("shown"));
        QCOMPARE(app::plainTerminalText("\x1b(Bplain\x1b"
                                        "7\x1b"
                                        "8"),
                 QString("plain"));
        QCOMPARE(app::plainTerminalText("tail cut \x1b[3"), QString("tail cut "));
        QCOMPARE(app::plainTerminalText(QString::fromUtf8("ünïcode ✓")), QString::fromUtf8("ünïcode ✓"));
    }

    void consoleShowsPlainWrappedText()
    {
        QTemporaryDir home;
        QVERIFY(home.isValid());
        auto instance = vm::Instance::open(home.path().toStdString(), "default");
        QVERIFY(instance);
        const QByteArray longLine(600, 'x');
        {
            QFile console(QString::fromStdString(instance->consoleLog().string()));
            QVERIFY(console.open(QIODevice::WriteOnly));
            console.write("[    1.234] berth-init: \x1b[32mOK\x1b[0m mounted /data\r\n");
            console.write("time=\"2026\" level=\x1b[36minfo\x1b[0m msg=\"API listen on /run/docker.sock\"\n");
            console.write(longLine + "\n");
        }
        app::AgentService agent(
            vm::InstanceControl(*instance, "/nonexistent/berth", home.path().toStdString()));
        app::EngineService engine(engine::Endpoint::unixSocket("/nonexistent/engine.sock"));
        app::TroubleshootPage page(&agent, &engine);
        page.resize(700, 500);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto* log = page.consoleLog();
        QTRY_VERIFY(log->toPlainText().contains("API listen"));
        QCOMPARE(log->toPlainText(),
                 QString("[    1.234] berth-init: OK mounted /data\n"
                         "time=\"2026\" level=info msg=\"API listen on /run/docker.sock\"\n" +
                         QString::fromLatin1(longLine)));
        QCOMPARE(log->lineWrapMode(), QPlainTextEdit::WidgetWidth);
        QCOMPARE(log->horizontalScrollBar()->maximum(), 0); // nothing to scroll sideways to
    }
};

QTEST_MAIN(TestTroubleshootPage)
#include "tst_troubleshootpage.moc"
