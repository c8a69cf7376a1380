// The status strip as the agent's recovery reports reach it: dockerd restarting shows in the
// state text (not "running"), and what a start set right shows with the warnings.
#include "StatusPanel.h"

#include <QLabel>
#include <QTest>

using berth::app::StatusPanel;

class TestStatusPanel final : public QObject
{
    Q_OBJECT

private slots:
    void engineRestartingIsNotRunning()
    {
        StatusPanel panel;
        berth::vm::AgentStatus status;
        status.state = berth::vm::EngineState::Running;
        panel.setStatus(status, true, false);
        QCOMPARE(panel.stateText(), QString("Engine running"));
        status.engineRestarting = true;
        panel.setStatus(status, true, false);
        QVERIFY2(panel.stateText().contains("restarting"), qPrintable(panel.stateText()));
        QCOMPARE(berth::app::stateName(status), QString("running")); // the tray's icon stays
    }

    void noticesShowWithTheWarnings()
    {
        StatusPanel panel;
        berth::vm::AgentStatus status;
        status.state = berth::vm::EngineState::Running;
        status.warnings = {"Port 8080 is in use."};
        status.notices = {"The data disk is full (3 MiB free of 8000 MiB)."};
        panel.setStatus(status, true, false);
        auto* warnings = panel.findChild<QLabel*>("statusWarnings");
        QVERIFY(warnings);
        QCOMPARE(warnings->text(), QString("⚠ 2 warnings"));
        QVERIFY(warnings->toolTip().contains("The data disk is full"));
        QVERIFY(warnings->toolTip().contains("Port 8080"));
    }
};

QTEST_MAIN(TestStatusPanel)
#include "tst_statuspanel.moc"
