#include "LogsView.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include <QCheckBox>
#include <QClipboard>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QLoggingCategory>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QScrollBar>
#include <QShortcut>
#include <QStandardPaths>
#include <QStringList>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextDocumentFragment>
#include <QTextEdit>
#include <QToolButton>
#include <QVBoxLayout>

namespace berth::app {

namespace {

Q_LOGGING_CATEGORY(lcLogs, "berth.app.logs")

constexpr int kFlushIntervalMs = 30;
// Lines inserted by one flush (about 15 ms on a slow machine). A resume after a long pause can
// hold kMaxLines; inserting them in chunks, with the event loop running between, keeps painting
// and input going meanwhile.
constexpr std::size_t kFlushChunk = 5000;
// Matches listed (and counted) at most; beyond it the label says "5000+".
constexpr qsizetype kMaxMatches = 5000;
// Highlights drawn at most. Only matches on the lines in view are highlighted: every
// ExtraSelection is a cursor the document moves on each insertion, and the view's paint walks
// them all, so highlighting thousands off-screen would make each flush and paint cost more.
constexpr int kMaxHighlights = 2000;

QString& nextSaveFileName()
{
    static QString path;
    return path;
}

// Characters that QTextCursor::insertText turns into a new block, or the layout into a new
// line. One log line must stay one block and one line, so that block numbers count lines.
bool breaksLine(QChar c)
{
    switch (c.unicode()) {
    case u'\n':
    case u'\r':
    case 0x2028: // LINE SEPARATOR
    case 0x2029: // PARAGRAPH SEPARATOR
    case 0xfdd0: // QTextBeginningOfFrame
    case 0xfdd1: // QTextEndOfFrame
        return true;
    default:
        return false;
    }
}

// The text as one line. A trailing CR is what remains of a CRLF ending (containers with a TTY);
// any other break becomes a space. Returns the same shared string when nothing needs changing.
QString oneLine(const QString& text)
{
    auto end = text.size();
    while (end > 0 && text.at(end - 1) == u'\r')
        --end;
    const auto stop = text.cbegin() + end;
    if (std::find_if(text.cbegin(), stop, breaksLine) == stop)
        return end == text.size() ? text : text.left(end);
    auto result = text.left(end);
    for (auto& c : result)
        if (breaksLine(c))
            c = u' ';
    return result;
}

QToolButton* makeButton(const QString& text, const char* objectName, QWidget* parent)
{
    auto* button = new QToolButton(parent);
    button->setText(text);
    button->setObjectName(QString::fromLatin1(objectName));
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    return button;
}

QString numberText(qint64 n)
{
    return QLocale().toString(n);
}

} // namespace

LogsView::LogsView(QWidget* parent) : QWidget(parent)
{
    m_header = new QLabel(this);
    m_header->setObjectName("logsHeader");
    auto headerFont = m_header->font();
    headerFont.setBold(true);
    m_header->setFont(headerFont);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_search = new QLineEdit(this);
    m_search->setObjectName("logsSearch");
    m_search->setPlaceholderText(tr("Search"));
    m_search->setClearButtonEnabled(true);
    m_search->setToolTip(tr("Enter: next match, Shift+Enter: previous, Escape: clear"));
    m_search->installEventFilter(this);
    m_prev = makeButton(tr("Previous"), "logsPrev", this);
    m_prev->setArrowType(Qt::UpArrow);
    m_prev->setToolButtonStyle(Qt::ToolButtonIconOnly);
    m_prev->setAccessibleName(tr("Previous match"));
    m_prev->setToolTip(tr("Previous match (Shift+Enter)"));
    m_next = makeButton(tr("Next"), "logsNext", this);
    m_next->setArrowType(Qt::DownArrow);
    m_next->setToolButtonStyle(Qt::ToolButtonIconOnly);
    m_next->setAccessibleName(tr("Next match"));
    m_next->setToolTip(tr("Next match (Enter)"));
    m_matchLabel = new QLabel(this);
    m_matchLabel->setObjectName("logsMatches");
    m_timestamps = new QCheckBox(tr("Timestamps"), this);
    m_timestamps->setObjectName("logsTimestamps");
    m_pause = makeButton(tr("Pause"), "logsPause", this);
    m_pause->setCheckable(true);
    m_clear = makeButton(tr("Clear"), "logsClear", this);
    m_copy = makeButton(tr("Copy"), "logsCopy", this);
    m_copy->setToolTip(tr("Copy the selection, or all lines when nothing is selected"));
    m_save = makeButton(tr("Save…"), "logsSave", this);

    m_text = new QPlainTextEdit(this);
    m_text->setObjectName("logsText");
    m_text->setReadOnly(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_text->setUndoRedoEnabled(false);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setMaximumBlockCount(kMaxLines);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    m_status = new QLabel(this);
    m_status->setObjectName("logsStatus");
    m_status->setVisible(false);

    auto* toolbar = new QHBoxLayout;
    toolbar->addWidget(m_search, 1);
    toolbar->addWidget(m_prev);
    toolbar->addWidget(m_next);
    toolbar->addWidget(m_matchLabel);
    toolbar->addSpacing(12);
    toolbar->addWidget(m_timestamps);
    toolbar->addWidget(m_pause);
    toolbar->addWidget(m_clear);
    toolbar->addWidget(m_copy);
    toolbar->addWidget(m_save);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_header);
    layout->addLayout(toolbar);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_status);

    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kFlushIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &LogsView::flush);

    connect(m_search, &QLineEdit::textChanged, this, &LogsView::searchChanged);
    connect(m_next, &QToolButton::clicked, this, [this] { step(1); });
    connect(m_prev, &QToolButton::clicked, this, [this] { step(-1); });
    connect(m_timestamps, &QCheckBox::toggled, this, [this](bool shown) {
        m_timestampsShown = shown;
        emit timestampsToggled(shown);
    });
    connect(m_pause, &QToolButton::toggled, this, &LogsView::setPaused);
    connect(m_clear, &QToolButton::clicked, this, &LogsView::clearLines);
    connect(m_copy, &QToolButton::clicked, this, &LogsView::copyText);
    connect(m_save, &QToolButton::clicked, this, &LogsView::save);

    // Highlights cover the lines in view, so they follow scrolling and resizing.
    auto* bar = m_text->verticalScrollBar();
    connect(bar, &QScrollBar::valueChanged, this, &LogsView::updateHighlights);
    connect(bar, &QScrollBar::rangeChanged, this, &LogsView::updateHighlights);

    auto* find = new QShortcut(QKeySequence::Find, this);
    find->setContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QShortcut::activated, this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    auto* findNext = new QShortcut(QKeySequence::FindNext, this);
    findNext->setContext(Qt::WidgetWithChildrenShortcut);
    connect(findNext, &QShortcut::activated, this, [this] { step(1); });
    auto* findPrevious = new QShortcut(QKeySequence::FindPrevious, this);
    findPrevious->setContext(Qt::WidgetWithChildrenShortcut);
    connect(findPrevious, &QShortcut::activated, this, [this] { step(-1); });

    updateFormats();
    updateMatchLabel();
}

