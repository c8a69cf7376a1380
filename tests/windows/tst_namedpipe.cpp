// engine/ on Windows (run under Wine by scripts/test, label `windows`): the Docker API client
// over a real named pipe, against a pipe server that answers with the bytes the real engine sent
// (tests/unit/captures, recorded from Debian's docker.io in Berth's guest). The server is a
// message-mode pipe, as dockerd's npipe listener is, so the exec test also shows that closing
// stdin (a zero-length message) reaches the engine's side as the end of input.
//
// No Qt: Windows builds have no Qt here. A failed check prints where and why and makes the exit
// code non-zero.
#include "Check.h"
#include "berth/engine/Client.h"
#include "berth/engine/Endpoint.h"
#include "berth/engine/HijackedStream.h"
#include "berth/engine/detail/JsonFields.h"

#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include <windows.h>

#include <boost/asio/io_context.hpp>

using namespace berth::engine;

namespace {

std::string g_captures; // the captures folder, from argv[1]

std::string capture(const std::string& name)
{
    std::ifstream in(g_captures + "/" + name, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

// --- the pipe server: one thread per connection, synchronous I/O in message mode ---

struct ServerLog
{
    std::mutex mutex;
    std::string stdinReceived;   // what the exec client sent after its request
    bool stdinEnded = false;     // a zero-length message came after it
    int connections = 0;
    std::vector<std::string> served; // request lines, in order, and how their answer went

    // What the server saw, for a failed check: connections and requests so far.
    std::string summary()
    {
        std::lock_guard lock(mutex);
        std::string text = std::to_string(connections) + " connection(s);";
        for (const auto& line : served)
            text += " [" + line + "]";
        return text;
    }
};

bool writeAll(HANDLE pipe, const std::string& bytes)
{
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(bytes.size() - sent, 16384));
        DWORD n = 0;
        if (!WriteFile(pipe, bytes.data() + sent, chunk, &n, nullptr))
            return false;
        sent += n;
    }
    return true;
}

// One message (or the part of it that fits); 0 bytes for a zero-length message; nullopt when
// the client went away.
std::optional<std::string> readMessage(HANDLE pipe)
{
    std::string message;
    char buffer[65536];
    for (;;) {
        DWORD n = 0;
        const BOOL ok = ReadFile(pipe, buffer, sizeof buffer, &n, nullptr);
        message.append(buffer, n);
        if (ok)
            return message;
        if (GetLastError() != ERROR_MORE_DATA)
            return std::nullopt;
    }
}

void serve(HANDLE pipe, ServerLog& log)
{
    std::string request;
    while (request.find("\r\n\r\n") == std::string::npos) {
        auto message = readMessage(pipe);
        if (!message)
            return;
        request += *message;
    }
    const auto target = request.substr(0, request.find("\r\n"));
    const auto has = [&target](const char* what) { return target.find(what) != std::string::npos; };
    std::string answer;
    if (has("GET /v1.45/containers/json"))
        answer = capture("containers-list.http");
    else if (has("GET /v1.45/containers/busy/json"))
        answer = capture("container-inspect.http");
    else if (has("GET /v1.45/containers/plain/logs"))
        answer = capture("logs-multiplexed.http");
    else if (has("GET /v1.45/system/df"))
        answer = capture("system-df.http");
    else if (has("POST /v1.45/exec/e1/start")) {
        // The upgrade answer, then stdin until its end, then the output.
        const auto all = capture("exec-hijacked.http");
        const auto split = all.find("\r\n\r\n") + 4;
        writeAll(pipe, all.substr(0, split));
        for (;;) {
            auto message = readMessage(pipe);
            if (!message)
                break;
            std::lock_guard lock(log.mutex);
            if (message->empty()) {
                log.stdinEnded = true;
                break;
            }
            log.stdinReceived += *message;
        }
        answer = all.substr(split);
    } else {
        const std::string body = R"({"message":"page not found"})";
        answer = "HTTP/1.1 404 Not Found\r\nApi-Version: 1.45\r\nContent-Type: application/json\r\n"
                 "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    }
    const bool written = writeAll(pipe, answer);
    const bool flushed = FlushFileBuffers(pipe);
    std::lock_guard lock(log.mutex);
    log.served.push_back(target + (written ? " answered" : " NOT answered") +
                         (flushed ? "" : ", not flushed"));
}

void runServer(const std::wstring& name, ServerLog& log, std::atomic<bool>& ready)
{
    for (;;) {
        const HANDLE pipe = CreateNamedPipeW(name.c_str(), PIPE_ACCESS_DUPLEX,
                                             PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT,
                                             PIPE_UNLIMITED_INSTANCES, 65536, 65536, 0, nullptr);
        if (pipe == INVALID_HANDLE_VALUE) {
            std::fprintf(stderr, "cannot create the pipe: error %lu\n", GetLastError());
            std::exit(2);
        }
        ready = true;
        if (!ConnectNamedPipe(pipe, nullptr) && GetLastError() != ERROR_PIPE_CONNECTED) {
            CloseHandle(pipe);
            continue;
        }
        {
            std::lock_guard lock(log.mutex);
            ++log.connections;
        }
        std::thread([pipe, &log] {
            serve(pipe, log);
            DisconnectNamedPipe(pipe);
            CloseHandle(pipe);
        }).detach();
    }
}

// Runs the io_context until `done` is set (or 30 s pass).
void runUntil(boost::asio::io_context& io, const bool& done)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    io.restart();
    while (!done && std::chrono::steady_clock::now() < deadline)
        io.run_for(std::chrono::milliseconds(20));
}

// Starts an operation whose callback takes a Result<T> and runs the loop until it answers.
template <typename T, typename Start> Result<T> await(boost::asio::io_context& io, Start start)
{
    bool done = false;
    Result<T> result = Error{ErrorKind::Timeout, "no answer within 30 s"};
    start([&](Result<T> r) {
        result = std::move(r);
        done = true;
    });
    runUntil(io, done);
    return result;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: tst_namedpipe CAPTURES-FOLDER\n");
        return 2;
    }
    g_captures = argv[1];
    const std::string pipe = "berth-test-" + std::to_string(GetCurrentProcessId());

