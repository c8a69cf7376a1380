// LogsView driven through its own widgets: batching, the line cap, colours, search, pause, clear,
// copy, save, and how it copes with a flood of lines. No engine: the test plays the stream.
#include "LogsView.h"

#include <memory>

#include <QCheckBox>
#include <QClipboard>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QTimer>
#include <QToolButton>

using berth::app::LogLine;
using berth::app::LogsView;

namespace {

constexpr int kMax = LogsView::kMaxLines;

LogLine out(const QString& text, const QString& timestamp = {})
{
    return {timestamp, text, false, {}};
}

LogLine err(const QString& text, const QString& timestamp = {})
{
    return {timestamp, text, true, {}};
}

// "line <from>" … "line <from + count - 1>", on stdout.
QVector<LogLine> numbered(int from, int count)
{
    QVector<LogLine> lines;
    lines.reserve(count);
    for (int i = from; i < from + count; ++i)
        lines.push_back(out(QStringLiteral("line %1").arg(i)));
    return lines;
}

} // namespace

class TestLogsView final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LogsView> m_view;

    template <class T> T* find(const char* name) const
    {
        auto* widget = m_view->findChild<T*>(QString::fromLatin1(name));
        if (!widget)
            qFatal("LogsView has no %s", name);
        return widget;
    }
    QPlainTextEdit* text() const { return find<QPlainTextEdit>("logsText"); }
    QTextDocument* doc() const { return text()->document(); }
    QScrollBar* bar() const { return text()->verticalScrollBar(); }
    QLineEdit* search() const { return find<QLineEdit>("logsSearch"); }
    int blocks() const { return doc()->blockCount(); }
    // Lines shown: an empty document still has one (empty) block.
    int lines() const { return doc()->isEmpty() ? 0 : blocks(); }
    QString lineAt(int block) const { return doc()->findBlockByNumber(block).text(); }
    QString matches() const { return find<QLabel>("logsMatches")->text(); }
    QString status() const { return find<QLabel>("logsStatus")->text(); }
    void click(const char* name) { QTest::mouseClick(find<QAbstractButton>(name), Qt::LeftButton); }
    static QString n(qint64 value) { return QLocale().toString(value); }