void LogsView::setNextSaveFileName(const QString& path)
{
    nextSaveFileName() = path;
}

void LogsView::setContainer(const QString& id, const QString& name)
{
    const bool same = id == m_containerId;
    m_containerId = id;
    m_containerName = name;
    m_header->setText(name.isEmpty() ? id : name);
    m_header->setToolTip(id);
    m_ended = false;
    m_endReason.clear();
    // The same container again (its stream re-opened, with or without timestamps): the search's
    // current match stays the current one once the lines are back.
    const auto current = same ? m_current : -1;
    clearLines();
    m_restoreCurrent = current;
    m_pause->setChecked(false); // resumes through setPaused, if paused
    updateStatus();
}

void LogsView::setSources(const QStringList& sources)
{
    // Readable on light and dark backgrounds alike.
    static const QColor kColours[] = {QColor(0x1f, 0x8f, 0xbf), QColor(0xb8, 0x86, 0x0b),
                                      QColor(0x2e, 0x9e, 0x4a), QColor(0xb0, 0x40, 0x9f),
                                      QColor(0x3a, 0x6f, 0xd8), QColor(0xc0, 0x5a, 0x2b)};
    m_sourceFormats.clear();
    m_sourceWidth = 0;
    for (int i = 0; i < sources.size(); ++i) {
        QTextCharFormat format;
        format.setForeground(kColours[i % std::size(kColours)]);
        m_sourceFormats.insert(sources[i], format);
        m_sourceWidth = std::max(m_sourceWidth, static_cast<int>(sources[i].size()));
    }
}

