#include "TerminalWidget.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include <vterm.h>

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QFontMetricsF>
#include <QInputMethodEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QStringList>
#include <QWheelEvent>
#include <QtMath>

namespace berth::app {

namespace {

constexpr int kFrameMs = 16;
constexpr int kMinRows = 2;
constexpr int kMinColumns = 10;
constexpr char32_t kWideTail = 0xffffffffu;
constexpr QRgb kDefaultForeground = qRgb(0xd4, 0xd4, 0xd4);
constexpr QRgb kDefaultBackground = qRgb(0x1e, 0x1e, 0x1e);
// The 16 ANSI colours, chosen for this background: each of 1–15 has a contrast of at least
// 4.5:1 against it (WCAG AA), where xterm's and libvterm's blue (0,0,224 or so) has 1.7:1
// and `ls --color` directories could not be read. Black stays black: it is mostly a background.
constexpr QRgb kAnsiColours[16] = {
    qRgb(0x00, 0x00, 0x00), qRgb(0xf0, 0x52, 0x4f), qRgb(0x5c, 0xc2, 0x5c), qRgb(0xe5, 0xc0, 0x7b),
    qRgb(0x4a, 0x9d, 0xf8), qRgb(0xd6, 0x70, 0xd6), qRgb(0x29, 0xb8, 0xdb), qRgb(0xd4, 0xd4, 0xd4),
    qRgb(0x8a, 0x8a, 0x8a), qRgb(0xff, 0x6e, 0x6e), qRgb(0x7e, 0xe7, 0x87), qRgb(0xf5, 0xe3, 0x7a),
    qRgb(0x7a, 0xb7, 0xff), qRgb(0xf0, 0x8c, 0xf0), qRgb(0x6e, 0xe0, 0xf0), qRgb(0xff, 0xff, 0xff),
};

enum CellAttr : quint16 {
    DefaultFg = 1 << 0,
    DefaultBg = 1 << 1,
    Bold = 1 << 2,
    Italic = 1 << 3,
    Reverse = 1 << 4,
    Strike = 1 << 5,
    Blink = 1 << 6,
    UnderlineShift = 7, // two bits holding VTERM_UNDERLINE_*
    UnderlineMask = 3 << UnderlineShift,
};

QRgb selectionBackground()
{
    return qRgb(0x26, 0x4f, 0x78);
}

VTermModifier modifiersOf(Qt::KeyboardModifiers modifiers)
{
    int mod = VTERM_MOD_NONE;
    if (modifiers & Qt::ShiftModifier)
        mod |= VTERM_MOD_SHIFT;
    if (modifiers & Qt::AltModifier)
        mod |= VTERM_MOD_ALT;
    if (modifiers & Qt::ControlModifier)
        mod |= VTERM_MOD_CTRL;
    return VTermModifier(mod);
}

VTermKey vtermKey(int key)
{
    switch (key) {
    case Qt::Key_Return:
    case Qt::Key_Enter:
        return VTERM_KEY_ENTER;
    case Qt::Key_Tab:
    case Qt::Key_Backtab:
        return VTERM_KEY_TAB;
    case Qt::Key_Backspace:
        return VTERM_KEY_BACKSPACE;
    case Qt::Key_Escape:
        return VTERM_KEY_ESCAPE;
    case Qt::Key_Up:
        return VTERM_KEY_UP;
    case Qt::Key_Down:
        return VTERM_KEY_DOWN;
    case Qt::Key_Left:
        return VTERM_KEY_LEFT;
    case Qt::Key_Right:
        return VTERM_KEY_RIGHT;
    case Qt::Key_Insert:
        return VTERM_KEY_INS;
    case Qt::Key_Delete:
        return VTERM_KEY_DEL;
    case Qt::Key_Home:
        return VTERM_KEY_HOME;
    case Qt::Key_End:
        return VTERM_KEY_END;
    case Qt::Key_PageUp:
        return VTERM_KEY_PAGEUP;
    case Qt::Key_PageDown:
        return VTERM_KEY_PAGEDOWN;
    default:
        if (key >= Qt::Key_F1 && key <= Qt::Key_F12)
            return VTermKey(VTERM_KEY_FUNCTION(key - Qt::Key_F1 + 1));
        return VTERM_KEY_NONE;
    }
}

// The C0 byte that Ctrl plus this key sends in xterm, for keys that libvterm would encode as
// CSI u instead (Ctrl+I, J, M, [, @ and the digit row), which shells do not understand. -1 when
// libvterm's own encoding is the right one.
int legacyControlByte(int key)
{
    switch (key) {
    case Qt::Key_I:
        return 0x09;
    case Qt::Key_J:
        return 0x0a;
    case Qt::Key_M:
        return 0x0d;
    case Qt::Key_BracketLeft:
    case Qt::Key_3:
        return 0x1b;
    case Qt::Key_At:
    case Qt::Key_2:
    case Qt::Key_Space:
        return 0x00;
    case Qt::Key_4:
    case Qt::Key_Backslash:
        return 0x1c;
    case Qt::Key_5:
    case Qt::Key_BracketRight:
        return 0x1d;
    case Qt::Key_6:
    case Qt::Key_AsciiCircum:
        return 0x1e;
    case Qt::Key_7:
    case Qt::Key_Minus:
    case Qt::Key_Underscore:
    case Qt::Key_Slash:
        return 0x1f;
    case Qt::Key_8:
    case Qt::Key_Question:
        return 0x7f;
    default:
        return -1;
    }
}

// How many bytes at the end of a feed must wait for the next one: libvterm 0.1.4 turns a UTF-8
// sequence split across two writes into U+FFFD and drops an OSC or DCS string (a title) split
// across two writes. Strings longer than kMaxHeldString are let through rather than held.
constexpr qsizetype kMaxHeldString = 4096;

qsizetype unfinishedTail(const char* data, qsizetype size)
{
    const qsizetype floor = std::max<qsizetype>(0, size - kMaxHeldString);
    bool terminatorAfter = false; // an ST (ESC \) or BEL follows the ESC being looked at
    for (qsizetype end = size; end > floor;) {
        const auto* hit = static_cast<const char*>(memrchr(data + floor, 0x1b, size_t(end - floor)));
        if (!hit)
            break;
        const qsizetype at = hit - data;
        if (at + 1 < size) {
            const char kind = data[at + 1];
            if (kind == '\\') {
                terminatorAfter = true;
            } else if (kind == ']' || kind == 'P' || kind == '_' || kind == '^') {
                if (terminatorAfter || std::memchr(data + at + 2, 0x07, size_t(size - at - 2)))
                    break;
                return size - at;
            }
        }
        end = at;
    }
    if (size > 0 && data[size - 1] == 0x1b)
        return 1;
    for (qsizetype back = 1; back <= 3 && back <= size; ++back) {
        const auto c = uchar(data[size - back]);
        if ((c & 0xc0) == 0x80)
            continue;
        if (c < 0xc0)
            return 0;
        const int length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        return back < length ? back : 0;
    }
    return 0;
}

bool isWordCharacter(char32_t ch)
{
    if (ch == 0 || ch == kWideTail)
        return false;
    if (ch >= 0x80)
        return QChar::isLetterOrNumber(ch);
    return QChar::isLetterOrNumber(ch) || std::strchr("-_./~:@%+#=?&", int(ch));
}

void appendUcs4(QString& text, char32_t ch)
{
    if (QChar::requiresSurrogates(ch)) {
        text.append(QChar(QChar::highSurrogate(ch)));
        text.append(QChar(QChar::lowSurrogate(ch)));
    } else {
        text.append(QChar(char16_t(ch)));
    }
}

} // namespace

struct TerminalWidget::Hooks
{
    static TerminalWidget* self(void* user) { return static_cast<TerminalWidget*>(user); }

