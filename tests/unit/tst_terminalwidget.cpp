// TerminalWidget fed the bytes a program would write, and driven with the keys and mouse a person
// would use: what lands on the screen, in the scrollback, on the clipboard and back on input().
#include "TerminalWidget.h"

#include <cmath>
#include <memory>

#include <QApplication>
#include <QClipboard>
#include <QElapsedTimer>
#include <QLabel>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>

using berth::app::TerminalWidget;

namespace {

// Counts the paint events a widget receives.
class PaintCounter final : public QObject
{
public:
    int count = 0;

protected:
    bool eventFilter(QObject*, QEvent* event) override
    {
        if (event->type() == QEvent::Paint)
            ++count;
        return false;
    }
};

QByteArray joined(const QSignalSpy& spy)
{
    QByteArray all;
    for (const auto& args : spy)
        all += args.at(0).toByteArray();
    return all;
}

QByteArray numberedLines(int from, int count)
{
    QByteArray bytes;
    for (int i = from; i < from + count; ++i)
        bytes += "line " + QByteArray::number(i) + "\r\n";
    return bytes;
}

} // namespace

class TestTerminalWidget final : public QObject
{
    Q_OBJECT

    std::unique_ptr<TerminalWidget> m_term;

    QPoint cellCenter(int row, int column) const { return m_term->cellRect(row, column).center(); }

private slots:
    void init()
    {
        m_term = std::make_unique<TerminalWidget>();
        m_term->resize(m_term->sizeHint());
        m_term->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_term.get()));
        m_term->activateWindow();
        m_term->setFocus();
    }

    void cleanup() { m_term.reset(); }

    void sizeHintIsEightyByTwentyFour()
    {
        QCOMPARE(m_term->rows(), 24);
        QCOMPARE(m_term->columns(), 80);
    }

    void textAndLineEndsLandOnTheScreen()
    {
        m_term->feed("hello\r\nworld");
        QCOMPARE(m_term->lineText(0), QString("hello"));
        QCOMPARE(m_term->lineText(1), QString("world"));
        QCOMPARE(m_term->cursorPosition(), QPoint(5, 1));
        QCOMPARE(m_term->screenText(), QString("hello\nworld"));

        // A bare CR returns to the start of the line and overwrites; LF alone keeps the column.
        m_term->feed("\rW\n!");
        QCOMPARE(m_term->lineText(1), QString("World"));
        QCOMPARE(m_term->lineText(2), QString(" !"));

        // UTF-8 split across feeds, and wide characters taking two cells.
        m_term->feed("\r\nh\xc3");
        m_term->feed("\xa9llo \xe6\x97\xa5\xe6\x9c\xac!");
        QCOMPARE(m_term->lineText(3), QString::fromUtf8("h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac!"));
        QCOMPARE(m_term->cursorPosition(), QPoint(11, 3));

        QCOMPARE(m_term->lineText(-1), QString());
        QCOMPARE(m_term->lineText(m_term->rows()), QString());
    }

    void cursorMovementPutsTextWhereAsked()
    {
        m_term->feed("\x1b[2J\x1b[5;10HX\x1b[1;1HY\x1b[3;4H");
        QCOMPARE(m_term->lineText(0), QString("Y"));
        QCOMPARE(m_term->lineText(4), QString(9, u' ') + "X");
        QCOMPARE(m_term->cursorPosition(), QPoint(3, 2));

        // Relative moves, erase to end of line, and the cursor hidden and shown again.
        m_term->feed("abcdef\x1b[3D\x1b[K\x1b[2Bz");
        QCOMPARE(m_term->lineText(2), QString("   abc"));
        QCOMPARE(m_term->lineText(4), QString("      z  X"));
        QCOMPARE(m_term->cursorPosition(), QPoint(7, 4));
    }

    void sgrColoursEndUpOnTheCells()
    {
        m_term->feed("d\x1b[31mr\x1b[0m\x1b[38;5;196ma\x1b[38;2;10;20;30mt\x1b[48;5;21mb\x1b[0m"
                     "\x1b[1;4;7mx\x1b[m");
        const QColor defaultFg = m_term->foregroundAt(0, 0);
        const QColor defaultBg = m_term->backgroundAt(0, 0);
        QVERIFY(defaultFg.isValid());
        QVERIFY(defaultFg != defaultBg);
        QCOMPARE(m_term->foregroundAt(0, 1), QColor(0xf0, 0x52, 0x4f)); // palette red
        QCOMPARE(m_term->foregroundAt(0, 2), QColor(255, 0, 0)); // 256-colour cube
        QCOMPARE(m_term->foregroundAt(0, 3), QColor(10, 20, 30)); // truecolour
        QCOMPARE(m_term->foregroundAt(0, 4), QColor(10, 20, 30));
        QCOMPARE(m_term->backgroundAt(0, 4), QColor(0, 0, 255));
        QCOMPARE(m_term->backgroundAt(0, 3), defaultBg);
        // SGR 0 went back to the defaults; bold, underline and reverse leave the colours be.
        QCOMPARE(m_term->foregroundAt(0, 5), defaultFg);
        QCOMPARE(m_term->backgroundAt(0, 5), defaultBg);
        QCOMPARE(m_term->lineText(0), QString("dratbx"));
        QVERIFY(!m_term->foregroundAt(0, m_term->columns()).isValid());
        // Painting every kind of cell must not trip over anything.
        QVERIFY(!m_term->grab().isNull());
    }

    // Every ANSI colour but black (30–37, 90–97) can be read on the default background: a
    // contrast of at least 4.5:1 (WCAG AA). `ls --color` paints directories blue.
    void ansiColoursCanBeReadOnTheBackground()
    {
        QByteArray line;
        for (int code : {31, 32, 33, 34, 35, 36, 37, 90, 91, 92, 93, 94, 95, 96, 97})
            line += "\x1b[" + QByteArray::number(code) + "mX";
        m_term->feed(line + "\x1b[0m");
        auto luminance = [](const QColor& c) {
            auto channel = [](double v) {
                return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
            };
            return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
        };
        const auto background = luminance(m_term->backgroundAt(0, 0));
        for (int column = 0; column < 15; ++column) {
            const auto fg = m_term->foregroundAt(0, column);
            const auto contrast =
                (std::max(luminance(fg), background) + 0.05) / (std::min(luminance(fg), background) + 0.05);
            QVERIFY2(contrast >= 4.5,
                     qPrintable(QString("colour %1 (%2): %3:1").arg(column).arg(fg.name()).arg(contrast)));
        }
    }

    void alternateScreenRestoresTheMainScreen()
    {
        m_term->feed("main text\r\n$ ");
        m_term->feed("\x1b[?1049h\x1b[2J\x1b[Hfull screen");
        QCOMPARE(m_term->lineText(0), QString("full screen"));
        QVERIFY(!m_term->screenText().contains("main text"));
        // Lines scrolled off the alternate screen are not scrollback.
        m_term->feed(numberedLines(0, 100));
        QCOMPARE(m_term->scrollbackLines(), 0);
        QCOMPARE(m_term->verticalScrollBar()->maximum(), 0);

        m_term->feed("\x1b[?1049l");
        QCOMPARE(m_term->lineText(0), QString("main text"));
        QCOMPARE(m_term->lineText(1), QString("$"));
        QCOMPARE(m_term->cursorPosition(), QPoint(2, 1));
        QCOMPARE(m_term->scrollbackLines(), 0);
    }

    void scrollbackCollectsLinesAndRespectsTheLimit()
    {
        const int rows = m_term->rows();
        m_term->feed(numberedLines(0, 100));
        // 100 lines and the cursor's empty one below them: 101 - rows scrolled off.
        const int held = 101 - rows;
        QCOMPARE(m_term->scrollbackLines(), held);
        QCOMPARE(m_term->scrollbackLineText(0), QString("line 0"));
        QCOMPARE(m_term->scrollbackLineText(held - 1), QString("line %1").arg(held - 1));
        QCOMPARE(m_term->lineText(0), QString("line %1").arg(held));
        QTRY_COMPARE(m_term->verticalScrollBar()->maximum(), held);
        QCOMPARE(m_term->verticalScrollBar()->value(), held);

        m_term->setScrollbackLimit(10);
        QCOMPARE(m_term->scrollbackLines(), 10);
        QCOMPARE(m_term->scrollbackLineText(0), QString("line %1").arg(held - 10));
        m_term->feed(numberedLines(100, 5));
        QCOMPARE(m_term->scrollbackLines(), 10);
        QCOMPARE(m_term->scrollbackLineText(0), QString("line %1").arg(held - 5));
        QCOMPARE(m_term->scrollbackLineText(9), QString("line %1").arg(held + 4));

        m_term->clearScrollback();
        QCOMPARE(m_term->scrollbackLines(), 0);
        QCOMPARE(m_term->lineText(0), QString("line %1").arg(held + 5));

        m_term->setScrollbackLimit(0);
        m_term->feed(numberedLines(200, 50));
        QCOMPARE(m_term->scrollbackLines(), 0);
    }

    void wheelAndShiftPageUpScrollThroughScrollback()
    {
        m_term->setScrollbackLimit(1000);
        m_term->feed(numberedLines(0, 200));
        QScrollBar* bar = m_term->verticalScrollBar();
        const int held = m_term->scrollbackLines();
        QTRY_COMPARE(bar->maximum(), held);
        QCOMPARE(bar->value(), held);

        const QPointF at = cellCenter(5, 5);
        QWheelEvent up(at, m_term->viewport()->mapToGlobal(at), {}, {0, 120}, Qt::NoButton, Qt::NoModifier,
                       Qt::NoScrollPhase, false);
        QApplication::sendEvent(m_term->viewport(), &up);
        QCOMPARE(bar->value(), held - QApplication::wheelScrollLines());

        QTest::keyClick(m_term.get(), Qt::Key_PageUp, Qt::ShiftModifier);
        const int offset = QApplication::wheelScrollLines() + m_term->rows() - 1;
        QCOMPARE(bar->value(), held - offset);
        QVERIFY(!m_term->grab().isNull()); // painting rows from the scrollback

        // Output meanwhile keeps the scrolled-back view on the same lines.
        m_term->feed(numberedLines(200, 3));
        QTRY_COMPARE(bar->maximum(), held + 3);
        QCOMPARE(bar->value(), held - offset);

        QTest::keyClick(m_term.get(), Qt::Key_PageDown, Qt::ShiftModifier);
        QCOMPARE(bar->value(), held - QApplication::wheelScrollLines());

        // Typing goes back to the live screen.
        QTest::keyClick(m_term.get(), Qt::Key_X);
        QCOMPARE(bar->value(), bar->maximum());
    }

    void resizeChangesTheGridAndSaysSo()
    {
        QSignalSpy sized(m_term.get(), &TerminalWidget::sizeChanged);
        const QRect cell = m_term->cellRect(0, 0);
        m_term->resize(m_term->width() + 10 * cell.width(), m_term->height() + 5 * cell.height());
        QTRY_COMPARE(sized.count(), 1);
        QCOMPARE(m_term->columns(), 90);
        QCOMPARE(m_term->rows(), 29);
        QCOMPARE(sized.at(0).at(0).toInt(), 29);
        QCOMPARE(sized.at(0).at(1).toInt(), 90);

        // Text on the screen stays; a smaller screen pushes the top lines into the scrollback.
        m_term->feed(numberedLines(0, 7) + "\x1b[38;2;1;2;3mline 7\x1b[m\r\n" + numberedLines(8, 20));
        m_term->resize(m_term->width(), m_term->height() - 9 * cell.height());
        QTRY_COMPARE(sized.count(), 2);
        QCOMPARE(m_term->rows(), 20);
        QCOMPARE(m_term->scrollbackLines(), 9);
        QCOMPARE(m_term->lineText(0), QString("line 9"));
        // Growing takes them back.
        m_term->resize(m_term->width(), m_term->height() + 4 * cell.height());
        QTRY_COMPARE(sized.count(), 3);
        QCOMPARE(m_term->scrollbackLines(), 5);
        QCOMPARE(m_term->lineText(0), QString("line 5"));
        QCOMPARE(m_term->lineText(2), QString("line 7"));
        QCOMPARE(m_term->foregroundAt(2, 0), QColor(1, 2, 3)); // its colour came back with it

        // Never under 2 rows and 10 columns.
        m_term->resize(20, 20);
        QTRY_COMPARE(sized.count(), 4);
        QCOMPARE(m_term->rows(), 2);
        QCOMPARE(m_term->columns(), 10);

        // A resize that keeps the grid says nothing.
        m_term->resize(25, 21);
        QTest::qWait(20);
        QCOMPARE(sized.count(), 4);
    }

    void keystrokesBecomeInput()
    {
        QSignalSpy input(m_term.get(), &TerminalWidget::input);
        const auto typed = [&](auto&&... keyClick) {
            input.clear();
            (keyClick(), ...);
            return joined(input);
        };
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_A); }), QByteArray("a"));
        QCOMPARE(typed([&] { QTest::keyClicks(m_term.get(), "ls -l"); }), QByteArray("ls -l"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), 'A', Qt::ShiftModifier); }), QByteArray("A"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_Return); }), QByteArray("\r"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_Enter, Qt::KeypadModifier); }),
                 QByteArray("\r"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_C, Qt::ControlModifier); }),
                 QByteArray("\x03"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_D, Qt::ControlModifier); }),
                 QByteArray("\x04"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_M, Qt::ControlModifier); }),
                 QByteArray("\r"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_BracketLeft, Qt::ControlModifier); }),
                 QByteArray("\x1b"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_Backspace); }), QByteArray("\x7f"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_Tab); }), QByteArray("\t"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_Backtab, Qt::ShiftModifier); }),
                 QByteArray("\x1b[Z"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_Escape); }), QByteArray("\x1b"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_Up); }), QByteArray("\x1b[A"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_Left, Qt::ControlModifier); }),
                 QByteArray("\x1b[1;5D"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_Home); }), QByteArray("\x1b[H"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_Delete); }), QByteArray("\x1b[3~"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_PageDown); }), QByteArray("\x1b[6~"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_F1); }), QByteArray("\x1bOP"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_F12); }), QByteArray("\x1b[24~"));
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_B, Qt::AltModifier); }), QByteArray("\x1b" "b"));

        // Application cursor keys (vi, less) turn the arrows into SS3.
        m_term->feed("\x1b[?1h");
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_Up); }), QByteArray("\x1bOA"));
        m_term->feed("\x1b[?1l");
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_Up); }), QByteArray("\x1b[A"));

        // Copy and paste shortcuts are the widget's, not the program's.
        QCOMPARE(typed([&] { QTest::keyClick(m_term.get(), Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier); }),
                 QByteArray());
    }

    void queriesAreAnsweredOnInput()
    {
        QSignalSpy input(m_term.get(), &TerminalWidget::input);
        m_term->feed("\x1b[3;5H\x1b[6n");
        QCOMPARE(joined(input), QByteArray("\x1b[3;5R"));
        input.clear();
        m_term->feed("\x1b[c");
        QVERIFY2(joined(input).startsWith("\x1b[?"), joined(input).toPercentEncoding().constData());

        // A receiver may feed again from its slot: the answer goes out after parsing finished.
        int answers = 0;
        connect(m_term.get(), &TerminalWidget::input, this, [&](const QByteArray& bytes) {
            if (bytes.endsWith('R') && ++answers == 1)
                m_term->feed("\x1b[1;1H\x1b[6n");
        });
        input.clear();
        m_term->feed("\x1b[6n");
        QCOMPARE(answers, 2);
        QCOMPARE(joined(input), QByteArray("\x1b[3;5R\x1b[1;1R"));
    }

    void titleIsReported()
    {
        QSignalSpy title(m_term.get(), &TerminalWidget::titleChanged);
        m_term->feed("\x1b]0;my ");
        m_term->feed("title\x07rest");
        QCOMPARE(title.count(), 1);
        QCOMPARE(title.at(0).at(0).toString(), QString("my title"));
        QCOMPARE(m_term->lineText(0), QString("rest"));
    }

    void mouseSelectionIsCopied()
    {
        m_term->feed("first line here\r\nsecond-word line\r\nthird");
        QWidget* view = m_term->viewport();
        const QRect start = m_term->cellRect(0, 6);
        const QRect end = m_term->cellRect(1, 5);
        QTest::mousePress(view, Qt::LeftButton, {}, start.topLeft() + QPoint(1, 2));
        QTest::mouseMove(view, end.topRight() + QPoint(0, 2));
        QTest::mouseRelease(view, Qt::LeftButton, {}, end.topRight() + QPoint(0, 2));
        QCOMPARE(m_term->selectedText(), QString("line here\nsecond"));
        QVERIFY(!m_term->grab().isNull()); // painting the selection

        QGuiApplication::clipboard()->clear();
        m_term->copy();
        QCOMPARE(QGuiApplication::clipboard()->text(), QString("line here\nsecond"));

        // Ctrl+Shift+C copies too.
        QGuiApplication::clipboard()->clear();
        QTest::keyClick(m_term.get(), Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(QGuiApplication::clipboard()->text(), QString("line here\nsecond"));

        // A click without a drag selects nothing.
        QTest::mouseClick(view, Qt::LeftButton, {}, cellCenter(2, 1));
        QCOMPARE(m_term->selectedText(), QString());

        // Double click: a word (with the dash in it).
        QTest::mouseDClick(view, Qt::LeftButton, {}, cellCenter(1, 2));
        QCOMPARE(m_term->selectedText(), QString("second-word"));

        // The selection stays on its text while output scrolls it up.
        m_term->feed(numberedLines(0, m_term->rows()));
        QCOMPARE(m_term->selectedText(), QString("second-word"));
    }

    void pasteSendsTheClipboard()
    {
        QSignalSpy input(m_term.get(), &TerminalWidget::input);
        QGuiApplication::clipboard()->setText("echo hi\nls\r\n");
        m_term->paste();
        QCOMPARE(joined(input), QByteArray("echo hi\rls\r"));

        // Bracketed paste once the program asks for it; the text cannot end it early.
        m_term->feed("\x1b[?2004h");
        input.clear();
        QGuiApplication::clipboard()->setText("a\x1b[201~b");
        QTest::keyClick(m_term.get(), Qt::Key_V, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(joined(input), QByteArray("\x1b[200~ab\x1b[201~"));

        // Plain Ctrl+V is the program's.
        input.clear();
        QTest::keyClick(m_term.get(), Qt::Key_V, Qt::ControlModifier);
        QCOMPARE(joined(input), QByteArray("\x16"));
    }

    void endedIgnoresInput()
    {
        QSignalSpy input(m_term.get(), &TerminalWidget::input);
        QSignalSpy sized(m_term.get(), &TerminalWidget::sizeChanged);
        const int rows = m_term->rows();
        m_term->feed("bye\r\n");
        m_term->setEnded("The program exited with code 0.");
        QCOMPARE(m_term->rows(), rows - 1); // the whole screen stays in view above the message
        QCOMPARE(sized.count(), 0);
        QVERIFY(m_term->isEnded());
        auto* label = m_term->findChild<QLabel*>("terminalEnded");
        QVERIFY(label);
        QTRY_VERIFY(label->isVisible());
        QCOMPARE(label->text(), QString("The program exited with code 0."));
        // The message sits under the screen, not over it.
        QVERIFY(label->geometry().top() >= m_term->viewport()->geometry().bottom());

        QTest::keyClicks(m_term.get(), "ls");
        QTest::keyClick(m_term.get(), Qt::Key_Return);
        QTest::keyClick(m_term.get(), Qt::Key_C, Qt::ControlModifier);
        QGuiApplication::clipboard()->setText("pasted");
        m_term->paste();
        QCOMPARE(input.count(), 0);
        QCOMPARE(m_term->lineText(0), QString("bye"));
        // Copying still works.
        QTest::mouseDClick(m_term->viewport(), Qt::LeftButton, {}, cellCenter(0, 1));
        m_term->copy();
        QCOMPARE(QGuiApplication::clipboard()->text(), QString("bye"));

        // A new program in the same terminal gets the row and the keys back.
        m_term->clearEnded();
        QVERIFY(!m_term->isEnded());
        QVERIFY(!label->isVisible());
        QCOMPARE(m_term->rows(), rows);
        QCOMPARE(sized.count(), 1);
        QTest::keyClick(m_term.get(), Qt::Key_X);
        QCOMPARE(joined(input), QByteArray("x"));
    }

    void repaintsAreCoalesced()
    {
        PaintCounter paints;
        m_term->viewport()->installEventFilter(&paints);
        QElapsedTimer timer;
        timer.start();
        int feeds = 0;
        while (timer.elapsed() < 500) {
            m_term->feed("line " + QByteArray::number(feeds++) + "\r\n");
            QCoreApplication::processEvents();
        }
        QTRY_COMPARE(m_term->lineText(m_term->rows() - 2), QString("line %1").arg(feeds - 1));
        const qint64 elapsed = timer.elapsed();
        QTest::qWait(50);
        qInfo("%d feeds, %d paints in %lld ms", feeds, paints.count, elapsed);
        QVERIFY(feeds > 200);
        // At most one frame every 16 ms, with a little slack for timer jitter.
        QVERIFY2(paints.count <= elapsed / 16 + 5, qPrintable(QString::number(paints.count)));
        QVERIFY(paints.count >= 2);
    }
};

QTEST_MAIN(TestTerminalWidget)
#include "tst_terminalwidget.moc"