void LogsView::appendLines(const QVector<LogLine>& lines)
{
    if (lines.isEmpty())
        return;
    // Only the last kMaxLines can ever be shown, and only that many are held.
    const auto skip = std::max<qsizetype>(0, lines.size() - kMaxLines);
    m_queue.insert(m_queue.end(), lines.cbegin() + skip, lines.cend());
    auto dropped = static_cast<qint64>(skip);
    if (m_queue.size() > static_cast<std::size_t>(kMaxLines)) {
        const auto excess = m_queue.size() - kMaxLines;
        m_queue.erase(m_queue.begin(), m_queue.begin() + static_cast<std::ptrdiff_t>(excess));
        dropped += static_cast<qint64>(excess);
    }
    // When not paused, what is dropped here would have scrolled out of the view anyway.
    if (m_paused)
        m_droppedWhilePaused += dropped;
    // A throttle, not a debounce: a steady stream still flushes every interval.
    if (!m_flushTimer.isActive())
        m_flushTimer.start(kFlushIntervalMs);
}

void LogsView::streamEnded(const QString& reason)
{
    m_ended = true;
    m_endReason = reason;
    updateStatus();
}

void LogsView::flush()
{
    if (m_paused || m_queue.empty()) {
        updateStatus();
        return;
    }

    auto* doc = m_text->document();
    auto* bar = m_text->verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum();
    const int topBefore = bar->value();
    const int linesBefore = lineCount();
    const auto count = std::min(m_queue.size(), kFlushChunk);
    const auto last = m_queue.begin() + static_cast<std::ptrdiff_t>(count);

    // Make room first, so that the document never goes over its maximum block count: its own
    // trimming selects the lines to drop with QTextCursor::movePosition(NextBlock, n), which
    // lays out and shapes every one of them, and costs twice what inserting them does.
    m_inFlush = true; // highlights wait for the matches to catch up
    const int excess = linesBefore + static_cast<int>(count) - kMaxLines;
    if (excess > 0) {
        QTextCursor trim(doc);
        trim.beginEditBlock(); // no layout while selecting, within an edit block
        if (excess < linesBefore)
            trim.setPosition(doc->findBlockByNumber(excess).position(), QTextCursor::KeepAnchor);
        else
            trim.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
        trim.removeSelectedText();
        trim.endEditBlock();
        m_hasLines = excess < linesBefore;
    }

    // One edit block: the layout hears of the change once, whatever the batch size.
    QTextCursor cursor(doc);
    cursor.movePosition(QTextCursor::End);
    cursor.beginEditBlock();
    for (auto line = m_queue.begin(); line != last; ++line) {
        if (m_hasLines)
            cursor.insertBlock();
        m_hasLines = true;
        if (!line->source.isEmpty())
            cursor.insertText(line->source.leftJustified(m_sourceWidth) + QStringLiteral(" | "),
                              m_sourceFormats.value(line->source, m_timestampFormat));
        if (m_timestampsShown && !line->timestamp.isEmpty())
            cursor.insertText(oneLine(line->timestamp) + u' ', m_timestampFormat);
        cursor.insertText(oneLine(line->text), line->isStderr ? m_stderrFormat : m_stdoutFormat);
    }
    cursor.endEditBlock();
    m_queue.erase(m_queue.begin(), last);

    const int dropped = linesBefore + static_cast<int>(count) - lineCount();
    m_firstLine += dropped;
    if (!m_needle.isEmpty()) {
        dropMatchesAbove();
        scanForMatches();
        if (m_restoreCurrent >= 0 && m_restoreCurrent < m_matches.size()) {
            m_current = m_restoreCurrent;
            m_restoreCurrent = -1;
        }
    }
    m_inFlush = false;

    // Follow the stream only when the person was following it; otherwise keep the lines they
    // were reading in place, although the ones above them were dropped.
    if (atBottom)
        bar->setValue(bar->maximum());
    else if (dropped > 0)
        bar->setValue(std::max(0, topBefore - dropped));
    updateHighlights();
    updateMatchLabel();

    if (!m_queue.empty())
        m_flushTimer.start(0);
}

void LogsView::setPaused(bool paused)
{
    if (m_pause->isChecked() != paused)
        m_pause->setChecked(paused); // comes back here through toggled
    if (m_paused == paused)
        return;
    m_paused = paused;
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    if (paused)
        m_droppedWhilePaused = 0;
    else if (!m_queue.empty())
        m_flushTimer.start(0);
    updateStatus();
}