    static QRgb rgbOf(const TerminalWidget* w, VTermColor color)
    {
        if (VTERM_COLOR_IS_INDEXED(&color))
            vterm_screen_convert_color_to_rgb(w->m_screen, &color);
        return qRgb(color.rgb.red, color.rgb.green, color.rgb.blue);
    }

    static Cell toCell(const TerminalWidget* w, const VTermScreenCell& in)
    {
        Cell cell;
        cell.ch = in.chars[0];
        cell.width = quint8(in.width);
        quint16 attrs = 0;
        if (VTERM_COLOR_IS_DEFAULT_FG(&in.fg))
            attrs |= DefaultFg;
        else
            cell.fg = rgbOf(w, in.fg);
        if (VTERM_COLOR_IS_DEFAULT_BG(&in.bg))
            attrs |= DefaultBg;
        else
            cell.bg = rgbOf(w, in.bg);
        if (in.attrs.bold)
            attrs |= Bold;
        if (in.attrs.italic)
            attrs |= Italic;
        if (in.attrs.reverse)
            attrs |= Reverse;
        if (in.attrs.strike)
            attrs |= Strike;
        if (in.attrs.blink)
            attrs |= Blink;
        attrs |= quint16(in.attrs.underline << UnderlineShift);
        cell.attrs = attrs;
        if (attrs & DefaultFg)
            cell.fg = kDefaultForeground;
        if (attrs & DefaultBg)
            cell.bg = kDefaultBackground;
        return cell;
    }

    static void fromCell(const TerminalWidget* w, const Cell& in, VTermScreenCell& out)
    {
        out = {};
        out.chars[0] = in.ch;
        out.width = char(in.width);
        out.attrs.bold = (in.attrs & Bold) != 0;
        out.attrs.italic = (in.attrs & Italic) != 0;
        out.attrs.reverse = (in.attrs & Reverse) != 0;
        out.attrs.strike = (in.attrs & Strike) != 0;
        out.attrs.blink = (in.attrs & Blink) != 0;
        out.attrs.underline = (in.attrs & UnderlineMask) >> UnderlineShift;
        VTermColor defaultFg, defaultBg;
        vterm_state_get_default_colors(vterm_obtain_state(w->m_vt), &defaultFg, &defaultBg);
        if (in.attrs & DefaultFg)
            out.fg = defaultFg;
        else
            vterm_color_rgb(&out.fg, qRed(in.fg), qGreen(in.fg), qBlue(in.fg));
        if (in.attrs & DefaultBg)
            out.bg = defaultBg;
        else
            vterm_color_rgb(&out.bg, qRed(in.bg), qGreen(in.bg), qBlue(in.bg));
    }

    static bool isBlank(const VTermScreenCell& cell)
    {
        return cell.chars[0] == 0 && VTERM_COLOR_IS_DEFAULT_BG(&cell.bg) && !cell.attrs.reverse &&
               !cell.attrs.underline;
    }

    static int damage(VTermRect rect, void* user)
    {
        self(user)->markDirty(rect.start_row, rect.end_row);
        return 1;
    }

    static int moveCursor(VTermPos pos, VTermPos oldPos, int visible, void* user)
    {
        auto* w = self(user);
        w->markDirty(oldPos.row, oldPos.row + 1);
        w->markDirty(pos.row, pos.row + 1);
        w->m_cursor = QPoint(pos.col, pos.row);
        w->m_cursorVisible = visible;
        return 1;
    }

    static int setTermProp(VTermProp prop, VTermValue* value, void* user)
    {
        auto* w = self(user);
        switch (prop) {
        case VTERM_PROP_CURSORVISIBLE:
            w->m_cursorVisible = value->boolean;
            w->markDirty(w->m_cursor.y(), w->m_cursor.y() + 1);
            break;
        case VTERM_PROP_CURSORSHAPE:
            w->m_cursorShape = value->number;
            w->markDirty(w->m_cursor.y(), w->m_cursor.y() + 1);
            break;
        case VTERM_PROP_ALTSCREEN:
            // Full-screen programs get the whole view; the scrollback belongs to the main screen.
            w->m_altScreen = value->boolean;
            w->m_scrollOffset = 0;
            w->m_scrollbackChanged = true;
            w->m_dirtyAll = true;
            w->clearSelection();
            break;
        case VTERM_PROP_TITLE:
            w->m_pendingTitle = QString::fromUtf8(value->string ? value->string : "");
            break;
        case VTERM_PROP_MOUSE:
            w->m_mouseMode = value->number;
            break;
        default:
            break;
        }
        return 1;
    }

