// Records what the real engine sends, byte for byte, for the stream decoders' unit tests
// (tests/unit/tst_streamdecoders.cpp). It boots the test guest with a local registry, sets up
// each situation with the docker CLI, sends one raw HTTP request per capture over the forwarded
// socket and writes the raw answer (status line, headers, chunked body, or the upgraded stream)
// to OUTDIR/NAME.http. Run it again after an engine upgrade:
//
//   build/bin/capture-engine-bytes tests/unit/captures
#include "EngineVm.h"

#include <cstdio>
#include <functional>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLocalSocket>
#include <QTemporaryDir>

namespace {

using berth::test::EngineVm;

// Sends `request` and reads the answer until the engine closes, `enough` says so, or `limit`.
QByteArray exchange(const QString& socketPath, const QByteArray& request, int limitMs,
                    const std::function<bool(const QByteArray&)>& enough = {})
{
    QLocalSocket socket;
    socket.connectToServer(socketPath);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(request);
    socket.waitForBytesWritten(5000);
    QByteArray answer;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < limitMs) {
        if (socket.waitForReadyRead(100) || socket.bytesAvailable() > 0)
            answer += socket.readAll();
        if (socket.state() != QLocalSocket::ConnectedState) {
            answer += socket.readAll();
            break;
        }
        if (enough && enough(answer))
            break;
    }
    return answer;
}

QByteArray request(const QByteArray& method, const QByteArray& target, const QByteArray& body = {},
                   const QByteArray& extraHeaders = {})
{
    QByteArray text =
        method + " /v1.45" + target + " HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n" + extraHeaders;
    if (!body.isEmpty())
        text +=
            "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    else if (method == "POST")
        text += "Content-Length: 0\r\n";
    return text + "\r\n" + body;
}

class Capturer
{
public:
    Capturer(EngineVm& engine, QString outDir) : m_engine(engine), m_outDir(std::move(outDir)) {}

    bool docker(const QStringList& args, QByteArray* out = nullptr)
    {
        const auto run = m_engine.docker(args);
        if (run.exitCode != 0) {
            std::fprintf(stderr, "docker %s failed: %s\n", qPrintable(args.join(' ')), run.err.constData());
            return false;
        }
        if (out)
            *out = run.out.trimmed();
        return true;
    }

    bool save(const QString& name, const QByteArray& bytes)
    {
        if (bytes.isEmpty()) {
            std::fprintf(stderr, "%s: no answer\n", qPrintable(name));
            return false;
        }
        QFile file(m_outDir + "/" + name + ".http");
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size())
            return false;
        std::printf("%-26s %8lld bytes  %s\n", qPrintable(name), static_cast<long long>(bytes.size()),
                    bytes.left(bytes.indexOf("\r\n")).constData());
        return true;
    }

    bool capture(const QString& name, const QByteArray& text, int limitMs = 60000,
                 const std::function<bool(const QByteArray&)>& enough = {})
    {
        return save(name, exchange(m_engine.socketPath(), text, limitMs, enough));
    }

private:
    EngineVm& m_engine;
    QString m_outDir;
};

