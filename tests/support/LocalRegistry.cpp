#include "LocalRegistry.h"

#include "GuestVm.h"

#include <QDir>
#include <QFile>
#include <QTcpSocket>
#include <QThread>
#include <csignal>

namespace berth::test {

LocalRegistry::LocalRegistry(QString dir) : m_dir(std::move(dir)) {}

LocalRegistry::~LocalRegistry()
{
    stop();
}

bool LocalRegistry::start()
{
    QDir().mkpath(m_dir + "/storage");
    m_port = freeTcpPort();
    QFile config(m_dir + "/config.yml");
    config.open(QIODevice::WriteOnly | QIODevice::Truncate);
    config.write(QString("version: 0.1\n"
                         "log:\n  level: warn\n"
                         "storage:\n  filesystem:\n    rootdirectory: %1/storage\n  delete:\n    enabled: true\n"
                         "http:\n  addr: 127.0.0.1:%2\n")
                     .arg(m_dir)
                     .arg(m_port)
                     .toUtf8());
    config.close();
    // setpriv --pdeathsig: the registry ends with the test process, even one that crashed.
    auto process = vm::Process::spawn({"setpriv", "--pdeathsig", "TERM", "docker-registry", "serve",
                                       (m_dir + "/config.yml").toStdString()},
                                      {.stdoutFile = (m_dir + "/registry.log").toStdString(), .stderrFile = {},
                                       .newSession = false});
    if (!process) {
        m_error = QString::fromStdString(process.error().message) + " (install Debian's docker-registry)";
        return false;
    }
    m_process = std::move(process).value();
    for (int i = 0; i < 200; ++i) {
        if (get("/v2/").first == 200)
            return true;
        if (m_process->poll()) {
            QFile log(m_dir + "/registry.log");
            log.open(QIODevice::ReadOnly);
            m_error = QString("docker-registry exited (status %1): ").arg(*m_process->poll()) + QString::fromUtf8(log.readAll());
            return false;
        }
        QThread::msleep(50);
    }
    m_error = "docker-registry did not answer on port " + QString::number(m_port);
    return false;
}

void LocalRegistry::stop()
{
    if (!m_process)
        return;
    m_process->signal(SIGTERM);
    if (!m_process->wait(std::chrono::seconds(5))) {
        m_process->signal(SIGKILL);
        m_process->wait(std::chrono::seconds(5));
    }
    m_process.reset();
}

std::pair<int, QByteArray> LocalRegistry::get(const QString& path) const
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    if (!socket.waitForConnected(1000))
        return {0, {}};
    socket.write(QString("GET %1 HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").arg(path).toUtf8());
    QByteArray response;
    while (socket.waitForReadyRead(2000))
        response += socket.readAll();
    response += socket.readAll();
    const auto headerEnd = response.indexOf("\r\n\r\n");
    const auto statusLine = response.left(response.indexOf("\r\n")).split(' ');
    if (statusLine.size() < 2 || headerEnd < 0)
        return {0, {}};
    return {statusLine[1].toInt(), response.mid(headerEnd + 4)};
}

} // namespace berth::test