    static int pushLine(int cols, const VTermScreenCell* cells, void* user)
    {
        auto* w = self(user);
        if (w->m_scrollbackLimit <= 0)
            return 1;
        int used = cols;
        while (used > 0 && isBlank(cells[used - 1]))
            --used;
        StoredLine line;
        if (int(w->m_scrollback.size()) >= w->m_scrollbackLimit) {
            line = std::move(w->m_scrollback.front());
            w->m_scrollback.pop_front();
            line.chars.clear();
            line.runs.clear();
        }
        line.chars.reserve(size_t(used));
        for (int i = 0; i < used; ++i) {
            const Cell cell = toCell(w, cells[i]);
            line.chars.push_back(cell.ch);
            const StyleRun* last = line.runs.empty() ? nullptr : &line.runs.back();
            if (!last || last->attrs != cell.attrs || last->fg != cell.fg || last->bg != cell.bg)
                line.runs.push_back({quint16(i), cell.attrs, cell.fg, cell.bg});
        }
        w->m_scrollback.push_back(std::move(line));
        ++w->m_linesPushed;
        // Someone reading the scrollback keeps reading the same lines while output goes on.
        if (w->m_scrollOffset > 0)
            w->m_scrollOffset = std::min(w->m_scrollOffset + 1, int(w->m_scrollback.size()));
        w->m_scrollbackChanged = true;
        return 1;
    }

    static int popLine(int cols, VTermScreenCell* cells, void* user)
    {
        auto* w = self(user);
        if (w->m_scrollback.empty())
            return 0;
        Row row;
        w->expand(w->m_scrollback.back(), cols, row);
        for (int i = 0; i < cols; ++i)
            fromCell(w, row[size_t(i)], cells[i]);
        w->m_scrollback.pop_back();
        --w->m_linesPushed;
        w->m_scrollOffset = std::min(w->m_scrollOffset, int(w->m_scrollback.size()));
        w->m_scrollbackChanged = true;
        return 1;
    }

    static void output(const char* bytes, size_t length, void* user)
    {
        self(user)->m_pendingOutput.append(bytes, qsizetype(length));
    }

    static const VTermScreenCallbacks screenCallbacks;
};

const VTermScreenCallbacks TerminalWidget::Hooks::screenCallbacks = {
    &TerminalWidget::Hooks::damage,      // damage
    nullptr,                             // moverect: scrolled areas arrive as damage
    &TerminalWidget::Hooks::moveCursor,  // movecursor
    &TerminalWidget::Hooks::setTermProp, // settermprop
    nullptr,                             // bell
    nullptr,                             // resize
    &TerminalWidget::Hooks::pushLine,    // sb_pushline
    &TerminalWidget::Hooks::popLine,     // sb_popline
};

TerminalWidget::TerminalWidget(QWidget* parent)
    : QAbstractScrollArea(parent)
{
    m_vt = vterm_new(m_rows, m_columns);
    vterm_set_utf8(m_vt, 1);
    vterm_output_set_callback(m_vt, &Hooks::output, this);
    m_screen = vterm_obtain_screen(m_vt);
    vterm_screen_set_callbacks(m_screen, &Hooks::screenCallbacks, this);
    vterm_screen_set_damage_merge(m_screen, VTERM_DAMAGE_SCROLL);
    vterm_screen_enable_altscreen(m_screen, 1);
    VTermColor fg, bg;
    vterm_color_rgb(&fg, qRed(kDefaultForeground), qGreen(kDefaultForeground), qBlue(kDefaultForeground));
    vterm_color_rgb(&bg, qRed(kDefaultBackground), qGreen(kDefaultBackground), qBlue(kDefaultBackground));
    vterm_state_set_default_colors(vterm_obtain_state(m_vt), &fg, &bg);
    for (int i = 0; i < 16; ++i) {
        VTermColor colour;
        vterm_color_rgb(&colour, qRed(kAnsiColours[i]), qGreen(kAnsiColours[i]), qBlue(kAnsiColours[i]));
        vterm_state_set_palette_color(vterm_obtain_state(m_vt), i, &colour);
    }
    vterm_screen_reset(m_screen, 1);

    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_InputMethodEnabled);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    viewport()->setAutoFillBackground(false);
    viewport()->setCursor(Qt::IBeamCursor);
    QPalette palette = viewport()->palette();
    palette.setColor(QPalette::Base, QColor(kDefaultBackground));
    viewport()->setPalette(palette);

    m_endedLabel = new QLabel(this);
    m_endedLabel->setObjectName("terminalEnded");
    m_endedLabel->setContentsMargins(6, 0, 6, 0);
    m_endedLabel->hide();

    m_frameTimer.setSingleShot(true);
    connect(&m_frameTimer, &QTimer::timeout, this, &TerminalWidget::frame);
    m_sinceFrame.start();

    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    updateFontMetrics();
    syncScrollBar();
}

TerminalWidget::~TerminalWidget()
{
    vterm_free(m_vt);
}

void TerminalWidget::feed(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return;
    if (m_carry.isEmpty()) {
        write(bytes);
    } else {
        m_carry.append(bytes.data(), bytes.size());
        write(std::exchange(m_carry, QByteArray()));
    }
    scheduleFrame();
    // Signals go out only after libvterm returned, so that a receiver may feed again at once.
    flushOutput();
    if (m_pendingTitle) {
        const QString title = *std::exchange(m_pendingTitle, std::nullopt);
        emit titleChanged(title);
    }
}

void TerminalWidget::write(QByteArrayView bytes)
{
    const qsizetype held = unfinishedTail(bytes.data(), bytes.size());
    vterm_input_write(m_vt, bytes.data(), size_t(bytes.size() - held));
    if (held > 0)
        m_carry = bytes.last(held).toByteArray();
}

void TerminalWidget::scheduleFrame()
{
    if (m_frameTimer.isActive())
        return;
    const qint64 since = m_sinceFrame.isValid() ? m_sinceFrame.elapsed() : kFrameMs;
    m_frameTimer.start(int(std::clamp<qint64>(kFrameMs - since, 0, kFrameMs)));
}

