#include "EngineGate.h"

#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace berth::app {

EngineGate::EngineGate(QWidget* content, QWidget* parent) : QStackedWidget(parent), m_content(content)
{
    m_placeholder = new QWidget(this);
    auto* layout = new QVBoxLayout(m_placeholder);
    layout->addStretch(2);
    m_title = new QLabel(m_placeholder);
    m_title->setObjectName("gateTitle");
    m_title->setAlignment(Qt::AlignCenter);
    auto font = m_title->font();
    font.setPointSizeF(font.pointSizeF() * 1.4);
    font.setBold(true);
    m_title->setFont(font);
    m_detail = new QLabel(m_placeholder);
    m_detail->setObjectName("gateDetail");
    m_detail->setAlignment(Qt::AlignCenter);
    m_detail->setWordWrap(true);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_start = new QPushButton(tr("Start the engine"), m_placeholder);
    m_start->setObjectName("gateStart");
    layout->addWidget(m_title);
    layout->addWidget(m_detail);
    layout->addSpacing(12);
    layout->addWidget(m_start, 0, Qt::AlignHCenter);
    layout->addStretch(3);
    addWidget(m_placeholder);
    addWidget(m_content);
    connect(m_start, &QPushButton::clicked, this, &EngineGate::startRequested);
    setEngineState({}, false, false);
}

bool EngineGate::showingContent() const
{
    return currentWidget() == m_content;
}

void EngineGate::setEngineState(const vm::AgentStatus& status, bool reachable, bool busy)
{
    using vm::EngineState;
    // The engine answering is what counts: the agent may still say "starting" for a moment
    // after the socket works, or "stopping" before it goes.
    if (reachable) {
        setCurrentWidget(m_content);
        return;
    }
    setCurrentWidget(m_placeholder);
    bool canStart = !busy;
    switch (status.state) {
    case EngineState::Stopped:
        m_title->setText(tr("The engine is stopped"));
        m_detail->setText(status.lastError.empty()
                              ? tr("Start it to see containers, images, volumes and networks.")
                              : QString::fromStdString(status.lastError));
        break;
    case EngineState::Starting:
        m_title->setText(tr("The engine is starting"));
        m_detail->setText(status.phase.empty() ? QString()
                                               : tr("Now: %1").arg(QString::fromStdString(status.phase)));
        canStart = false;
        break;
    case EngineState::Running:
        m_title->setText(tr("Connecting to the engine"));
        m_detail->setText(tr("The VM is running; waiting for the engine to answer."));
        canStart = false;
        break;
    case EngineState::Stopping:
        m_title->setText(tr("The engine is stopping"));
        m_detail->clear();
        canStart = false;
        break;
    case EngineState::Error:
        m_title->setText(tr("The engine stopped with an error"));
        m_detail->setText(QString::fromStdString(status.lastError));
        break;
    }
    m_start->setVisible(canStart || status.state == EngineState::Stopped ||
                        status.state == EngineState::Error);
    m_start->setEnabled(canStart);
}

} // namespace berth::app
