#include "TerminalView.h"

#include "EngineService.h"
#include "TerminalWidget.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace berth::app {

namespace {
int nextToken()
{
    static int token = 0;
    return ++token;
}
} // namespace

TerminalView::TerminalView(EngineService* engine, const QString& id, const QString& name, QWidget* parent)
    : QWidget(parent), m_engine(engine), m_id(id)
{
    setObjectName("terminalView");
    setWindowTitle(tr("Terminal — %1").arg(name));
    m_terminal = new TerminalWidget(this);
    m_terminal->setObjectName("terminalWidget");
    m_state = new QLabel(this);
    m_state->setObjectName("terminalState");
    m_newShell = new QPushButton(tr("New shell"), this);
    m_newShell->setObjectName("terminalNewShell");
    m_newShell->setEnabled(false);
    auto* copy = new QPushButton(tr("Copy"), this);
    copy->setObjectName("terminalCopy");
    copy->setToolTip(tr("Copy the selection (Ctrl+Shift+C)"));
    auto* paste = new QPushButton(tr("Paste"), this);
    paste->setObjectName("terminalPaste");
    paste->setToolTip(tr("Paste (Ctrl+Shift+V)"));
    for (auto* button : {m_newShell, copy, paste})
        button->setFocusPolicy(Qt::NoFocus);

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_state, 1);
    bar->addWidget(copy);
    bar->addWidget(paste);
    bar->addWidget(m_newShell);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_terminal, 1);
    setFocusProxy(m_terminal);

    connect(copy, &QPushButton::clicked, m_terminal, &TerminalWidget::copy);
    connect(paste, &QPushButton::clicked, m_terminal, &TerminalWidget::paste);
    connect(m_newShell, &QPushButton::clicked, this, &TerminalView::openSession);
    connect(m_terminal, &TerminalWidget::input, this, [this](const QByteArray& bytes) {
        if (m_token)
            m_engine->writeTerminal(m_token, bytes);
    });
    connect(m_terminal, &TerminalWidget::sizeChanged, this, [this](int rows, int columns) {
        if (m_token)
            m_engine->resizeTerminal(m_token, rows, columns);
    });
    connect(engine, &EngineService::terminalOutput, this, [this](int token, const QByteArray& bytes) {
        if (token == m_token)
            m_terminal->feed(bytes);
    });
    connect(engine, &EngineService::terminalEnded, this, [this](int token, int exitCode, const QString& message) {
        if (token != m_token)
            return;
        m_token = 0;
        m_endMessage = message;
        m_terminal->setEnded(message);
        m_state->setText(message);
        m_newShell->setEnabled(true);
        emit sessionEnded(exitCode, message);
    });
}

TerminalView::~TerminalView()
{
    closeSession();
}

void TerminalView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (!m_opened) {
        m_opened = true;
        // After the first layout, so the TTY starts at the widget's real size.
        QMetaObject::invokeMethod(this, &TerminalView::openSession, Qt::QueuedConnection);
    }
}

void TerminalView::openSession()
{
    closeSession();
    m_endMessage.clear();
    m_newShell->setEnabled(false);
    m_state->setText(tr("Connected to a shell in the container."));
    m_token = nextToken();
    if (m_terminal->isEnded()) {
        m_terminal->clearEnded();
        m_terminal->feed("\x1b[0m\r\n"); // the new shell starts on a fresh line
    }
    m_engine->openTerminal(m_token, m_id, m_terminal->rows(), m_terminal->columns());
    m_terminal->setFocus();
}

void TerminalView::closeSession()
{
    if (m_token) {
        m_engine->closeTerminal(m_token);
        m_token = 0;
    }
}

} // namespace berth::app
