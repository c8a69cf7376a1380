#pragma once

#include "berth/vm/AgentStatus.h"

#include <QStackedWidget>

class QLabel;
class QPushButton;

namespace berth::app {

// Wraps a view: shows it while the engine answers, and otherwise a page that says what the
// engine is doing (stopped, starting and its phase, failed and why) with a Start button,
// instead of an empty table.
class EngineGate final : public QStackedWidget
{
    Q_OBJECT

public:
    EngineGate(QWidget* content, QWidget* parent = nullptr);

    // `reachable`: the engine answers on its socket.
    void setEngineState(const vm::AgentStatus& status, bool reachable, bool busy);
    bool showingContent() const;

signals:
    void startRequested();

private:
    QWidget* m_content;
    QWidget* m_placeholder;
    QLabel* m_title;
    QLabel* m_detail;
    QPushButton* m_start;
};

} // namespace berth::app