void LogsView::clearLines()
{
    m_flushTimer.stop();
    m_queue.clear();
    m_droppedWhilePaused = 0;
    // The matches go before the text: clearing the text moves the scroll bar, whose signals
    // redraw the highlights, which must not point into lines that are gone.
    m_matches.clear();
    m_current = -1;
    m_restoreCurrent = -1;
    m_scanLine = 0;
    m_scanColumn = 0;
    m_text->setExtraSelections({});
    m_text->clear();
    m_hasLines = false;
    m_firstLine = 0;
    updateMatchLabel();
    updateStatus();
}

void LogsView::copyText()
{
    const auto cursor = m_text->textCursor();
    const auto text =
        cursor.hasSelection() ? cursor.selection().toPlainText() : m_text->document()->toPlainText();
    QGuiApplication::clipboard()->setText(text);
}

void LogsView::save()
{
    const auto path = std::exchange(nextSaveFileName(), QString());
    if (!path.isEmpty()) {
        writeTo(path);
        return;
    }
    if (m_saveDialog) {
        m_saveDialog->raise();
        m_saveDialog->activateWindow();
        return;
    }
    auto name = m_containerName.isEmpty() ? m_containerId : m_containerName;
    if (name.isEmpty())
        name = QStringLiteral("container");
    for (auto& c : name)
        if (c == u'/' || c == u'\\' || c == u':')
            c = u'_';
    const auto folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);

    // open(), not exec() or getSaveFileName(): no nested event loop while lines keep arriving.
    auto* dialog =
        new QFileDialog(this, tr("Save Logs"), QDir(folder).filePath(name + QStringLiteral(".log")));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilters({tr("Log files (*.log *.txt)"), tr("All files (*)")});
    dialog->setDefaultSuffix(QStringLiteral("log"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, &LogsView::writeTo);
    m_saveDialog = dialog;
    dialog->open();
}

void LogsView::writeTo(const QString& path)
{
    QSaveFile file(path);
    QString error;
    if (!file.open(QIODevice::WriteOnly)) {
        error = file.errorString();
    } else {
        auto text = m_text->document()->toPlainText();
        if (m_hasLines)
            text += u'\n';
        if (file.write(text.toUtf8()) < 0 || !file.commit())
            error = file.errorString();
    }
    if (error.isEmpty()) {
        qCDebug(lcLogs) << "saved the logs of" << m_containerId << "to" << path;
        return;
    }
    qCWarning(lcLogs) << "could not save the logs of" << m_containerId << "to" << path << ":" << error;
    auto* box =
        new QMessageBox(QMessageBox::Warning, tr("Could Not Save Logs"),
                        tr("Could not save the logs to %1: %2").arg(QDir::toNativeSeparators(path), error),
                        QMessageBox::Ok, this);
    box->setObjectName("logsSaveError");
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::NonModal);
    box->show();
}

void LogsView::searchChanged(const QString& text)
{
    m_needle = text;
    m_matches.clear();
    m_current = -1;
    m_restoreCurrent = -1;
    m_scanLine = m_firstLine;
    m_scanColumn = 0;
    scanForMatches();
    // Typing does not move the view, so following a stream while searching goes on; a match
    // already in view becomes the current one.
    const auto top = m_firstLine + topLine();
    const auto first = std::lower_bound(m_matches.cbegin(), m_matches.cend(), top,
                                        [](const Match& m, qint64 line) { return m.line < line; });
    if (first != m_matches.cend() && first->line < top + visibleLineCount())
        m_current = first - m_matches.cbegin();
    updateHighlights();
    updateMatchLabel();
}

void LogsView::step(int direction)
{
    if (m_matches.isEmpty())
        return;
    const auto n = m_matches.size();
    if (m_current >= 0) {
        m_current = (m_current + direction + n) % n;
    } else {
        // From the view: the first match from its top down, or the last from its bottom up.
        const auto top = m_firstLine + topLine();
        const auto byLine = [](const Match& m, qint64 line) {
            return m.line < line;
        };
        if (direction > 0) {
            const auto it = std::lower_bound(m_matches.cbegin(), m_matches.cend(), top, byLine);
            m_current = it == m_matches.cend() ? 0 : it - m_matches.cbegin();
        } else {
            const auto it =
                std::lower_bound(m_matches.cbegin(), m_matches.cend(), top + visibleLineCount(), byLine);
            m_current = it == m_matches.cbegin() ? n - 1 : (it - m_matches.cbegin()) - 1;
        }
    }
    revealCurrentMatch();
    updateHighlights();
    updateMatchLabel();
}

