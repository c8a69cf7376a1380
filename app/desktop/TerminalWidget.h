#pragma once

#include <deque>
#include <optional>
#include <vector>

#include <QAbstractScrollArea>
#include <QByteArray>
#include <QByteArrayView>
#include <QColor>
#include <QElapsedTimer>
#include <QFont>
#include <QHash>
#include <QPoint>
#include <QRect>
#include <QString>
#include <QTimer>

class QLabel;
struct VTerm;
struct VTermScreen;

namespace berth::app {

// A terminal emulator on libvterm: a program's output goes in through feed(), keystrokes, pasted
// text and the terminal's answers to queries come out through input(). It knows nothing about
// where the bytes come from (a pty, a container's attach stream).
//
// Rows and columns below are those of the live screen (row 0 at its top), whatever part of the
// scrollback the person has scrolled to.
class TerminalWidget final : public QAbstractScrollArea
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TerminalWidget)

public:
    static constexpr int kDefaultScrollbackLimit = 10000;

    explicit TerminalWidget(QWidget* parent = nullptr);
    ~TerminalWidget() override;

    // Parses the program's output at once; the screen is repainted by the next frame (at most
    // about 60 a second), never once per call. A UTF-8 sequence or an OSC string (a title) cut
    // off at the end waits for the rest in the next call.
    void feed(QByteArrayView bytes);

    // The grid, from the viewport's size and the font (at least 2 rows and 10 columns).
    int rows() const { return m_rows; }
    int columns() const { return m_columns; }
    // A row's text with trailing blanks trimmed; empty for a row outside the screen.
    QString lineText(int row) const;
    // All rows joined with '\n', trailing empty rows trimmed.
    QString screenText() const;
    // x = column, y = row.
    QPoint cursorPosition() const;

    // Lines scrolled off the top of the main screen (never the alternate one), oldest dropped
    // first beyond the limit (default kDefaultScrollbackLimit; 0 keeps none).
    int scrollbackLines() const { return int(m_scrollback.size()); }
    void setScrollbackLimit(int lines);
    int scrollbackLimit() const { return m_scrollbackLimit; }
    // A scrollback line's text, trailing blanks trimmed; 0 is the oldest held.
    QString scrollbackLineText(int index) const;

    QString selectedText() const;

    // The program ended: shows the message in a line under the screen (which takes a row from
    // the grid), hides the cursor, and from then on ignores keystrokes and pastes and no longer
    // emits sizeChanged. Output fed afterwards is still shown.
    void setEnded(const QString& message);
    // A new program starts in the same terminal: the message goes and input flows again.
    void clearEnded();
    bool isEnded() const { return m_ended; }

    // A cell's colours as drawn before reverse video and selection (the default colours for
    // cells that have none), for tests and tools. Invalid outside the screen.
    QColor foregroundAt(int row, int column) const;
    QColor backgroundAt(int row, int column) const;
    // Where a cell of the live screen is drawn, in viewport coordinates, when not scrolled back.
    QRect cellRect(int row, int column) const;

    // 80x24 cells.
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public slots:
    void copy();
    void paste();
    void clearScrollback();

signals:
    // Bytes for the program: keystrokes, pasted text (bracketed when the program asked) and
    // the terminal's replies to queries such as DA and DSR.
    void input(const QByteArray& bytes);
    void sizeChanged(int rows, int columns);
    void titleChanged(const QString& title);