private slots:
    void init()
    {
        m_view = std::make_unique<LogsView>();
        m_view->resize(900, 500);
        m_view->setContainer("c0ffee", "web-1");
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    }

    void cleanup() { m_view.reset(); }

    void linesAppearAfterBatching()
    {
        QCOMPARE(m_view->containerId(), QString("c0ffee"));
        QCOMPARE(find<QLabel>("logsHeader")->text(), QString("web-1"));
        QVERIFY(text()->isReadOnly());
        QCOMPARE(text()->lineWrapMode(), QPlainTextEdit::NoWrap);

        QSignalSpy edits(doc(), &QTextDocument::contentsChange);
        m_view->appendLines({out("one")});
        m_view->appendLines({out("two"), err("three")});
        m_view->appendLines({out("four")});
        QVERIFY(doc()->isEmpty()); // queued, not shown one by one
        QTRY_COMPARE(lines(), 4);
        QCOMPARE(edits.size(), 1); // three batches, one edit
        QCOMPARE(doc()->toPlainText(), QString("one\ntwo\nthree\nfour"));

        // As the owner delivers them: through a queued connection.
        QVERIFY(QMetaObject::invokeMethod(m_view.get(), "appendLines", Qt::QueuedConnection,
                                          Q_ARG(QVector<berth::app::LogLine>, {out("five")})));
        QTRY_COMPARE(lines(), 5);
        QCOMPARE(lineAt(4), QString("five"));

        // A line stays one line, whatever breaks it carries.
        m_view->appendLines({out("crlf\r"), out(QString("a\rb\nc") + QChar(0x2029) + "d")});
        QTRY_COMPARE(lines(), 7);
        QCOMPARE(lineAt(5), QString("crlf"));
        QCOMPARE(lineAt(6), QString("a b c d"));
    }

    void stderrHasItsOwnColour()
    {
        m_view->appendLines({out("to stdout"), err("to stderr")});
        QTRY_COMPARE(lines(), 2);
        const auto foreground = [this](int block) {
            return doc()->findBlockByNumber(block).begin().fragment().charFormat().foreground();
        };
        QCOMPARE(foreground(0).style(), Qt::NoBrush); // stdout takes the palette's text colour
        QVERIFY(foreground(1) != foreground(0));
        const auto red = foreground(1).color();
        QVERIFY2(red.red() > red.green() + 60 && red.red() > red.blue() + 60, qPrintable(red.name()));
    }

    void timestampsAreShownAndToggled()
    {
        auto* box = find<QCheckBox>("logsTimestamps");
        QSignalSpy toggled(m_view.get(), &LogsView::timestampsToggled);
        QVERIFY(!m_view->timestampsShown());
        m_view->appendLines({out("hello", "2024-05-01T10:00:00.123456789Z")});
        QTRY_COMPARE(lines(), 1);
        QCOMPARE(lineAt(0), QString("hello")); // present, but not asked for

        QTest::mouseClick(box, Qt::LeftButton);
        QCOMPARE(toggled.size(), 1);
        QCOMPARE(toggled.at(0).at(0).toBool(), true);
        QVERIFY(m_view->timestampsShown());

        // The owner re-opens the stream with timestamps.
        m_view->setContainer("c0ffee", "web-1");
        QVERIFY(doc()->isEmpty());
        QVERIFY(box->isChecked());
        m_view->appendLines({out("hello", "2024-05-01T10:00:00.123456789Z"), out("no stamp")});
        QTRY_COMPARE(lines(), 2);
        QCOMPARE(lineAt(0), QString("2024-05-01T10:00:00.123456789Z hello"));
        QCOMPARE(lineAt(1), QString("no stamp"));
        auto fragment = doc()->firstBlock().begin();
        QCOMPARE(fragment.fragment().text(), QString("2024-05-01T10:00:00.123456789Z "));
        const auto stampColour = fragment.fragment().charFormat().foreground();
        ++fragment;
        QCOMPARE(fragment.fragment().text(), QString("hello"));
        QVERIFY(fragment.fragment().charFormat().foreground() != stampColour); // dimmed

        QTest::mouseClick(box, Qt::LeftButton);
        QCOMPARE(toggled.size(), 2);
        QCOMPARE(toggled.at(1).at(0).toBool(), false);
        QVERIFY(!m_view->timestampsShown());
    }

    // Toggling timestamps while a search is active: no cursor warnings while the lines go and
    // come back, and the current match stays the current one.
    void timestampsToggleKeepsTheSearch()
    {
        QTest::failOnWarning(QRegularExpression("QTextCursor"));
        const auto batch = [](bool stamped) {
            QVector<LogLine> lines;
            for (int i = 0; i < 400; ++i)
                lines.push_back(out(QString("line %1%2").arg(i).arg(i % 50 == 7 ? " needle" : ""),
                                    stamped ? "2024-05-01T10:00:00.123456789Z" : QString()));
            return lines;
        };
        // The owner re-opens the stream with timestamps when they are toggled.
        connect(m_view.get(), &LogsView::timestampsToggled, this, [this, batch](bool shown) {
            m_view->setContainer("c0ffee", "web-1");
            m_view->appendLines(batch(shown));
        });
        m_view->appendLines(batch(false));
        QTRY_COMPARE(lines(), 400);
        QTest::keyClicks(search(), "needle");
        QTRY_VERIFY(matches().endsWith("8 matches") || matches().endsWith(" of 8"));
        for (int i = 0; i < 3; ++i)
            QTest::keyClick(search(), Qt::Key_Return);
        const auto current = matches();
        QVERIFY2(current.endsWith(" of 8"), qPrintable(current));
        const int ordinal = current.section(' ', 0, 0).toInt();
        QVERIFY(ordinal >= 1 && ordinal <= 8);

        QTest::mouseClick(find<QCheckBox>("logsTimestamps"), Qt::LeftButton);
        QTRY_COMPARE(lines(), 400);
        QVERIFY(lineAt(0).startsWith("2024-05-01T10:00:00.123456789Z line 0"));
        QTRY_COMPARE(matches(), current);

        QTest::mouseClick(find<QCheckBox>("logsTimestamps"), Qt::LeftButton);
        QTRY_COMPARE(lines(), 400);
        QCOMPARE(lineAt(0), QString("line 0"));
        QTRY_COMPARE(matches(), current);
        QTest::keyClick(search(), Qt::Key_Return);
        QCOMPARE(matches(), QString("%1 of 8").arg(ordinal % 8 + 1));
    }

    // Several containers in one window: each line has its container's name in front, padded
    // to the longest and coloured per container, as `docker compose logs` prints them.
    void sourcesPrefixTheirLines()
    {
        m_view->setSources({"web-1", "db-1"});
        auto line = [](const QString& text, const QString& source) {
            auto l = out(text);
            l.source = source;
            return l;
        };
        m_view->appendLines({line("listening", "web-1"), line("ready", "db-1"), out("plain")});
        QTRY_COMPARE(lines(), 3);
        QCOMPARE(lineAt(0), QString("web-1 | listening"));
        QCOMPARE(lineAt(1), QString("db-1  | ready"));
        QCOMPARE(lineAt(2), QString("plain"));
        const auto prefixColour = [this](int block) {
            return doc()->findBlockByNumber(block).begin().fragment().charFormat().foreground().color();
        };
        QVERIFY(prefixColour(0) != prefixColour(1));
        QTest::keyClicks(search(), "db-1");
        QTRY_COMPARE(matches(), QString("1 of 1")); // in view, so the current one
    }

    void followsTheStreamOnlyFromTheBottom()
    {
        m_view->appendLines(numbered(0, 300));
        QTRY_COMPARE(lines(), 300);
        QVERIFY(bar()->maximum() > 0);
        QCOMPARE(bar()->value(), bar()->maximum());
        m_view->appendLines(numbered(300, 50));
        QTRY_COMPARE(lines(), 350);
        QCOMPARE(bar()->value(), bar()->maximum());

        // Scrolled up: the reader keeps their place.
        bar()->triggerAction(QAbstractSlider::SliderPageStepSub);
        bar()->triggerAction(QAbstractSlider::SliderPageStepSub);
        const auto top = bar()->value();
        QVERIFY(top < bar()->maximum());
        m_view->appendLines(numbered(350, 50));
        QTRY_COMPARE(lines(), 400);
        QCOMPARE(bar()->value(), top);

        // Back at the bottom: following again.
        bar()->triggerAction(QAbstractSlider::SliderToMaximum);
        m_view->appendLines(numbered(400, 10));
        QTRY_COMPARE(lines(), 410);
        QCOMPARE(bar()->value(), bar()->maximum());
        QCOMPARE(lineAt(blocks() - 1), QString("line 409"));
    }

    void capHoldsAndTheReaderKeepsTheirPlace()
    {
        for (int i = 0; i < kMax; i += 5000)
            m_view->appendLines(numbered(i, 5000));
        QTRY_COMPARE_WITH_TIMEOUT(blocks(), kMax, 60000);
        QCOMPARE(lineAt(0), QString("line 0"));
        QCOMPARE(lineAt(kMax - 1), QString("line %1").arg(kMax - 1));

        // "line 250", "line 2500"…"line 2509", "line 25000"…"line 25099", none in view.
        QTest::keyClicks(search(), "line 250");
        QCOMPARE(matches(), QString("111 matches"));

        bar()->setValue(1000); // reading "line 1000"
        m_view->appendLines(numbered(kMax, 500));
        QTRY_COMPARE_WITH_TIMEOUT(lineAt(0), QString("line 500"), 30000);
        QCOMPARE(blocks(), kMax);
        QCOMPARE(doc()->maximumBlockCount(), kMax);
        QCOMPARE(lineAt(kMax - 1), QString("line %1").arg(kMax + 499));
        QCOMPARE(bar()->value(), 500); // 500 lines went above, the same line is on top
        QCOMPARE(lineAt(bar()->value()), QString("line 1000"));
        QCOMPARE(matches(), QString("110 matches")); // "line 250" went with them

        QTest::keyClick(search(), Qt::Key_Return); // the first match below the top of the view
        QCOMPARE(matches(), QString("1 of 110"));
        const auto block = 2500 - 500;
        QVERIFY(bar()->value() <= block && block < bar()->value() + bar()->pageStep());
    }

    void searchHighlightsAndSteps()
    {
        m_view->appendLines(
            {out("alpha one"), out("beta"), err("Alpha two"), out("gamma ALPHA alpha"), out("delta")});
        QTRY_COMPARE(lines(), 5);
        QCOMPARE(search()->placeholderText(), QString("Search"));

        QTest::keyClicks(search(), "alpha");
        QCOMPARE(matches(), QString("1 of 4")); // a match in view becomes the current one
        auto selections = text()->extraSelections();
        QCOMPARE(selections.size(), 4);
        QCOMPARE(selections.at(0).cursor.selectedText(), QString("alpha"));
        QCOMPARE(selections.at(1).cursor.selectedText(), QString("Alpha"));
        QCOMPARE(selections.at(2).cursor.selectedText(), QString("ALPHA"));
        QCOMPARE(selections.at(3).cursor.blockNumber(), 3);
        const auto current = selections.at(0).format.background();
        const auto other = selections.at(1).format.background();
        QVERIFY(current != other);

        QTest::keyClick(search(), Qt::Key_Return);
        QCOMPARE(matches(), QString("2 of 4"));
        QCOMPARE(text()->extraSelections().at(1).format.background(), current);
        QCOMPARE(text()->extraSelections().at(0).format.background(), other);
        click("logsNext");
        QCOMPARE(matches(), QString("3 of 4"));
        QTest::keyClick(search(), Qt::Key_Enter);
        QCOMPARE(matches(), QString("4 of 4"));
        QTest::keyClick(search(), Qt::Key_Return);
        QCOMPARE(matches(), QString("1 of 4")); // wraps forward
        QTest::keyClick(search(), Qt::Key_Return, Qt::ShiftModifier);
        QCOMPARE(matches(), QString("4 of 4")); // and back
        click("logsPrev");
        QCOMPARE(matches(), QString("3 of 4"));
        QCOMPARE(text()->extraSelections().at(2).format.background(), current);

        // Lines arriving while searching are counted as they come.
        m_view->appendLines({out("no match"), out("one more Alpha")});
        QTRY_COMPARE(matches(), QString("3 of 5"));
        QCOMPARE(text()->extraSelections().size(), 5);

        QTest::keyClick(search(), Qt::Key_Escape);
        QVERIFY(search()->text().isEmpty());
        QVERIFY(matches().isEmpty());
        QVERIFY(text()->extraSelections().isEmpty());

        QTest::keyClicks(search(), "zzz");
        QCOMPARE(matches(), QString("No matches"));
        QVERIFY(!find<QToolButton>("logsNext")->isEnabled());
        QVERIFY(!find<QToolButton>("logsPrev")->isEnabled());
    }

    void searchCountIsCapped()
    {
        m_view->appendLines(numbered(0, 6000));
        QTRY_COMPARE(lines(), 6000);
        QTest::keyClicks(search(), "line");
        QCOMPARE(matches(), QString("%1+ matches").arg(n(5000))); // the ones listed are not in view
        QTest::keyClick(search(), Qt::Key_Return);                // none below the view: wraps
        QCOMPARE(matches(), QString("1 of %1+").arg(n(5000)));
        QCOMPARE(bar()->value(), 0);
        QVERIFY(text()->extraSelections().size() > 0);
        QVERIFY(text()->extraSelections().size() <= bar()->pageStep() + 2); // the lines in view only
    }

    void pauseHoldsLinesUntilResumed()
    {
        auto* pause = find<QToolButton>("logsPause");
        m_view->appendLines({out("a"), out("b")});
        QTRY_COMPARE(lines(), 2);

        click("logsPause");
        QVERIFY(pause->isChecked());
        QCOMPARE(pause->text(), QString("Resume"));
        const auto top = bar()->value();
        m_view->appendLines({out("c"), err("d")});
        m_view->appendLines({out("e")});
        QTRY_COMPARE(status(), QString("Paused: 3 lines waiting")); // said by the flush that held them
        QCOMPARE(blocks(), 2);
        QCOMPARE(bar()->value(), top);

        click("logsPause");
        QCOMPARE(pause->text(), QString("Pause"));
        QTRY_COMPARE(lines(), 5);
        QCOMPARE(doc()->toPlainText(), QString("a\nb\nc\nd\ne"));
        QVERIFY(status().isEmpty());
    }

    void pausedBacklogIsBounded()
    {
        click("logsPause");
        for (int i = 0; i < kMax + 10; i += 10000)
            m_view->appendLines(numbered(i, std::min(10000, kMax + 10 - i)));
        QTRY_COMPARE(
            status(),
            QString("Paused: %1 lines waiting, %2 older dropped (at most %1 are held)").arg(n(kMax), n(10)));
        QVERIFY(doc()->isEmpty());

        click("logsPause");
        QTRY_COMPARE_WITH_TIMEOUT(blocks(), kMax, 60000);
        QCOMPARE(lineAt(0), QString("line 10"));
        QCOMPARE(lineAt(kMax - 1), QString("line %1").arg(kMax + 9));
        QCOMPARE(status(), QString("%1 lines were dropped while paused").arg(n(10)));
    }

    void clearEmptiesViewAndBacklog()
    {
        m_view->appendLines({out("a"), out("b"), out("c")});
        QTRY_COMPARE(lines(), 3);
        click("logsPause");
        m_view->appendLines({out("held 1"), out("held 2")});
        QTRY_COMPARE(status(), QString("Paused: 2 lines waiting"));

        click("logsClear");
        QVERIFY(doc()->isEmpty());
        QCOMPARE(status(), QString("Paused: 0 lines waiting"));
        QCOMPARE(doc()->maximumBlockCount(), kMax);

        click("logsPause");
        m_view->appendLines({out("after")});
        QTRY_VERIFY(!doc()->isEmpty());
        QCOMPARE(doc()->toPlainText(), QString("after")); // the held lines went with the clear
    }

    void copyPutsTextOnTheClipboard()
    {
        m_view->appendLines({out("a"), err("b"), out("c")});
        QTRY_COMPARE(lines(), 3);
        click("logsCopy");
        QCOMPARE(QGuiApplication::clipboard()->text(), QString("a\nb\nc"));

        QTextCursor cursor(doc()->findBlockByNumber(1));
        cursor.movePosition(QTextCursor::NextBlock, QTextCursor::KeepAnchor);
        cursor.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
        text()->setTextCursor(cursor);
        click("logsCopy");
        QCOMPARE(QGuiApplication::clipboard()->text(), QString("b\nc"));
    }

    void saveWritesTheLinesShown()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QTest::mouseClick(find<QCheckBox>("logsTimestamps"), Qt::LeftButton);
        m_view->setContainer("c0ffee", "web-1");
        m_view->appendLines(
            {out("up", "2024-05-01T10:00:00Z"), err("down", "2024-05-01T10:00:01Z"), out("plain")});
        QTRY_COMPARE(lines(), 3);

        const auto path = dir.filePath("web-1.log");
        LogsView::setNextSaveFileName(path);
        click("logsSave");
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("2024-05-01T10:00:00Z up\n2024-05-01T10:00:01Z down\nplain\n"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"web-1.log"}); // no temporary left
    }

    void saveErrorIsReported()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        m_view->appendLines({out("a")});
        QTRY_COMPARE(lines(), 1);

        const auto path = dir.filePath("missing/web-1.log");
        LogsView::setNextSaveFileName(path);
        click("logsSave"); // returns: the message does not block
        auto* box = m_view->findChild<QMessageBox*>("logsSaveError");
        QVERIFY(box);
        QTRY_VERIFY(box->isVisible());
        QVERIFY(!box->isModal());
        QVERIFY2(box->text().contains(QDir::toNativeSeparators(path)), qPrintable(box->text()));
        QVERIFY(!QFile::exists(path));
        box->close();
    }

    void saveAsksWithoutBlocking()
    {
        m_view->appendLines({out("a")});
        QTRY_COMPARE(lines(), 1);
        click("logsSave"); // no seam: a file dialog, opened without a nested event loop
        auto* dialog = m_view->findChild<QFileDialog*>();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        QCOMPARE(dialog->acceptMode(), QFileDialog::AcceptSave);
        QVERIFY(dialog->selectedFiles().value(0).endsWith("web-1.log"));

        m_view->appendLines({out("b")}); // the stream goes on meanwhile
        QTRY_COMPARE(lines(), 2);
        dialog->reject();
    }

    void streamEndIsANoticeNotALine()
    {
        m_view->appendLines({out("last words")});
        QTRY_COMPARE(lines(), 1);
        m_view->streamEnded("the container exited with code 0");
        QCOMPARE(status(), QString("Log stream ended: the container exited with code 0"));
        QVERIFY(find<QLabel>("logsStatus")->isVisible());
        QCOMPARE(doc()->toPlainText(), QString("last words"));

        m_view->setContainer("c0ffee", "web-1");
        QVERIFY(status().isEmpty());
    }

    // Not a benchmark: it asserts that everything arrives, and prints how fast and how smoothly.
    void floodOfLines()
    {
        constexpr int kTotal = 1000000;
        constexpr int kBatch = 500;
        // The producer stays at most this far ahead of the view, as a stream held back by its
        // socket would, so that no line is dropped from the queue and every one goes through
        // the document: the rate below is the view's, not the queue's.
        constexpr int kAhead = 20000;
        int sent = 0;
        qint64 lastTick = 0;
        qint64 longestGap = 0;
        QElapsedTimer clock;
        const auto lastShown = [this] {
            return lines() == 0 ? -1 : lineAt(blocks() - 1).mid(sizeof("line ") - 1).toInt();
        };

        // A zero-interval timer runs once per event-loop iteration: the gaps between its ticks are
        // how long the loop was busy elsewhere, flushing lines into the view most of all.
        QTimer producer;
        producer.setInterval(0);
        connect(&producer, &QTimer::timeout, this, [&] {
            const auto now = clock.nsecsElapsed();
            longestGap = std::max(longestGap, now - lastTick);
            lastTick = now;
            if (sent < kTotal && sent - lastShown() <= kAhead) {
                m_view->appendLines(numbered(sent, kBatch));
                sent += kBatch;
            }
        });
        clock.start();
        producer.start();
        QTRY_VERIFY_WITH_TIMEOUT(sent == kTotal && lastShown() == kTotal - 1, 90000);
        const auto elapsed = clock.nsecsElapsed();
        producer.stop();

        QCOMPARE(blocks(), kMax);
        QCOMPARE(lineAt(0), QString("line %1").arg(kTotal - kMax));
        qInfo("%d lines in batches of %d: %.0f lines/s, longest gap between event-loop iterations %.1f ms",
              kTotal, kBatch, kTotal / (static_cast<double>(elapsed) / 1e9),
              static_cast<double>(longestGap) / 1e6);

        QElapsedTimer searchClock;
        searchClock.start();
        search()->setText("line 99999");
        qInfo("searching %d lines: %.1f ms", kMax, static_cast<double>(searchClock.nsecsElapsed()) / 1e6);
        QCOMPARE(matches(), QString("1 of 10")); // "line 999990"…"line 999999", in view
    }
};

QTEST_MAIN(TestLogsView)
#include "tst_logsview.moc"
