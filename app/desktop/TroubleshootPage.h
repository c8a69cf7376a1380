#pragma once

#include <QString>
#include <QThread>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace berth::app {

class AgentService;
class EngineService;
struct CleanUpPlan;
class FileFollower;

// Troubleshoot: restart the engine; the agent's log and the VM console, followed live; a
// diagnostics bundle (`berth diagnose`) and where it was saved; clean up (stopped containers,
// dangling images, unused volumes, with what will go and the space it frees asked first); and a
// reset to factory defaults. The logs are read on a thread of their own, from the first time the
// page is shown.
class TroubleshootPage final : public QWidget
{
    Q_OBJECT

public:
    TroubleshootPage(AgentService* agent, EngineService* engine, QWidget* parent = nullptr);
    ~TroubleshootPage() override;

    QPlainTextEdit* agentLog() const { return m_agentLog; }
    QPlainTextEdit* consoleLog() const { return m_consoleLog; }
    // The last bundle's path, once made.
    const QString& lastBundle() const { return m_bundle; }
    QString resultText() const;

public slots:
    void createDiagnostics();
    // Looks at what is unused, then asks (a box named "confirmCleanUp") before deleting exactly
    // what it listed.
    void cleanUp();
    // Asks (a box named "confirmFactoryReset") before resetting.
    void factoryReset();

signals:
    void diagnosticsFinished(bool ok, const QString& pathOrError);
    void cleanUpFinished(bool ok, const QString& message);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void showResult(const QString& text, bool error);
    void deleteListed(const CleanUpPlan& plan);

    AgentService* m_agent;
    EngineService* m_engine;
    QPlainTextEdit* m_agentLog;
    QPlainTextEdit* m_consoleLog;
    QLabel* m_result;
    QPushButton* m_diagnostics;
    QPushButton* m_cleanUp;
    QPushButton* m_showBundle;
    QString m_bundle;
    QThread m_thread;
    FileFollower* m_follower = nullptr; // lives on m_thread
};

// Follows files as they grow (and starts over when one is truncated or replaced), emitting what
// was appended. Lives on a thread of its own; polls each file's size four times a second.
class FileFollower final : public QObject
{
    Q_OBJECT

public:
    // The last `initialBytes` of each file come first.
    FileFollower(QStringList files, qint64 initialBytes, QObject* parent = nullptr);

public slots:
    void begin();

signals:
    void appended(int file, const QString& text);

private:
    void poll();

    struct Followed
    {
        QString path;
        qint64 offset = -1;
        quint64 inode = 0;
    };
    QList<Followed> m_files;
    qint64 m_initialBytes;
};

} // namespace berth::app
