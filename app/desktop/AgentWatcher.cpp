#include "AgentWatcher.h"

#include "berth/vm/Agent.h"
#include "berth/vm/ControlProtocol.h"

#include <utility>

#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QLocalSocket>
#include <QLoggingCategory>
#include <QTimer>

Q_LOGGING_CATEGORY(lcAgent, "berth.desktop.agent")

namespace berth::app {

namespace {

constexpr qsizetype kMaxLine = 1 << 20; // the control protocol's limit

} // namespace

AgentWatcher::AgentWatcher(vm::Instance instance) : m_instance(std::move(instance)) {}

void AgentWatcher::begin()
{
    m_folder = new QFileSystemWatcher(this);
    m_folder->addPath(QString::fromStdString(m_instance.socketDir().string()));
    connect(m_folder, &QFileSystemWatcher::directoryChanged, this, [this] {
        if (!m_watching)
            tryConnect();
    });
    // The recorded status is read again shortly after an agent goes: it may still hold its lock
    // for a moment after closing the socket, and the record says "died" only once it is free.
    m_recheck = new QTimer(this);
    m_recheck->setSingleShot(true);
    m_recheck->setInterval(500);
    connect(m_recheck, &QTimer::timeout, this, [this] {
        if (!m_watching)
            reportRecorded();
    });
    m_socket = new QLocalSocket(this);
    connect(m_socket, &QLocalSocket::connected, this, [this] {
        m_watching = true;
        m_refusals = 0;
        m_buffer.clear();
        reportFound(true);
        m_socket->write(QByteArray::fromStdString(vm::control::encode(vm::control::Request::Watch).dump()) +
                        "\n");
    });
    connect(m_socket, &QLocalSocket::readyRead, this, &AgentWatcher::readLines);
    connect(m_socket, &QLocalSocket::disconnected, this, &AgentWatcher::disconnected);
    connect(m_socket, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError) {
        if (m_socket->state() != QLocalSocket::UnconnectedState || m_watching)
            return;
        // An agent between bind() and listen() refuses for a moment: ask again shortly.
        if (QFileInfo::exists(QString::fromStdString(m_instance.controlSocket().string())) &&
            m_refusals++ < 10) {
            QTimer::singleShot(200, this, &AgentWatcher::tryConnect);
            return;
        }
        m_refusals = 0;
        reportRecorded(); // no agent (a stale socket file or none at all)
        reportFound(false);
    });
    reportRecorded();
    tryConnect();
    if (m_socket->state() == QLocalSocket::UnconnectedState && !m_watching)
        reportFound(false);
}

void AgentWatcher::reportFound(bool found)
{
    if (std::exchange(m_reported, true))
        return;
    emit agentFound(found);
}

void AgentWatcher::tryConnect()
{
    if (m_socket->state() != QLocalSocket::UnconnectedState)
        return;
    const auto path = QString::fromStdString(m_instance.controlSocket().string());
    if (!QFileInfo::exists(path))
        return;
    m_socket->connectToServer(path);
}

void AgentWatcher::readLines()
{
    m_buffer += m_socket->readAll();
    qsizetype newline;
    while ((newline = m_buffer.indexOf('\n')) >= 0) {
        const auto line = m_buffer.left(newline);
        m_buffer.remove(0, newline + 1);
        const auto json = nlohmann::json::parse(line.toStdString(), nullptr, false);
        if (json.is_discarded()) {
            qCWarning(lcAgent) << "the agent sent a line that is not JSON:" << line.left(200);
            continue;
        }
        auto message = vm::control::parseMessage(json);
        if (!message) {
            qCWarning(lcAgent) << "unexpected message from the agent:"
                               << QString::fromStdString(message.error().message);
            continue;
        }
        if (message->type == vm::control::Message::Type::Event ||
            message->type == vm::control::Message::Type::Status)
            emit statusChanged(message->status);
    }
    if (m_buffer.size() > kMaxLine) {
        qCWarning(lcAgent) << "the agent sent a line over 1 MiB; reconnecting";
        m_socket->abort();
    }
}

void AgentWatcher::disconnected()
{
    m_watching = false;
    reportRecorded();
    m_recheck->start();
    // A new agent may already be listening (a restart).
    QTimer::singleShot(0, this, &AgentWatcher::tryConnect);
}

void AgentWatcher::reportRecorded()
{
    auto status = vm::lastRecordedStatus(m_instance);
    status.pid = 0;
    emit statusChanged(status);
}

} // namespace berth::app