void TerminalWidget::frame()
{
    m_sinceFrame.restart();
    vterm_screen_flush_damage(m_screen);
    const bool scrolled = m_scrollbackChanged;
    if (m_scrollbackChanged)
        syncScrollBar();
    if (m_dirtyAll || (scrolled && m_scrollOffset > 0)) {
        viewport()->update();
    } else if (m_dirtyFrom < m_dirtyTo) {
        const int from = std::clamp(m_dirtyFrom + m_scrollOffset, 0, m_rows);
        const int to = std::clamp(m_dirtyTo + m_scrollOffset, 0, m_rows);
        if (from < to)
            viewport()->update(QRect(0, from * m_cellHeight, viewport()->width(), (to - from) * m_cellHeight));
    }
    m_dirtyAll = false;
    m_dirtyFrom = m_dirtyTo = 0;
    m_frameTimer.stop(); // the damage flushed above asked for another frame; this one served it
}

void TerminalWidget::markDirty(int fromRow, int toRow)
{
    if (fromRow >= toRow)
        return;
    if (m_dirtyFrom >= m_dirtyTo) {
        m_dirtyFrom = fromRow;
        m_dirtyTo = toRow;
    } else {
        m_dirtyFrom = std::min(m_dirtyFrom, fromRow);
        m_dirtyTo = std::max(m_dirtyTo, toRow);
    }
    scheduleFrame();
}

void TerminalWidget::syncScrollBar()
{
    m_scrollbackChanged = false;
    const int lines = m_altScreen ? 0 : int(m_scrollback.size());
    m_scrollOffset = std::clamp(m_scrollOffset, 0, lines);
    QScrollBar* bar = verticalScrollBar();
    const QSignalBlocker blocker(bar);
    bar->setRange(0, lines);
    bar->setPageStep(m_rows);
    bar->setSingleStep(1);
    bar->setValue(lines - m_scrollOffset);
}

void TerminalWidget::scrollContentsBy(int, int)
{
    const int lines = m_altScreen ? 0 : int(m_scrollback.size());
    m_scrollOffset = std::clamp(lines - verticalScrollBar()->value(), 0, lines);
    viewport()->update();
}

void TerminalWidget::scrollToBottom()
{
    if (m_scrollOffset == 0)
        return;
    m_scrollOffset = 0;
    syncScrollBar();
    viewport()->update();
}

void TerminalWidget::flushOutput()
{
    if (m_pendingOutput.isEmpty())
        return;
    const QByteArray bytes = std::exchange(m_pendingOutput, QByteArray());
    emit input(bytes);
}

// --- the grid

void TerminalWidget::updateFontMetrics()
{
    QFont base = font();
    base.setStyleHint(QFont::TypeWriter);
    base.setKerning(false);
    // Latin text needs no shaping in a terminal, and skipping it makes drawing far cheaper.
    base.setStyleStrategy(QFont::StyleStrategy(QFont::PreferNoShaping));
    const QFontMetricsF metrics(base);
    m_cellWidth = std::max(1, qRound(metrics.horizontalAdvance(QLatin1Char('M'))));
    m_cellHeight = std::max(1, qCeil(metrics.height()));
    m_ascent = qRound(metrics.ascent());
    for (int i = 0; i < 4; ++i) {
        QFont f = base;
        f.setBold(i & 1);
        f.setItalic(i & 2);
        // Whole-pixel cells: spacing makes a run of text advance exactly one cell per character.
        const qreal advance = QFontMetricsF(f).horizontalAdvance(QLatin1Char('M'));
        f.setLetterSpacing(QFont::AbsoluteSpacing, m_cellWidth - advance);
        m_fonts[i] = f;
    }
    m_fitsGrid.clear();
    // A hidden widget's size means nothing yet; its first resize event, at show, sets the grid.
    if (isVisible())
        updateGrid();
    viewport()->update();
}

const QFont& TerminalWidget::fontFor(quint16 attrs) const
{
    return m_fonts[((attrs & Bold) ? 1 : 0) | ((attrs & Italic) ? 2 : 0)];
}

bool TerminalWidget::fitsGrid(char32_t ch) const
{
    if (ch < 0x7f)
        return true;
    auto it = m_fitsGrid.constFind(ch);
    if (it != m_fitsGrid.constEnd())
        return *it;
    const QFontMetricsF metrics(m_fonts[0]);
    QString text;
    appendUcs4(text, ch);
    const bool fits = metrics.inFontUcs4(ch) && qAbs(metrics.horizontalAdvance(text) - m_cellWidth) < 0.01;
    m_fitsGrid.insert(ch, fits);
    return fits;
}

void TerminalWidget::updateGrid()
{
    const int rows = std::max(kMinRows, viewport()->height() / m_cellHeight);
    const int columns = std::max(kMinColumns, viewport()->width() / m_cellWidth);
    if (rows == m_rows && columns == m_columns)
        return;
    m_rows = rows;
    m_columns = columns;
    vterm_set_size(m_vt, rows, columns);
    vterm_screen_flush_damage(m_screen);
    VTermPos cursor;
    vterm_state_get_cursorpos(vterm_obtain_state(m_vt), &cursor);
    m_cursor = QPoint(cursor.col, cursor.row);
    syncScrollBar();
    m_dirtyAll = true;
    viewport()->update();
    if (!m_ended) // no program is left to tell
        emit sizeChanged(rows, columns);
}

void TerminalWidget::resizeEvent(QResizeEvent* event)
{
    QAbstractScrollArea::resizeEvent(event);
    layoutEndedLabel();
    updateGrid();
}

void TerminalWidget::layoutEndedLabel()
{
    if (!m_ended)
        return;
    const int height = m_cellHeight; // one row of the grid, in the grid's font
    setViewportMargins(0, 0, 0, height);
    const QRect area = contentsRect();
    m_endedLabel->setGeometry(area.left(), area.bottom() + 1 - height, area.width(), height);
}

QSize TerminalWidget::sizeHint() const
{
    const int frame = 2 * frameWidth();
    const int bar = verticalScrollBar()->sizeHint().width();
    return {80 * m_cellWidth + frame + bar, 24 * m_cellHeight + frame};
}

QSize TerminalWidget::minimumSizeHint() const
{
    const int frame = 2 * frameWidth();
    const int bar = verticalScrollBar()->sizeHint().width();
    return {kMinColumns * m_cellWidth + frame + bar, kMinRows * m_cellHeight + frame};
}

void TerminalWidget::changeEvent(QEvent* event)
{
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange && m_vt)
        updateFontMetrics();
}

// --- reading the screen