void LogsView::dropMatchesAbove()
{
    const auto kept = std::lower_bound(m_matches.begin(), m_matches.end(), m_firstLine,
                                       [](const Match& m, qint64 line) { return m.line < line; });
    const auto removed = kept - m_matches.begin();
    if (removed > 0) {
        m_matches.erase(m_matches.begin(), kept); // cheap: QList drops from the front in place
        m_current = m_current >= removed ? m_current - removed : -1;
    }
    if (m_scanLine < m_firstLine) {
        m_scanLine = m_firstLine;
        m_scanColumn = 0;
    }
}

void LogsView::scanForMatches()
{
    if (m_needle.isEmpty())
        return;
    const auto end = m_firstLine + lineCount();
    QTextBlock block;
    while (m_scanLine < end && m_matches.size() < kMaxMatches) {
        block = block.isValid()
                    ? block.next()
                    : m_text->document()->findBlockByNumber(static_cast<int>(m_scanLine - m_firstLine));
        const auto text = block.text();
        auto at = text.indexOf(m_needle, m_scanColumn, Qt::CaseInsensitive);
        while (at >= 0 && m_matches.size() < kMaxMatches) {
            m_matches.push_back({m_scanLine, static_cast<int>(at)});
            at = text.indexOf(m_needle, at + m_needle.size(), Qt::CaseInsensitive);
        }
        if (at >= 0) { // full in the middle of this line: carry on from here when room is made
            m_scanColumn = at;
            return;
        }
        ++m_scanLine;
        m_scanColumn = 0;
    }
}

void LogsView::revealCurrentMatch()
{
    const auto& match = m_matches.at(m_current);
    const auto blockNumber = static_cast<int>(match.line - m_firstLine);
    auto* bar = m_text->verticalScrollBar();
    const auto visible = visibleLineCount();
    if (blockNumber < bar->value() || blockNumber >= bar->value() + visible)
        bar->setValue(blockNumber - visible / 2);

    // Sideways too, without moving the person's cursor or selection: lines do not wrap.
    const auto block = m_text->document()->findBlockByNumber(blockNumber);
    QTextCursor cursor(block);
    cursor.setPosition(block.position() + match.column);
    const auto start = m_text->cursorRect(cursor);
    cursor.setPosition(block.position() + match.column + static_cast<int>(m_needle.size()));
    const auto end = m_text->cursorRect(cursor);
    auto* hbar = m_text->horizontalScrollBar();
    const auto width = m_text->viewport()->width();
    if (end.right() > width)
        hbar->setValue(hbar->value() + end.right() - width + width / 4);
    if (start.left() < 0)
        hbar->setValue(hbar->value() + start.left() - width / 4);
}

void LogsView::updateHighlights()
{
    if (m_inFlush)
        return;
    QList<QTextEdit::ExtraSelection> selections;
    if (!m_matches.isEmpty()) {
        auto* doc = m_text->document();
        const auto top = m_firstLine + topLine();
        const auto bottom = top + visibleLineCount();
        auto it = std::lower_bound(m_matches.cbegin(), m_matches.cend(), top - 1,
                                   [](const Match& m, qint64 line) { return m.line < line; });
        QTextBlock block;
        for (; it != m_matches.cend() && it->line <= bottom && selections.size() < kMaxHighlights; ++it) {
            const auto blockNumber = static_cast<int>(it->line - m_firstLine);
            if (!block.isValid() || block.blockNumber() != blockNumber)
                block = doc->findBlockByNumber(blockNumber);
            QTextEdit::ExtraSelection selection;
            selection.cursor = QTextCursor(block);
            selection.cursor.setPosition(block.position() + it->column);
            selection.cursor.setPosition(block.position() + it->column + static_cast<int>(m_needle.size()),
                                         QTextCursor::KeepAnchor);
            selection.format = it - m_matches.cbegin() == m_current ? m_currentMatchFormat : m_matchFormat;
            selections.push_back(selection);
        }
    }
    if (!selections.isEmpty() || !m_text->extraSelections().isEmpty())
        m_text->setExtraSelections(selections);
}

