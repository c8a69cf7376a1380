#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace berth::app {

class EngineService;
class TerminalWidget;

// A shell in a running container (bash when the image has it, else /bin/sh) with a TTY, in a
// TerminalWidget. Keystrokes go to the exec, its output comes back through the engine thread,
// and the widget's size follows the window (the exec's TTY is resized to match). The session
// opens when the view is first shown and ends when the view closes; when the shell exits, the
// widget says so and "New shell" opens another.
class TerminalView final : public QWidget
{
    Q_OBJECT

public:
    TerminalView(EngineService* engine, const QString& id, const QString& name, QWidget* parent = nullptr);
    ~TerminalView() override;

    TerminalWidget* terminal() const { return m_terminal; }
    const QString& containerId() const { return m_id; }
    // A session is open (from the request until the shell ends).
    bool running() const { return m_token != 0; }
    // Why the last session ended; empty while one runs.
    const QString& endMessage() const { return m_endMessage; }

public slots:
    void openSession();

signals:
    void sessionEnded(int exitCode, const QString& message);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void closeSession();

    EngineService* m_engine;
    QString m_id;
    TerminalWidget* m_terminal;
    QLabel* m_state;
    QPushButton* m_newShell;
    int m_token = 0;
    bool m_opened = false;
    QString m_endMessage;
};

} // namespace berth::app