void TerminalWidget::screenRow(int row, Row& out) const
{
    out.resize(size_t(m_columns));
    VTermScreenCell cell;
    for (int col = 0; col < m_columns; ++col) {
        vterm_screen_get_cell(m_screen, VTermPos{row, col}, &cell);
        out[size_t(col)] = Hooks::toCell(this, cell);
    }
}

qint64 TerminalWidget::firstHistoryLine() const
{
    return m_linesPushed - qint64(m_scrollback.size());
}

qint64 TerminalWidget::viewLineToHistory(int viewRow) const
{
    return m_linesPushed + viewRow - m_scrollOffset;
}

void TerminalWidget::expand(const StoredLine& line, int columns, Row& out) const
{
    out.assign(size_t(columns), Cell{0, kDefaultForeground, kDefaultBackground, DefaultFg | DefaultBg, 1});
    const int used = std::min(int(line.chars.size()), columns);
    size_t run = 0;
    for (int col = 0; col < used; ++col) {
        while (run + 1 < line.runs.size() && line.runs[run + 1].column <= col)
            ++run;
        const StyleRun& style = line.runs[run];
        Cell& cell = out[size_t(col)];
        cell.ch = line.chars[size_t(col)];
        cell.fg = style.fg;
        cell.bg = style.bg;
        cell.attrs = style.attrs;
        cell.width = col + 1 < used && line.chars[size_t(col) + 1] == kWideTail ? 2 : 1;
    }
}

bool TerminalWidget::historyLine(qint64 line, Row& out) const
{
    if (line >= m_linesPushed + m_rows || line < firstHistoryLine())
        return false;
    if (line >= m_linesPushed)
        screenRow(int(line - m_linesPushed), out);
    else
        expand(m_scrollback[size_t(line - firstHistoryLine())], m_columns, out);
    return true;
}

namespace {

template <typename Cells> QString cellsText(const Cells& cells, int from, int to)
{
    QString text;
    for (int col = from; col < to; ++col) {
        const char32_t ch = cells[size_t(col)].ch;
        if (ch == kWideTail)
            continue;
        appendUcs4(text, ch ? ch : U' ');
    }
    while (text.endsWith(u' '))
        text.chop(1);
    return text;
}

} // namespace

QString TerminalWidget::lineText(int row) const
{
    if (row < 0 || row >= m_rows)
        return {};
    // From libvterm directly, so that combining characters are kept.
    QString text;
    int blanks = 0;
    VTermScreenCell cell;
    for (int col = 0; col < m_columns; ++col) {
        vterm_screen_get_cell(m_screen, VTermPos{row, col}, &cell);
        if (cell.chars[0] == kWideTail)
            continue;
        if (cell.chars[0] == 0 || cell.chars[0] == U' ') {
            ++blanks;
            continue;
        }
        text.append(QString(blanks, u' '));
        blanks = 0;
        for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell.chars[i]; ++i)
            appendUcs4(text, cell.chars[i]);
    }
    return text;
}