int captureAll(EngineVm& engine, const QString& outDir)
{
    Capturer c(engine, outDir);
    QByteArray id;
    const QString registry = engine.registryAddress();
    bool ok = true;

    // Logs of a container without a TTY: interleaved stdout and stderr, a line longer than the
    // engine's 16 KiB chunks, and no newline at the end.
    ok &= c.docker(
        {"run", "--name", "plain", "bb:1", "sh", "-c",
         "echo out1; sleep 0.3; echo err1 >&2; sleep 0.3; head -c 20000 /dev/zero | tr '\\0' x; echo; "
         "sleep 0.3; printf err-end >&2"});
    ok &= c.capture("logs-multiplexed", request("GET", "/containers/plain/logs?stdout=1&stderr=1"));
    // And with a TTY: raw bytes.
    ok &= c.docker({"run", "-t", "--name", "tty", "bb:1", "sh", "-c",
                    "echo out1; sleep 0.3; echo err1 >&2; printf '\\033[1mbold\\033[0m'"});
    ok &= c.capture("logs-raw", request("GET", "/containers/tty/logs?stdout=1&stderr=1"));

    // Events of one container's life, between two times so that the stream ends.
    QByteArray since;
    ok &= c.docker({"version", "--format", "{{.Server.Version}}"});
    ok &= c.docker({"run", "--rm", "bb:1", "date", "+%s"}, &since);
    ok &= c.docker({"run", "--name", "evented", "--label", "berth.capture=events", "bb:1", "true"});
    ok &= c.docker({"rm", "evented"});
    QByteArray until;
    ok &= c.docker({"run", "--rm", "bb:1", "date", "+%s"}, &until);
    ok &= c.capture("events",
                    request("GET", "/events?since=" + since +
                                       "&until=" + QByteArray::number(until.toLongLong() + 1) +
                                       "&filters=%7B%22label%22%3A%5B%22berth.capture%3Devents%22%5D%7D"));

    // Pull with real download progress: a layer of random bytes that the engine lacks.
    ok &= c.docker({"run", "--name", "layer", "bb:1", "sh", "-c", "head -c 3000000 /dev/urandom > /blob"});
    ok &= c.docker({"commit", "layer", registry + "/capture/blob:v1"});
    ok &= c.docker({"push", "-q", registry + "/capture/blob:v1"});
    ok &= c.docker({"rm", "layer"});
    ok &= c.docker({"rmi", registry + "/capture/blob:v1"});
    ok &= c.capture("pull-progress",
                    request("POST", "/images/create?fromImage=" + registry.toUtf8() + "/capture/blob&tag=v1",
                            {}, "X-Registry-Auth: e30=\r\n"));
    ok &=
        c.capture("pull-missing",
                  request("POST", "/images/create?fromImage=" + registry.toUtf8() + "/capture/missing&tag=v1",
                          {}, "X-Registry-Auth: e30=\r\n"));
    // A push whose failure comes as an error line inside a 200 answer.
    ok &= c.docker({"tag", "bb:1", "10.0.2.2:1/nowhere/bb:v1"});
    ok &= c.capture("push-error", request("POST", "/images/10.0.2.2:1/nowhere/bb/push?tag=v1", {},
                                          "X-Registry-Auth: e30=\r\n"));

    // Stats of a busy container: one sample, and the start of a stream.
    ok &= c.docker({"run", "-d", "--name", "busy", "bb:1", "sh", "-c", "while true; do :; done"});
    ok &= c.capture("stats-one-shot", request("GET", "/containers/busy/stats?stream=0"));
    ok &= c.capture("stats-stream", request("GET", "/containers/busy/stats?stream=1"), 30000,
                    [](const QByteArray& a) { return a.count("\"read\"") >= 3; });

    // A hijacked exec: 101, then multiplexed output until the process ends.
    ok &= c.docker({"exec", "busy", "true"});
    QByteArray execCreate;
    {
        const auto reply = exchange(engine.socketPath(),
                                    request("POST", "/containers/busy/exec",
                                            R"({"Cmd":["sh","-c","echo out; echo err >&2; echo done"],)"
                                            R"("AttachStdout":true,"AttachStderr":true})"),
                                    30000);
        const auto start = reply.indexOf("\"Id\":\"");
        if (start < 0) {
            std::fprintf(stderr, "exec create: %s\n", reply.constData());
            return 1;
        }
        execCreate = reply.mid(start + 6, 64);
    }
    ok &= c.capture("exec-hijacked",
                    request("POST", "/exec/" + execCreate + "/start", R"({"Detach":false,"Tty":false})",
                            "Upgrade: tcp\r\nConnection: Upgrade\r\n")
                        .replace("Connection: close\r\n", ""));

    // Model answers.
    ok &= c.capture("containers-list", request("GET", "/containers/json?all=1&size=1"));
    ok &= c.capture("container-inspect", request("GET", "/containers/busy/json"));
    ok &= c.capture("system-df", request("GET", "/system/df"));
    ok &= c.docker({"rm", "-f", "busy", "plain", "tty"});
    return ok ? 0 : 1;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    if (argc != 2) {
        std::fprintf(stderr,
                     "usage: %s OUTDIR\n  boots the test guest and records raw engine answers into OUTDIR\n",
                     argv[0]);
        return 2;
    }
    const QString outDir = QDir(QString::fromLocal8Bit(argv[1])).absolutePath();
    QDir().mkpath(outDir);
    QTemporaryDir work;
    EngineVm engine(work.path(), EngineVm::Options{});
    const auto error = engine.start();
    if (!error.isEmpty()) {
        std::fprintf(stderr, "cannot start the engine: %s\n", qPrintable(error));
        return 1;
    }
    const int status = captureAll(engine, outDir);
    engine.stop();
    return status;
}
