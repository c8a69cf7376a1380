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

    // Under TCG the tooltip says what that means and why in plain words; QEMU's assertion is
    // only a shortened detail at the end.
    void emulationIsExplainedInPlainWords()
    {
        StatusPanel panel;
        berth::vm::AgentStatus status;
        status.state = berth::vm::EngineState::Running;
        status.accelerator = "tcg";
        status.acceleratorReason =
            "KVM failed on this host before (QEMU stopped under KVM: qemu-system-x86_64: "
            "../accel/kvm/kvm-all.c:1756: kvm_irqchip_commit_routes: Assertion `ret == 0' failed.); fell "
            "back "
            "to TCG (emulation, slower)" +
            std::string(400, '.');
        panel.setStatus(status, true, false);
        auto* accelerator = panel.findChild<QLabel*>("statusAccelerator");
        QVERIFY(accelerator);
        const auto tip = accelerator->toolTip();
        const auto paragraphs = tip.split("\n\n");
        QVERIFY2(paragraphs.size() == 3, qPrintable(tip));
        QVERIFY2(paragraphs[0].contains("software emulator") && paragraphs[0].contains("slower"),
                 qPrintable(tip));
        QVERIFY2(paragraphs[1].contains("nested virtualization") && !paragraphs[1].contains("Assertion"),
                 qPrintable(tip));
        QVERIFY2(paragraphs[2].startsWith("Details: KVM failed") && paragraphs[2].size() <= 260,
                 qPrintable(tip));

        status.acceleratorReason = "Could not access KVM kernel module: Permission denied";
        panel.setStatus(status, true, false);
        QVERIFY2(accelerator->toolTip().contains("kvm group"), qPrintable(accelerator->toolTip()));
    }
};

QTEST_MAIN(TestStatusPanel)
#include "tst_statuspanel.moc"