QString TerminalWidget::screenText() const
{
    QStringList lines;
    for (int row = 0; row < m_rows; ++row)
        lines << lineText(row);
    while (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines.join(u'\n');
}

QPoint TerminalWidget::cursorPosition() const
{
    return m_cursor;
}

QString TerminalWidget::scrollbackLineText(int index) const
{
    if (index < 0 || index >= int(m_scrollback.size()))
        return {};
    QString text;
    for (const char32_t ch : m_scrollback[size_t(index)].chars) {
        if (ch != kWideTail)
            appendUcs4(text, ch ? ch : U' ');
    }
    while (text.endsWith(u' '))
        text.chop(1);
    return text;
}

void TerminalWidget::setScrollbackLimit(int lines)
{
    m_scrollbackLimit = std::max(0, lines);
    while (int(m_scrollback.size()) > m_scrollbackLimit)
        m_scrollback.pop_front();
    syncScrollBar();
    viewport()->update();
}

void TerminalWidget::clearScrollback()
{
    m_scrollback.clear();
    m_scrollOffset = 0;
    clearSelection();
    syncScrollBar();
    viewport()->update();
}

QColor TerminalWidget::foregroundAt(int row, int column) const
{
    if (row < 0 || row >= m_rows || column < 0 || column >= m_columns)
        return {};
    VTermScreenCell cell;
    vterm_screen_get_cell(m_screen, VTermPos{row, column}, &cell);
    return QColor(Hooks::toCell(this, cell).fg);
}

QColor TerminalWidget::backgroundAt(int row, int column) const
{
    if (row < 0 || row >= m_rows || column < 0 || column >= m_columns)
        return {};
    VTermScreenCell cell;
    vterm_screen_get_cell(m_screen, VTermPos{row, column}, &cell);
    return QColor(Hooks::toCell(this, cell).bg);
}

QRect TerminalWidget::cellRect(int row, int column) const
{
    return {column * m_cellWidth, row * m_cellHeight, m_cellWidth, m_cellHeight};
}

// --- painting

void TerminalWidget::paintEvent(QPaintEvent* event)
{
    QPainter painter(viewport());
    const QRect area = event->rect();
    painter.fillRect(area, QColor(kDefaultBackground));
    const int first = std::max(0, area.top() / m_cellHeight);
    const int last = std::min(m_rows - 1, area.bottom() / m_cellHeight);
    for (int row = first; row <= last; ++row) {
        if (historyLine(viewLineToHistory(row), m_rowBuffer))
            drawRow(painter, row, m_rowBuffer);
    }
    if (m_scrollOffset == 0 && !m_ended && m_cursorVisible)
        drawCursor(painter);
}

void TerminalWidget::drawRow(QPainter& painter, int viewRow, const Row& cells)
{
    constexpr quint16 kStyle = Bold | Italic | Reverse | Strike | UnderlineMask;
    const qint64 line = viewLineToHistory(viewRow);
    const bool anySelected = m_selectionAnchor && m_selectionAnchor != m_selectionEnd &&
                             line >= std::min(*m_selectionAnchor, m_selectionEnd).line &&
                             line <= std::max(*m_selectionAnchor, m_selectionEnd).line;
    const int y = viewRow * m_cellHeight;
    const int count = int(cells.size());
    int col = 0;
    while (col < count) {
        const Cell& first = cells[size_t(col)];
        const bool selected = anySelected && isSelected(line, col);
        // Cells that do not advance exactly one cell in the font are drawn one by one.
        const bool single = first.width != 1 || !fitsGrid(first.ch);
        int end = col + std::max(1, int(first.width));
        if (!single) {
            while (end < count) {
                const Cell& next = cells[size_t(end)];
                if (next.fg != first.fg || next.bg != first.bg || (next.attrs & kStyle) != (first.attrs & kStyle) ||
                    next.width != 1 || !fitsGrid(next.ch) || (anySelected && isSelected(line, end) != selected))
                    break;
                ++end;
            }
        }
        end = std::min(end, count);

        QRgb fg = first.fg;
        QRgb bg = first.bg;
        if (first.attrs & Reverse)
            std::swap(fg, bg);
        if (selected) {
            bg = selectionBackground();
            fg = qRgb(0xff, 0xff, 0xff);
        }
        const int x = col * m_cellWidth;
        const int width = (end - col) * m_cellWidth;
        if (bg != kDefaultBackground)
            painter.fillRect(x, y, width, m_cellHeight, QColor(bg));

        m_runText.clear();
        bool visible = false;
        for (int i = col; i < end; ++i) {
            const char32_t ch = cells[size_t(i)].ch;
            if (ch == kWideTail)
                continue;
            if (ch > U' ')
                visible = true;
            appendUcs4(m_runText, ch ? ch : U' ');
        }
        if (visible || (first.attrs & (UnderlineMask | Strike))) {
            painter.setPen(QColor(fg));
            if (visible) {
                painter.setFont(fontFor(first.attrs));
                painter.drawText(QPointF(x, y + m_ascent), m_runText);
            }
            if (first.attrs & UnderlineMask)
                painter.drawLine(x, y + m_ascent + 1, x + width - 1, y + m_ascent + 1);
            if (first.attrs & Strike)
                painter.drawLine(x, y + m_cellHeight / 2, x + width - 1, y + m_cellHeight / 2);
        }
        col = end;
    }
}

void TerminalWidget::drawCursor(QPainter& painter)
{
    if (m_cursor.y() < 0 || m_cursor.y() >= m_rows || m_cursor.x() < 0 || m_cursor.x() >= m_columns)
        return;
    VTermScreenCell vcell;
    vterm_screen_get_cell(m_screen, VTermPos{m_cursor.y(), m_cursor.x()}, &vcell);
    const Cell cell = Hooks::toCell(this, vcell);
    QRgb fg = cell.fg;
    QRgb bg = cell.bg;
    if (cell.attrs & Reverse)
        std::swap(fg, bg);
    const QRect rect(m_cursor.x() * m_cellWidth, m_cursor.y() * m_cellHeight,
                     m_cellWidth * std::max(1, int(cell.width)), m_cellHeight);
    if (!hasFocus()) {
        painter.setPen(QColor(fg));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(rect.adjusted(0, 0, -1, -1));
        return;
    }
    switch (m_cursorShape) {
    case VTERM_PROP_CURSORSHAPE_UNDERLINE:
        painter.fillRect(rect.left(), rect.bottom() - 1, rect.width(), 2, QColor(fg));
        return;
    case VTERM_PROP_CURSORSHAPE_BAR_LEFT:
        painter.fillRect(rect.left(), rect.top(), 2, rect.height(), QColor(fg));
        return;
    default:
        painter.fillRect(rect, QColor(fg));
        if (cell.ch && cell.ch != kWideTail && cell.ch != U' ') {
            QString text;
            appendUcs4(text, cell.ch);
            painter.setPen(QColor(bg));
            painter.setFont(fontFor(cell.attrs));
            painter.drawText(QPointF(rect.left(), rect.top() + m_ascent), text);
        }
    }
}

// --- selection

TerminalWidget::TextPos TerminalWidget::textPosAt(const QPoint& pos, bool nearestBoundary) const
{
    const int row = std::clamp(pos.y() / m_cellHeight, 0, m_rows - 1);
    const int column = nearestBoundary ? (pos.x() + m_cellWidth / 2) / m_cellWidth : pos.x() / m_cellWidth;
    return {viewLineToHistory(row), std::clamp(column, 0, nearestBoundary ? m_columns : m_columns - 1)};
}

bool TerminalWidget::isSelected(qint64 line, int column) const
{
    if (!m_selectionAnchor)
        return false;
    const TextPos from = std::min(*m_selectionAnchor, m_selectionEnd);
    const TextPos to = std::max(*m_selectionAnchor, m_selectionEnd);
    const TextPos here{line, column};
    return here >= from && here < to;
}

void TerminalWidget::clearSelection()
{
    if (!m_selectionAnchor)
        return;
    m_selectionAnchor.reset();
    m_selecting = false;
    viewport()->update();
}

QString TerminalWidget::selectedText() const
{
    if (!m_selectionAnchor || *m_selectionAnchor == m_selectionEnd)
        return {};
    const TextPos from = std::min(*m_selectionAnchor, m_selectionEnd);
    const TextPos to = std::max(*m_selectionAnchor, m_selectionEnd);
    QStringList lines;
    Row cells;
    for (qint64 line = from.line; line <= to.line; ++line) {
        if (!historyLine(line, cells))
            continue;
        const int start = line == from.line ? from.column : 0;
        const int end = line == to.line ? to.column : m_columns;
        lines << cellsText(cells, start, std::min(end, m_columns));
    }
    return lines.join(u'\n');
}

void TerminalWidget::publishSelection()
{
    QClipboard* clipboard = QGuiApplication::clipboard();
    const QString text = selectedText();
    if (clipboard->supportsSelection() && !text.isEmpty())
        clipboard->setText(text, QClipboard::Selection);
}

void TerminalWidget::selectWordAt(const QPoint& pos)
{
    const TextPos at = textPosAt(pos, false);
    Row cells;
    if (!historyLine(at.line, cells))
        return;
    int from = at.column;
    int to = at.column;
    if (isWordCharacter(cells[size_t(at.column)].ch)) {
        while (from > 0 && isWordCharacter(cells[size_t(from - 1)].ch))
            --from;
        while (to + 1 < m_columns && isWordCharacter(cells[size_t(to + 1)].ch))
            ++to;
    }
    m_selectionAnchor = TextPos{at.line, from};
    m_selectionEnd = TextPos{at.line, to + 1};
    viewport()->update();
}

void TerminalWidget::selectLineAt(const QPoint& pos)
{
    const TextPos at = textPosAt(pos, false);
    m_selectionAnchor = TextPos{at.line, 0};
    m_selectionEnd = TextPos{at.line, m_columns};
    viewport()->update();
}

void TerminalWidget::copy()
{
    const QString text = selectedText();
    if (!text.isEmpty())
        QGuiApplication::clipboard()->setText(text);
}

void TerminalWidget::paste()
{
    if (m_ended)
        return;
    QString text = QGuiApplication::clipboard()->text();
    if (text.isEmpty())
        return;
    // Line ends as the Enter key sends them; and the text cannot end a bracketed paste early.
    text.replace(QLatin1String("\r\n"), QLatin1String("\r"));
    text.replace(u'\n', u'\r');
    text.remove(QLatin1String("\x1b[201~"));
    vterm_keyboard_start_paste(m_vt);
    m_pendingOutput += text.toUtf8();
    vterm_keyboard_end_paste(m_vt);
    scrollToBottom();
    flushOutput();
}

void TerminalWidget::setEnded(const QString& message)
{
    m_ended = true;
    m_selecting = false;
    m_endedLabel->setText(message);
    m_endedLabel->setFont(m_fonts[0]);
    QPalette palette = m_endedLabel->palette();
    palette.setColor(QPalette::Window, QColor(0x3c, 0x3c, 0x3c));
    palette.setColor(QPalette::WindowText, QColor(kDefaultForeground));
    m_endedLabel->setPalette(palette);
    m_endedLabel->setAutoFillBackground(true);
    m_endedLabel->show();
    layoutEndedLabel();
    updateGrid(); // the line under the screen took a row
    viewport()->update();
}

void TerminalWidget::clearEnded()
{
    if (!m_ended)
        return;
    m_ended = false;
    m_endedLabel->hide();
    setViewportMargins(0, 0, 0, 0);
    updateGrid();
    viewport()->update();
}

// --- input

bool TerminalWidget::event(QEvent* event)
{
    // A terminal's program wants nearly every key, including those the window uses as
    // shortcuts; Ctrl+Shift combinations other than copy and paste stay the window's.
    if (event->type() == QEvent::ShortcutOverride && !m_ended) {
        auto* key = static_cast<QKeyEvent*>(event);
        const auto mods = key->modifiers() & (Qt::ControlModifier | Qt::ShiftModifier);
        const bool windowShortcut =
            (mods == (Qt::ControlModifier | Qt::ShiftModifier) && key->key() != Qt::Key_C &&
             key->key() != Qt::Key_V) ||
            ((key->modifiers() & Qt::ControlModifier) && (key->key() == Qt::Key_Tab || key->key() == Qt::Key_Backtab));
        if (!windowShortcut) {
            event->accept();
            return true;
        }
    }
    return QAbstractScrollArea::event(event);
}

bool TerminalWidget::focusNextPrevChild(bool)
{
    return false; // Tab belongs to the program
}

void TerminalWidget::keyPressEvent(QKeyEvent* event)
{
    if (m_ended) {
        event->ignore();
        return;
    }
    const int key = event->key();
    const auto modifiers = event->modifiers();
    const bool ctrl = modifiers & Qt::ControlModifier;
    const bool shift = modifiers & Qt::ShiftModifier;
    const bool alt = modifiers & Qt::AltModifier;

    if (ctrl && shift && key == Qt::Key_C) {
        copy();
        return;
    }
    if (ctrl && shift && key == Qt::Key_V) {
        paste();
        return;
    }
    if (shift && !ctrl && key == Qt::Key_Insert) {
        paste();
        return;
    }
    if (shift && !ctrl && (key == Qt::Key_PageUp || key == Qt::Key_PageDown)) {
        const int step = std::max(1, m_rows - 1);
        verticalScrollBar()->setValue(verticalScrollBar()->value() + (key == Qt::Key_PageUp ? -step : step));
        return;
    }
    if (ctrl && (key == Qt::Key_Tab || key == Qt::Key_Backtab)) {
        event->ignore();
        return;
    }
    if (key == Qt::Key_Shift || key == Qt::Key_Control || key == Qt::Key_Alt || key == Qt::Key_Meta ||
        key == Qt::Key_AltGr || key == Qt::Key_CapsLock || key == Qt::Key_NumLock) {
        return;
    }

    VTermModifier mod = modifiersOf(modifiers);
    const VTermKey special = vtermKey(key);
    if (special != VTERM_KEY_NONE) {
        // Enter, Backspace and Escape with Shift or Ctrl would become CSI u sequences that
        // shells do not know; they send what they send alone.
        if (special == VTERM_KEY_ENTER || special == VTERM_KEY_BACKSPACE || special == VTERM_KEY_ESCAPE)
            mod = VTermModifier(mod & VTERM_MOD_ALT);
        if (key == Qt::Key_Backtab)
            mod = VTermModifier(mod | VTERM_MOD_SHIFT);
        vterm_keyboard_key(m_vt, special, mod);
    } else if (ctrl && key >= Qt::Key_A && key <= Qt::Key_Z && legacyControlByte(key) < 0) {
        vterm_keyboard_unichar(m_vt, uint32_t('a' + (key - Qt::Key_A)), VTermModifier(mod & ~VTERM_MOD_SHIFT));
    } else if (ctrl && legacyControlByte(key) >= 0) {
        if (alt)
            m_pendingOutput += '\x1b';
        m_pendingOutput += char(legacyControlByte(key));
    } else if (!event->text().isEmpty()) {
        sendText(event->text(), alt ? VTERM_MOD_ALT : VTERM_MOD_NONE);
    } else {
        event->ignore();
        return;
    }
    scrollToBottom();
    flushOutput();
}

void TerminalWidget::sendText(const QString& text, int modifiers)
{
    for (const char32_t ch : text.toUcs4())
        vterm_keyboard_unichar(m_vt, ch, VTermModifier(modifiers));
}

void TerminalWidget::inputMethodEvent(QInputMethodEvent* event)
{
    if (!m_ended && !event->commitString().isEmpty()) {
        sendText(event->commitString(), VTERM_MOD_NONE);
        scrollToBottom();
        flushOutput();
    }
    event->accept();
}

QVariant TerminalWidget::inputMethodQuery(Qt::InputMethodQuery query) const
{
    if (query == Qt::ImCursorRectangle)
        return cellRect(m_cursor.y(), m_cursor.x());
    if (query == Qt::ImFont)
        return m_fonts[0];
    return QAbstractScrollArea::inputMethodQuery(query);
}

void TerminalWidget::mousePressEvent(QMouseEvent* event)
{
    const QPoint pos = event->position().toPoint();
    if (m_mouseMode != VTERM_PROP_MOUSE_NONE && !(event->modifiers() & Qt::ShiftModifier) && !m_ended &&
        m_scrollOffset == 0) {
        const int button = event->button() == Qt::LeftButton    ? 1
                           : event->button() == Qt::MiddleButton ? 2
                           : event->button() == Qt::RightButton  ? 3
                                                                 : 0;
        if (button) {
            const VTermModifier mod = modifiersOf(event->modifiers());
            vterm_mouse_move(m_vt, std::clamp(pos.y() / m_cellHeight, 0, m_rows - 1),
                             std::clamp(pos.x() / m_cellWidth, 0, m_columns - 1), mod);
            vterm_mouse_button(m_vt, button, true, mod);
            flushOutput();
        }
        return;
    }
    if (event->button() == Qt::MiddleButton) {
        const QString text = QGuiApplication::clipboard()->text(QClipboard::Selection);
        if (!text.isEmpty() && !m_ended) {
            sendText(text, VTERM_MOD_NONE);
            flushOutput();
        }
        return;
    }
    if (event->button() != Qt::LeftButton)
        return;
    if (m_sinceDoubleClick.isValid() && m_sinceDoubleClick.elapsed() < QApplication::doubleClickInterval() &&
        (pos - m_doubleClickPos).manhattanLength() < QApplication::startDragDistance()) {
        m_sinceDoubleClick.invalidate();
        selectLineAt(pos);
        publishSelection();
        return;
    }
    m_selectionAnchor = textPosAt(pos, true);
    m_selectionEnd = *m_selectionAnchor;
    m_selecting = true;
    viewport()->update();
}

void TerminalWidget::mouseMoveEvent(QMouseEvent* event)
{
    const QPoint pos = event->position().toPoint();
    if (m_mouseMode >= VTERM_PROP_MOUSE_DRAG && !m_selecting && !m_ended && m_scrollOffset == 0) {
        vterm_mouse_move(m_vt, std::clamp(pos.y() / m_cellHeight, 0, m_rows - 1),
                         std::clamp(pos.x() / m_cellWidth, 0, m_columns - 1), modifiersOf(event->modifiers()));
        flushOutput();
        return;
    }
    if (!m_selecting)
        return;
    // Dragging past the top or bottom edge scrolls through the history.
    if (pos.y() < 0)
        verticalScrollBar()->setValue(verticalScrollBar()->value() - 1);
    else if (pos.y() >= viewport()->height())
        verticalScrollBar()->setValue(verticalScrollBar()->value() + 1);
    m_selectionEnd = textPosAt(pos, true);
    viewport()->update();
}

void TerminalWidget::mouseReleaseEvent(QMouseEvent* event)
{
    if (m_mouseMode != VTERM_PROP_MOUSE_NONE && !m_selecting && !m_ended && m_scrollOffset == 0) {
        const int button = event->button() == Qt::LeftButton    ? 1
                           : event->button() == Qt::MiddleButton ? 2
                           : event->button() == Qt::RightButton  ? 3
                                                                 : 0;
        if (button) {
            vterm_mouse_button(m_vt, button, false, modifiersOf(event->modifiers()));
            flushOutput();
        }
        return;
    }
    if (event->button() != Qt::LeftButton || !m_selecting)
        return;
    m_selecting = false;
    if (m_selectionAnchor && *m_selectionAnchor == m_selectionEnd)
        m_selectionAnchor.reset();
    publishSelection();
    viewport()->update();
}

void TerminalWidget::mouseDoubleClickEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || (m_mouseMode != VTERM_PROP_MOUSE_NONE && !m_ended &&
                                              !(event->modifiers() & Qt::ShiftModifier))) {
        mousePressEvent(event);
        return;
    }
    m_selecting = false;
    m_sinceDoubleClick.start();
    m_doubleClickPos = event->position().toPoint();
    selectWordAt(m_doubleClickPos);
    publishSelection();
}