void LogsView::updateMatchLabel()
{
    const bool any = !m_matches.isEmpty();
    m_prev->setEnabled(any);
    m_next->setEnabled(any);
    if (m_needle.isEmpty()) {
        m_matchLabel->clear();
        return;
    }
    if (!any) {
        m_matchLabel->setText(tr("No matches"));
        return;
    }
    // A scan point short of the end means the list is full and more may follow.
    const bool more = m_scanLine < m_firstLine + lineCount();
    const auto total = numberText(m_matches.size()) + (more ? QStringLiteral("+") : QString());
    if (m_current >= 0)
        m_matchLabel->setText(tr("%1 of %2").arg(numberText(m_current + 1), total));
    else if (m_matches.size() == 1 && !more)
        m_matchLabel->setText(tr("1 match"));
    else
        m_matchLabel->setText(tr("%1 matches").arg(total));
}

void LogsView::updateStatus()
{
    QStringList parts;
    if (m_paused) {
        const auto waiting = static_cast<qint64>(m_queue.size());
        auto text = waiting == 1 ? tr("Paused: 1 line waiting")
                                 : tr("Paused: %1 lines waiting").arg(numberText(waiting));
        if (m_droppedWhilePaused > 0)
            text += tr(", %1 older dropped (at most %2 are held)")
                        .arg(numberText(m_droppedWhilePaused), numberText(kMaxLines));
        parts << text;
    } else if (m_droppedWhilePaused > 0) {
        parts << tr("%1 lines were dropped while paused").arg(numberText(m_droppedWhilePaused));
    }
    if (m_ended)
        parts << (m_endReason.isEmpty() ? tr("Log stream ended")
                                        : tr("Log stream ended: %1").arg(m_endReason));
    const auto text = parts.join(QStringLiteral(" · "));
    m_status->setText(text);
    m_status->setVisible(!text.isEmpty());
}

void LogsView::updateFormats()
{
    // Explicit colours are kept for what is already shown; a palette change colours new lines.
    const auto palette = m_text->palette();
    const bool dark = palette.color(QPalette::Base).lightness() < 128;
    m_stdoutFormat = QTextCharFormat(); // the palette's text colour, whatever the theme
    m_stderrFormat = QTextCharFormat();
    m_stderrFormat.setForeground(dark ? QColor(0xff, 0x6e, 0x64) : QColor(0xc4, 0x30, 0x2b));
    m_timestampFormat = QTextCharFormat();
    m_timestampFormat.setForeground(palette.color(QPalette::PlaceholderText));
    // Black on yellow and orange reads on light and dark backgrounds alike.
    m_matchFormat = QTextCharFormat();
    m_matchFormat.setBackground(QColor(0xff, 0xe0, 0x66));
    m_matchFormat.setForeground(Qt::black);
    m_currentMatchFormat = m_matchFormat;
    m_currentMatchFormat.setBackground(QColor(0xff, 0x96, 0x32));
}

int LogsView::lineCount() const
{
    return m_hasLines ? m_text->document()->blockCount() : 0;
}

int LogsView::visibleLineCount() const
{
    const auto spacing = std::max(1, m_text->fontMetrics().lineSpacing());
    return std::max(1, m_text->viewport()->height() / spacing);
}

int LogsView::topLine() const
{
    // Without wrapping, one block is one line and the scroll bar counts lines.
    return m_text->verticalScrollBar()->value();
}

bool LogsView::eventFilter(QObject* watched, QEvent* event)
{
    // Escape with a search typed clears it, before any window shortcut sees the key.
    if (watched == m_search && event->type() == QEvent::ShortcutOverride &&
        static_cast<QKeyEvent*>(event)->key() == Qt::Key_Escape && !m_search->text().isEmpty()) {
        event->accept();
        return true;
    }
    if (watched == m_search && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            step(key->modifiers().testFlag(Qt::ShiftModifier) ? -1 : 1);
            return true;
        }
        // An empty field lets Escape through, to close whatever holds the view.
        if (key->key() == Qt::Key_Escape && !m_search->text().isEmpty()) {
            m_search->clear();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void LogsView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        updateFormats();
    QWidget::changeEvent(event);
}

} // namespace berth::app
