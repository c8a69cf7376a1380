#include "StatusPanel.h"

#include "Format.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace berth::app {

QString emulationExplained(const QString& reason)
{
    auto text = QObject::tr("No hardware acceleration: the VM runs under QEMU's software emulator (TCG), "
                            "which is several times slower. Containers work, but start and build slowly.");
    if (reason.isEmpty())
        return text + "\n\n" + QObject::tr("No hypervisor (KVM, HVF or WHPX) was usable on this computer.");
    QString why;
    if (reason.contains("Permission denied", Qt::CaseInsensitive) || reason.contains("EACCES"))
        why = QObject::tr("Your account may not use /dev/kvm: add it to the kvm group, log in again, and "
                          "restart the engine.");
    else if (reason.contains("No such file", Qt::CaseInsensitive) || reason.contains("not available"))
        why = QObject::tr("KVM is not available: turn on virtualization (VT-x or AMD-V) in the firmware "
                          "settings, or load the kvm module.");
    else
        why = QObject::tr("KVM is present but could not run the VM. This happens inside another VM "
                          "without nested virtualization. Berth remembers it and uses the emulator.");
    // QEMU's own words (often an assertion) as a detail, shortened.
    auto detail = reason.simplified();
    if (detail.size() > 240)
        detail = detail.left(239) + QChar(0x2026);
    return text + "\n\n" + why + "\n\n" + QObject::tr("Details: %1").arg(detail);
}

QString stateName(const vm::AgentStatus& status)
{
    return QString::fromStdString(vm::toString(status.state));
}

QString engineStateText(const vm::AgentStatus& status, bool reachable)
{
    using vm::EngineState;
    switch (status.state) {
    case EngineState::Stopped:
        return status.lastError.empty()
                   ? StatusPanel::tr("Engine stopped")
                   : StatusPanel::tr("Engine stopped — %1").arg(QString::fromStdString(status.lastError));
    case EngineState::Starting:
        return status.phase.empty()
                   ? StatusPanel::tr("Engine starting")
                   : StatusPanel::tr("Engine starting — %1").arg(QString::fromStdString(status.phase));
    case EngineState::Running:
        if (status.engineRestarting)
            return StatusPanel::tr("Engine restarting — dockerd stopped and the VM is restarting it");
        return reachable ? StatusPanel::tr("Engine running") : StatusPanel::tr("Engine running — connecting");
    case EngineState::Stopping:
        return StatusPanel::tr("Engine stopping");
    case EngineState::Error:
        return StatusPanel::tr("Engine error — %1").arg(QString::fromStdString(status.lastError));
    }
    return {};
}

EngineActions engineActions(const vm::AgentStatus& status, bool busy)
{
    using vm::EngineState;
    const bool settled =
        !busy && status.state != EngineState::Starting && status.state != EngineState::Stopping;
    const bool up = status.state == EngineState::Running;
    return {.start = settled && !up,
            .stop = !busy && (up || status.state == EngineState::Starting),
            .restart = settled && up};
}

StatusPanel::StatusPanel(QWidget* parent) : QFrame(parent)
{
    setObjectName("statusPanel");
    setFrameShape(QFrame::StyledPanel);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 6);
    m_dot = new QLabel(this);
    m_dot->setFixedSize(12, 12);
    m_state = new QLabel(this);
    m_state->setObjectName("statusState");
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_accelerator = new QLabel(this);
    m_accelerator->setObjectName("statusAccelerator");
    m_resources = new QLabel(this);
    m_resources->setObjectName("statusResources");
    m_warnings = new QLabel(this);
    m_warnings->setObjectName("statusWarnings");
    m_warnings->setStyleSheet("color: #b26a00;");
    m_start = new QPushButton(tr("Start"), this);
    m_start->setObjectName("statusStart");
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setObjectName("statusStop");
    m_restart = new QPushButton(tr("Restart"), this);
    m_restart->setObjectName("statusRestart");
    layout->addWidget(m_dot);
    layout->addWidget(m_state, 1);
    layout->addWidget(m_accelerator);
    layout->addSpacing(12);
    layout->addWidget(m_resources);
    layout->addSpacing(12);
    layout->addWidget(m_warnings);
    layout->addWidget(m_start);
    layout->addWidget(m_stop);
    layout->addWidget(m_restart);
    connect(m_start, &QPushButton::clicked, this, &StatusPanel::startRequested);
    connect(m_stop, &QPushButton::clicked, this, &StatusPanel::stopRequested);
    connect(m_restart, &QPushButton::clicked, this, &StatusPanel::restartRequested);
    setStatus({}, false, false);
}

QString StatusPanel::stateText() const
{
    return m_state->text();
}

void StatusPanel::setStatus(const vm::AgentStatus& status, bool reachable, bool busy)
{
    using vm::EngineState;
    const auto text = engineStateText(status, reachable);
    QString colour = "#8a8f98";
    if (status.state == EngineState::Starting || status.state == EngineState::Stopping ||
        (status.state == EngineState::Running && (!reachable || status.engineRestarting)))
        colour = "#d9961a";
    else if (status.state == EngineState::Running)
        colour = "#2ea043";
    else if (status.state == EngineState::Error)
        colour = "#d0463b";
    m_state->setText(text);
    m_state->setToolTip(text);
    m_dot->setStyleSheet(QString("background: %1; border-radius: 6px;").arg(colour));

    const auto accel = QString::fromStdString(status.accelerator);
    if (accel.isEmpty()) {
        m_accelerator->clear();
        m_accelerator->setToolTip({});
    } else if (accel == "tcg") {
        m_accelerator->setText(tr("⚠ TCG (software emulation, slower)"));
        m_accelerator->setToolTip(emulationExplained(QString::fromStdString(status.acceleratorReason)));
    } else {
        m_accelerator->setText(accel.toUpper());
        m_accelerator->setToolTip(tr("Hardware-accelerated VM"));
    }
    m_resources->setToolTip(status.cpus > 0
                                ? tr("Assigned to the VM. Its kernel keeps part of the memory for "
                                     "itself, so containers together can use a little less: Stats "
                                     "shows how much.")
                                : QString());
    m_resources->setText(status.cpus > 0 ? tr("%1 · %2 GiB")
                                               .arg(countText(status.cpus, tr("CPU"), tr("CPUs")),
                                                    QString::number(status.memoryMiB / 1024.0, 'f', 1))
                                         : QString());

    QStringList warnings;
    for (const auto& w : status.warnings)
        warnings << QString::fromStdString(w);
    // What the start found and set right (a repaired disk, a full disk's reserve released) is
    // shown as a warning too: a person should read it.
    for (const auto& n : status.notices)
        warnings << QString::fromStdString(n);
    m_warnings->setVisible(!warnings.isEmpty());
    m_warnings->setText(warnings.isEmpty() ? QString() : "⚠ " + countText(warnings.size(), tr("warning"), tr("warnings")));
    m_warnings->setToolTip(warnings.join("\n\n"));

    const auto actions = engineActions(status, busy);
    m_start->setEnabled(actions.start);
    m_stop->setEnabled(actions.stop);
    m_restart->setEnabled(actions.restart);
}

} // namespace berth::app