void TerminalWidget::wheelEvent(QWheelEvent* event)
{
    const int notches = event->angleDelta().y() / 120;
    if (notches == 0) {
        event->accept();
        return;
    }
    if (!m_ended && m_mouseMode != VTERM_PROP_MOUSE_NONE && m_scrollOffset == 0) {
        const QPoint pos = event->position().toPoint();
        const VTermModifier mod = modifiersOf(event->modifiers());
        vterm_mouse_move(m_vt, std::clamp(pos.y() / m_cellHeight, 0, m_rows - 1),
                         std::clamp(pos.x() / m_cellWidth, 0, m_columns - 1), mod);
        for (int i = 0; i < std::abs(notches); ++i)
            vterm_mouse_button(m_vt, notches > 0 ? 4 : 5, true, mod);
        flushOutput();
    } else if (!m_ended && m_altScreen) {
        // Full-screen programs have no scrollback here; the wheel moves them as arrows would.
        for (int i = 0; i < 3 * std::abs(notches); ++i)
            vterm_keyboard_key(m_vt, notches > 0 ? VTERM_KEY_UP : VTERM_KEY_DOWN, VTERM_MOD_NONE);
        flushOutput();
    } else {
        verticalScrollBar()->setValue(verticalScrollBar()->value() -
                                      notches * QApplication::wheelScrollLines());
    }
    event->accept();
}

void TerminalWidget::focusInEvent(QFocusEvent* event)
{
    QAbstractScrollArea::focusInEvent(event);
    vterm_state_focus_in(vterm_obtain_state(m_vt));
    flushOutput();
    markDirty(m_cursor.y(), m_cursor.y() + 1);
}

void TerminalWidget::focusOutEvent(QFocusEvent* event)
{
    QAbstractScrollArea::focusOutEvent(event);
    vterm_state_focus_out(vterm_obtain_state(m_vt));
    flushOutput();
    markDirty(m_cursor.y(), m_cursor.y() + 1);
}

} // namespace berth::app