    // Addresses.
    {
        auto parsed = Endpoint::parse("npipe:////./pipe/docker_engine");
        CHECK(parsed.ok() && parsed->kind() == Endpoint::Kind::NamedPipe && parsed->path() == "//./pipe/docker_engine");
        CHECK(parsed.ok() && parsed->toString() == "npipe:////./pipe/docker_engine");
        auto remote = Endpoint::parse("npipe:////server/pipe/docker_engine");
        CHECK(!remote.ok() && remote.error().message.find("on this computer") != std::string::npos);
        auto unix = Endpoint::parse("unix:///var/run/docker.sock");
        CHECK(!unix.ok() && unix.error().message.find("npipe://") != std::string::npos);
        auto tcp = Endpoint::parse("tcp://127.0.0.1:2375");
        CHECK(!tcp.ok() && tcp.error().kind == ErrorKind::Unsupported);
    }
    // Timestamps (_mkgmtime on Windows).
    CHECK(detail::parseTimestamp("2026-11-23T00:15:07.76508585Z") == 1795392907);
    CHECK(detail::parseTimestamp("2026-11-23T01:15:07+01:00") == 1795392907);

    boost::asio::io_context io;
    Client::Options options{Endpoint::namedPipe(pipe), ApiVersion{1, 45}};

    // No server yet: the pipe is missing, and the error says what to do.
    {
        Client client(io, options);
        const auto result = await<std::vector<Container>>(io, [&](auto done) { client.listContainers({}, done); });
        CHECK(!result.ok() && result.error().kind == ErrorKind::SocketMissing,
              result.ok() ? "connected" : result.error().message);
        CHECK(!result.ok() && result.error().message.find("does not exist") != std::string::npos);
    }