protected:
    bool event(QEvent* event) override;
    void changeEvent(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    void keyPressEvent(QKeyEvent* event) override;
    void inputMethodEvent(QInputMethodEvent* event) override;
    QVariant inputMethodQuery(Qt::InputMethodQuery query) const override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void focusInEvent(QFocusEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;
    bool focusNextPrevChild(bool next) override;

private:
    // libvterm's callbacks, which reach the private members below.
    struct Hooks;

    // A cell as the widget draws it, colours resolved.
    struct Cell
    {
        char32_t ch = 0; // 0 for an erased cell, kWideTail for the right half of a wide one
        QRgb fg = 0;
        QRgb bg = 0;
        quint16 attrs = 0; // CellAttr bits, in the .cpp
        quint8 width = 1;
    };
    using Row = std::vector<Cell>;

    // A scrollback line: its characters, and the style of each run of cells that share one,
    // without the trailing blanks. Most lines have one or two runs, so this is about a quarter
    // of the size of their cells.
    struct StyleRun
    {
        quint16 column = 0; // the first cell of the run
        quint16 attrs = 0;
        QRgb fg = 0;
        QRgb bg = 0;
    };
    struct StoredLine
    {
        std::vector<char32_t> chars;
        std::vector<StyleRun> runs;
    };

    // A position in the whole history: line numbers keep counting as lines leave the screen
    // for the scrollback, so that a selection stays on its text.
    struct TextPos
    {
        qint64 line = 0;
        int column = 0; // a boundary between cells, 0..columns
        auto operator<=>(const TextPos&) const = default;
    };

    void updateFontMetrics();
    void updateGrid();
    void layoutEndedLabel();
    void write(QByteArrayView bytes);
    void scheduleFrame();
    void frame();
    void syncScrollBar();
    void scrollToBottom();
    void markDirty(int fromRow, int toRow);
    void flushOutput();
    void sendText(const QString& text, int modifiers);

    void screenRow(int row, Row& out) const;
    // The cells of a line of the history (scrollback or screen), padded to the grid's width.
    bool historyLine(qint64 line, Row& out) const;
    void expand(const StoredLine& line, int columns, Row& out) const;
    qint64 firstHistoryLine() const;
    qint64 viewLineToHistory(int viewRow) const;
    TextPos textPosAt(const QPoint& viewportPos, bool nearestBoundary) const;
    bool isSelected(qint64 line, int column) const;
    void clearSelection();
    void selectWordAt(const QPoint& viewportPos);
    void selectLineAt(const QPoint& viewportPos);
    void publishSelection();

    void drawRow(QPainter& painter, int viewRow, const Row& cells);
    void drawCursor(QPainter& painter);
    bool fitsGrid(char32_t ch) const;
    const QFont& fontFor(quint16 attrs) const;

    VTerm* m_vt = nullptr;
    VTermScreen* m_screen = nullptr;
    int m_rows = 24;
    int m_columns = 80;

    // Scrollback, oldest first; its vectors are reused once the limit is reached.
    std::deque<StoredLine> m_scrollback;
    int m_scrollbackLimit = kDefaultScrollbackLimit;
    qint64 m_linesPushed = 0; // lines ever moved into the scrollback, less those taken back
    int m_scrollOffset = 0;   // lines scrolled back from the live screen
    bool m_scrollbackChanged = false;

    // What the next frame repaints, in screen rows [m_dirtyFrom, m_dirtyTo).
    int m_dirtyFrom = 0;
    int m_dirtyTo = 0;
    bool m_dirtyAll = false;
    QTimer m_frameTimer;
    QElapsedTimer m_sinceFrame;

    QPoint m_cursor;
    bool m_cursorVisible = true;
    int m_cursorShape = 1;
    bool m_altScreen = false;
    int m_mouseMode = 0;
    std::optional<QString> m_pendingTitle;

    QByteArray m_pendingOutput;
    QByteArray m_carry; // the end of the last feed, held back until it is complete
    bool m_ended = false;
    QLabel* m_endedLabel = nullptr;

    std::optional<TextPos> m_selectionAnchor;
    TextPos m_selectionEnd;
    bool m_selecting = false;
    QElapsedTimer m_sinceDoubleClick;
    QPoint m_doubleClickPos;

    QFont m_fonts[4]; // regular, bold, italic, bold italic
    int m_cellWidth = 8;
    int m_cellHeight = 16;
    int m_ascent = 12;
    mutable QHash<char32_t, bool> m_fitsGrid;
    mutable Row m_rowBuffer;
    QString m_runText;
};

} // namespace berth::app
