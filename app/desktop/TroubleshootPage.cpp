#include "TroubleshootPage.h"

#include "AgentService.h"
#include "Dialogs.h"
#include "EngineService.h"
#include "Format.h"
#include "Workflows.h"

#include <memory>

#include <QDesktopServices>
#include <QFile>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

namespace berth::app {

FileFollower::FileFollower(QStringList files, qint64 initialBytes, QObject* parent)
    : QObject(parent), m_initialBytes(initialBytes)
{
    for (auto& path : files)
        m_files.append({std::move(path)});
}

void FileFollower::begin()
{
    auto* timer = new QTimer(this);
    timer->setInterval(250);
    connect(timer, &QTimer::timeout, this, &FileFollower::poll);
    timer->start();
    poll();
}

void FileFollower::poll()
{
    for (int i = 0; i < m_files.size(); ++i) {
        auto& f = m_files[i];
        QFile file(f.path);
        if (!file.open(QIODevice::ReadOnly))
            continue; // not there yet
        const qint64 size = file.size();
        if (f.offset < 0)
            f.offset = std::max<qint64>(0, size - m_initialBytes);
        else if (size < f.offset) {
            emit appended(i, tr("\n--- %1 started over ---\n").arg(QFileInfo(f.path).fileName()));
            f.offset = 0;
        }
        if (size == f.offset)
            continue;
        file.seek(f.offset);
        const QByteArray bytes = file.read(std::min<qint64>(size - f.offset, 4 << 20));
        // Whole lines only; the rest comes with the next poll.
        const auto end = bytes.lastIndexOf('\n');
        if (end < 0)
            continue;
        f.offset += end + 1;
        emit appended(i, QString::fromUtf8(bytes.left(end)));
    }
}

TroubleshootPage::TroubleshootPage(AgentService* agent, EngineService* engine, QWidget* parent)
    : QWidget(parent), m_agent(agent), m_engine(engine)
{
    setObjectName("troubleshootPage");

    auto button = [this](const QString& name, const QString& text, const QString& tip) {
        auto* b = new QPushButton(text, this);
        b->setObjectName(name);
        b->setToolTip(tip);
        return b;
    };
    auto* restart = button("troubleRestart", tr("Restart the engine"),
                           tr("Stops the VM cleanly and starts it again; containers, images and volumes are kept."));
    m_diagnostics = button("troubleDiagnostics", tr("Create diagnostics bundle"),
                           tr("A .tar.gz of the logs, settings (secrets removed), versions, status and engine "
                              "information, to attach to a bug report."));
    m_showBundle = button("troubleShowBundle", tr("Show in folder"), {});
    m_showBundle->setEnabled(false);
    m_cleanUp = button("troubleCleanUp", tr("Clean up…"),
                       tr("Deletes stopped containers, dangling images and unused volumes, after showing what "
                          "will go."));
    auto* reset = button("troubleFactoryReset", tr("Reset to factory defaults…"),
                         tr("Deletes every container, image and volume and returns the settings to their "
                            "defaults."));
    m_result = new QLabel(this);
    m_result->setObjectName("troubleResult");
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* actions = new QGroupBox(tr("Troubleshoot"), this);
    auto* row = new QHBoxLayout;
    m_cleanUp->setProperty("destructive", true);
    reset->setProperty("destructive", true);
    // Two rows, what helps and what deletes, so that the page fits a window 900 px wide.
    for (auto* b : {restart, m_diagnostics, m_showBundle})
        row->addWidget(b);
    row->addStretch(1);
    auto* deleting = new QHBoxLayout;
    for (auto* b : {m_cleanUp, reset})
        deleting->addWidget(b);
    deleting->addStretch(1);
    auto* actionsLayout = new QVBoxLayout(actions);
    actionsLayout->addLayout(row);
    actionsLayout->addLayout(deleting);
    actionsLayout->addWidget(m_result);

    auto makeLog = [this](const QString& name) {
        auto* log = new QPlainTextEdit(this);
        log->setObjectName(name);
        log->setReadOnly(true);
        log->setMaximumBlockCount(20000);
        // Wrapped: a long line is read whole without scrolling sideways.
        log->setLineWrapMode(QPlainTextEdit::WidgetWidth);
        log->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        return log;
    };
    m_agentLog = makeLog("troubleAgentLog");
    m_consoleLog = makeLog("troubleConsoleLog");
    auto* logs = new QTabWidget(this);
    logs->setObjectName("troubleLogs");
    logs->addTab(m_agentLog, tr("Agent log"));
    logs->addTab(m_consoleLog, tr("VM console"));

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(actions);
    layout->addWidget(logs, 1);

    connect(restart, &QPushButton::clicked, agent, &AgentService::restartEngine);
    connect(m_diagnostics, &QPushButton::clicked, this, &TroubleshootPage::createDiagnostics);
    connect(m_showBundle, &QPushButton::clicked, this, [this] {
        QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(m_bundle).absolutePath()));
    });
    connect(m_cleanUp, &QPushButton::clicked, this, &TroubleshootPage::cleanUp);
    connect(reset, &QPushButton::clicked, this, &TroubleshootPage::factoryReset);
    connect(agent, &AgentService::commandFinished, this, [this](const QString& verb, bool ok) {
        if (verb == "reset")
            showResult(ok ? tr("Berth was reset to factory defaults: the engine's data disk was deleted and the "
                               "settings are the defaults again. Start the engine to begin afresh.")
                          : tr("The reset did not complete; see the agent log."),
                       !ok);
    });
}

void TroubleshootPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_follower)
        return;
    // The logs are read from the first time the page is shown, not at every start of the app.
    const auto& instance = m_agent->instance();
    m_follower = new FileFollower({QString::fromStdString(instance.agentLog().string()),
                                   QString::fromStdString(instance.consoleLog().string())},
                                  256 * 1024);
    m_follower->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_follower, &QObject::deleteLater);
    connect(m_follower, &FileFollower::appended, this, [this](int file, const QString& text) {
        auto* log = file == 0 ? m_agentLog : m_consoleLog;
        // The guest's console is written for a terminal: its colours are escape sequences.
        log->appendPlainText(plainTerminalText(text));
    });
    m_thread.setObjectName("berth-log-follow");
    m_thread.start();
    QMetaObject::invokeMethod(m_follower, &FileFollower::begin);
}

TroubleshootPage::~TroubleshootPage()
{
    m_thread.quit();
    m_thread.wait();
}

QString TroubleshootPage::resultText() const
{
    return m_result->text();
}

void TroubleshootPage::showResult(const QString& text, bool error)
{
    m_result->setStyleSheet(error ? "color: #b3261e" : QString());
    m_result->setText(text);
}

void TroubleshootPage::createDiagnostics()
{
    m_diagnostics->setEnabled(false);
    showResult(tr("Creating the diagnostics bundle…"), false);
    m_agent->diagnose(this, [this](bool ok, const QString& archiveOrError) {
        m_diagnostics->setEnabled(true);
        if (!ok) {
            showResult(tr("Could not create the diagnostics bundle: %1").arg(archiveOrError), true);
            emit diagnosticsFinished(false, archiveOrError);
            return;
        }
        m_bundle = archiveOrError;
        m_showBundle->setEnabled(true);
        showResult(tr("Diagnostics bundle saved to %1").arg(m_bundle), false);
        emit diagnosticsFinished(true, m_bundle);
    });
}

void TroubleshootPage::cleanUp()
{
    m_cleanUp->setEnabled(false);
    showResult(tr("Looking for what is unused…"), false);
    planCleanUp(*m_engine, this, [this](std::optional<CleanUpPlan> plan, const QString& error) {
        m_cleanUp->setEnabled(true);
        if (!plan) {
            showResult(tr("Cannot clean up: %1").arg(error), true);
            emit cleanUpFinished(false, error);
            return;
        }
        if (plan->empty()) {
            showResult(tr("Nothing to clean up: no stopped containers, dangling images or unused volumes."),
                       false);
            emit cleanUpFinished(true, resultText());
            return;
        }
        auto* box =
            openConfirmation(this, QMessageBox::Warning, "confirmCleanUp", tr("Clean up"),
                             tr("Delete these? This frees about %1.").arg(bytesText(plan->bytes())),
                             tr("Delete"), [this, plan = *plan](QMessageBox*) { deleteListed(plan); });
        box->setInformativeText(plan->summary());
        // A stopped container's data (not in a volume) goes with it.
        box->setDetailedText(tr("Only what is listed is deleted: a container started meanwhile, or an image "
                                "or volume that came into use, is kept. Stopped containers are deleted "
                                "with the files they wrote outside volumes. Images that have a tag, and "
                                "volumes a container uses, are kept."));
    });
}

void TroubleshootPage::deleteListed(const CleanUpPlan& plan)
{
    m_cleanUp->setEnabled(false);
    showResult(tr("Cleaning up…"), false);
    executeCleanUp(*m_engine, this, plan, [this](const CleanUpReport& report) {
        m_cleanUp->setEnabled(true);
        if (!report.errors.isEmpty()) {
            showResult(tr("Clean-up did not finish: %1").arg(report.errors.join("; ")), true);
            emit cleanUpFinished(false, resultText());
            return;
        }
        auto text = tr("Cleaned up: deleted %1; %2 freed.")
                        .arg(countText(report.deleted, tr("object"), tr("objects")), bytesText(report.freed));
        if (!report.kept.isEmpty())
            text +=
                ' ' +
                tr("Kept, because it came into use after the list was made: %1.").arg(report.kept.join("; "));
        showResult(text, false);
        emit cleanUpFinished(true, resultText());
    });
}

void TroubleshootPage::factoryReset()
{
    openConfirmation(this, QMessageBox::Critical, "confirmFactoryReset", tr("Reset to factory defaults"),
                     tr("All containers, images and volumes will be deleted, and Berth's settings (resources, "
                        "shared folders, engine configuration) return to their defaults. This cannot be undone."),
                     tr("Delete everything and reset"), [this](QMessageBox*) {
                         showResult(tr("Resetting: stopping the engine and deleting its data…"), false);
                         m_agent->factoryReset();
                     });
}

} // namespace berth::app
