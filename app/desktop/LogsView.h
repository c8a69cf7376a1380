#pragma once

#include "LogLine.h"

#include <deque>

#include <QHash>
#include <QList>
#include <QPointer>
#include <QString>
#include <QTextCharFormat>
#include <QTimer>
#include <QVector>
#include <QWidget>

class QCheckBox;
class QFileDialog;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QToolButton;

namespace berth::app {

// One container's output as it streams in: batched into a read-only text view, searchable,
// pausable, and bounded to kMaxLines. It only shows lines; its owner runs `docker logs -f`.
class LogsView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogsView)

public:
    // The memory cap: the view keeps at most this many lines (the oldest go first), and holds at
    // most this many more while paused (the oldest waiting ones are dropped, and counted).
    static constexpr int kMaxLines = 100000;

    explicit LogsView(QWidget* parent = nullptr);

    // Starts over for a container (or the same one re-opened): empties the view and the waiting
    // lines, names it in the header and resumes if paused. Keeps the search text and the
    // timestamps choice, so that re-opening the stream after timestampsToggled keeps both.
    void setContainer(const QString& id, const QString& name);
    // For a window of several containers: their names, which prefix their lines ("web-1 | …",
    // padded to the longest, a colour each), as `docker compose logs` prints them.
    void setSources(const QStringList& sources);
    QString containerId() const { return m_containerId; }
    bool timestampsShown() const { return m_timestampsShown; }

    // Test seam: the next Save writes to this path instead of asking for one, then forgets it.
    static void setNextSaveFileName(const QString& path);

public slots:
    // Queues the lines; they are shown together by the next flush, about 30 ms later. O(batch).
    void appendLines(const QVector<berth::app::LogLine>& lines);
    // Says in the status line (not in the text) that the stream stopped, and why.
    void streamEnded(const QString& reason);

signals:
    // The person turned timestamps on or off; the owner re-opens the stream to match.
    void timestampsToggled(bool shown);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    // A search match, by absolute line number (lines dropped from the top keep counting), so
    // that dropping old lines does not move the matches that remain.
    struct Match
    {
        qint64 line = 0;
        int column = 0;
    };

    void flush();
    void setPaused(bool paused);
    void clearLines();
    void copyText();
    void save();
    void writeTo(const QString& path);

    void searchChanged(const QString& text);
    void step(int direction);
    void dropMatchesAbove();
    void scanForMatches();
    void revealCurrentMatch();
    void updateHighlights();
    void updateMatchLabel();
    void updateStatus();
    void updateFormats();

    int lineCount() const;
    int visibleLineCount() const;
    int topLine() const;

    QLabel* m_header = nullptr;
    QLineEdit* m_search = nullptr;
    QToolButton* m_prev = nullptr;
    QToolButton* m_next = nullptr;
    QLabel* m_matchLabel = nullptr;
    QCheckBox* m_timestamps = nullptr;
    QToolButton* m_pause = nullptr;
    QToolButton* m_clear = nullptr;
    QToolButton* m_copy = nullptr;
    QToolButton* m_save = nullptr;
    QPlainTextEdit* m_text = nullptr;
    QLabel* m_status = nullptr;
    QPointer<QFileDialog> m_saveDialog;

    QString m_containerId;
    QString m_containerName;
    bool m_timestampsShown = false;
    int m_sourceWidth = 0;
    QHash<QString, QTextCharFormat> m_sourceFormats;

    // Lines received but not shown yet: the next flush's, or all of them while paused.
    std::deque<LogLine> m_queue;
    QTimer m_flushTimer;
    bool m_paused = false;
    qint64 m_droppedWhilePaused = 0;
    bool m_hasLines = false; // the document's first block holds a line (an empty one counts)
    qint64 m_firstLine = 0;  // absolute number of the document's first block
    bool m_inFlush = false;
    QString m_endReason;
    bool m_ended = false;

    QTextCharFormat m_stdoutFormat;
    QTextCharFormat m_stderrFormat;
    QTextCharFormat m_timestampFormat;
    QTextCharFormat m_matchFormat;
    QTextCharFormat m_currentMatchFormat;

    // Search. Invariant: m_matches holds, in document order, every match in the lines from
    // m_firstLine up to the scan point (m_scanLine, m_scanColumn), and the scan point stops
    // early only when m_matches is full. Each line is thus scanned once per search text.
    QString m_needle;
    QList<Match> m_matches;
    qsizetype m_current = -1; // index in m_matches, or -1 when no match is the current one
    // After the same container's stream is re-opened: the current match to take again once
    // there are that many.
    qsizetype m_restoreCurrent = -1;
    qint64 m_scanLine = 0;
    qsizetype m_scanColumn = 0;
};

} // namespace berth::app