    // Two server threads, each with an instance waiting, as a pipe server must have: with one, a
    // request right behind the previous one could come while that thread was between its
    // connected instance and the next, find no instance, and fail with "does not exist".
    ServerLog log;
    std::atomic<bool> ready{false}, secondReady{false};
    const auto pipeName = std::wstring(L"\\\\.\\pipe\\") + std::wstring(pipe.begin(), pipe.end());
    std::thread(runServer, pipeName, std::ref(log), std::ref(ready)).detach();
    std::thread(runServer, pipeName, std::ref(log), std::ref(secondReady)).detach();
    while (!ready || !secondReady)
        Sleep(5);

    Client client(io, options);
    {
        const auto result = await<std::vector<Container>>(io, [&](auto done) { client.listContainers({}, done); });
        CHECK(result.ok(), result.ok() ? "" : result.error().message);
        if (result.ok()) {
            CHECK(result->size() == 3);
            CHECK(result->at(0).name == "busy" && result->at(0).state == "running");
            CHECK(result->at(2).name == "plain" && result->at(2).state == "exited");
        }
    }
    {
        const auto result = await<Container>(io, [&](auto done) { client.inspectContainer("busy", done); });
        CHECK(result.ok(), result.ok() ? "" : result.error().message);
        if (result.ok())
            CHECK(result->name == "busy" && result->created == 1795392907 && result->image == "bb:1");
    }
    {
        bool done = false;
        Status end = Ok{};
        std::size_t out = 0, err = 0;
        client.logs(
            "plain", {},
            [&](StreamKind kind, std::string_view bytes) { (kind == StreamKind::Stderr ? err : out) += bytes.size(); },
            [&](Status s) {
                end = s;
                done = true;
            });
        runUntil(io, done);
        CHECK(end.ok(), (end.ok() ? std::string() : end.error().message) + (done ? "" : " (no end in 30 s)") +
                            "; the server saw " + log.summary());
        CHECK(out == 20006 && err == 12, std::to_string(out) + " and " + std::to_string(err) +
                                             " bytes; the server saw " + log.summary());
    }
    {
        const auto result = await<DiskUsage>(io, [&](auto done) { client.diskUsage(done); });
        CHECK(result.ok(), result.ok() ? "" : result.error().message);
        if (result.ok())
            CHECK(result->layersSize == 5026539 && result->images.size() == 2 && result->containers.size() == 3);
    }
    {
        // The engine's own message for an HTTP error.
        const auto result = await<Container>(io, [&](auto done) { client.inspectContainer("nothing-here", done); });
        CHECK(!result.ok() && result.error().notFound() && result.error().message.find("page not found") != std::string::npos,
              result.ok() ? "succeeded" : result.error().message);
    }
    {
        // Exec: stdin goes through, its end reaches the engine's side, the output comes back.
        bool done = false;
        std::shared_ptr<HijackedStream> stream;
        std::string out, err;
        Status end = Ok{};
        client.startExec("e1", false, [&](Result<std::shared_ptr<HijackedStream>> r) {
            if (!r.ok()) {
                end = r.error();
                done = true;
                return;
            }
            stream = std::move(r).value();
            stream->start(
                [&](StreamKind kind, std::string_view bytes) { (kind == StreamKind::Stderr ? err : out) += bytes; },
                [&](Status s) {
                    end = s;
                    done = true;
                });
            stream->write("hello from Windows\n");
            stream->closeStdin();
        });
        runUntil(io, done);
        CHECK(end.ok(), end.ok() ? "" : end.error().message);
        CHECK(out == "out\ndone\n" && err == "err\n", out + " / " + err);
        std::lock_guard lock(log.mutex);
        CHECK(log.stdinReceived == "hello from Windows\n", log.stdinReceived);
        CHECK(log.stdinEnded);
    }
    {
        std::lock_guard lock(log.mutex);
        CHECK(log.connections == 6, std::to_string(log.connections) + " connections");
    }

    return berth::test::finish();
}
