// vm::InstanceControl, the one path by which the CLI and the desktop start, stop and reset an
// instance, without a VM: the real `berth agent` launched on an image folder that does not exist
// (it fails in its first phase, as a real agent does), a stand-in agent that speaks the control
// protocol for the paths a VM would be needed for (a stop that powers off, a boot that never
// ends and is cancelled), the instance lock held by someone else, and settings it must refuse.
#include "RunProcess.h"
#include "TestPaths.h"
#include "berth/vm/ControlProtocol.h"
#include "berth/vm/InstanceControl.h"
#include "berth/vm/InstanceLock.h"

#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

using namespace berth::vm;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// A stand-in agent on an instance's control socket: answers status with `state`, and watch with
// that state as an event. With `stoppable`, a stop is accepted, then the agent reports Stopped
// (clean) and closes, as a real agent does once the guest powered off.
class StandInAgent final
{
public:
    StandInAgent(const fs::path& socket, EngineState state, bool stoppable)
        : m_state(state), m_stoppable(stoppable)
    {
        fs::create_directories(socket.parent_path());
        m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::snprintf(address.sun_path, sizeof address.sun_path, "%s", socket.c_str());
        ::unlink(socket.c_str());
        if (::bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(m_fd, 8) != 0)
            qFatal("cannot listen on %s", socket.c_str());
        m_socket = socket;
        m_thread = std::thread([this] { serve(); });
    }
    ~StandInAgent()
    {
        m_done = true;
        ::shutdown(m_fd, SHUT_RDWR);
        m_thread.join();
        ::close(m_fd);
        ::unlink(m_socket.c_str());
    }
    int stops() const { return m_stops; }

private:
    void serve()
    {
        while (!m_done) {
            const int client = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0)
                return;
            std::thread([this, client] { talk(client); }).detach();
        }
    }
    void talk(int client)
    {
        AgentStatus status;
        status.state = m_state;
        status.phase = "kernel";
        status.pid = 4242;
        const auto send = [client](const nlohmann::json& message) {
            const auto line = message.dump() + "\n";
            return ::send(client, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size());
        };
        std::string buffer;
        char chunk[512];
        for (;;) {
            const auto n = ::recv(client, chunk, sizeof chunk, 0);
            if (n <= 0)
                break;
            buffer.append(chunk, static_cast<std::size_t>(n));
            for (auto newline = buffer.find('\n'); newline != std::string::npos; newline = buffer.find('\n')) {
                const auto request = control::parseRequest(nlohmann::json::parse(buffer.substr(0, newline)));
                buffer.erase(0, newline + 1);
                if (!request)
                    continue;
                if (request.value() == control::Request::Status) {
                    send(control::statusMessage(status, false));
                } else if (request.value() == control::Request::Watch) {
                    send(control::statusMessage(status, true));
                } else if (request.value() == control::Request::Stop && m_stoppable) {
                    ++m_stops;
                    send(control::acceptedMessage("Stopping: the guest is asked to power off"));
                    status.state = EngineState::Stopping;
                    send(control::statusMessage(status, true));
                    status.state = EngineState::Stopped;
                    status.stopMethod = "clean";
                    send(control::statusMessage(status, true));
                    ::shutdown(client, SHUT_RDWR);
                }
            }
        }
        ::close(client);
    }

    EngineState m_state;
    bool m_stoppable;
    fs::path m_socket;
    int m_fd = -1;
    std::atomic<bool> m_done{false};
    std::atomic<int> m_stops{0};
    std::thread m_thread;
};

std::string joined(const std::vector<std::string>& lines)
{
    std::string text;
    for (const auto& line : lines)
        text += line + "\n";
    return text;
}

} // namespace

class TestInstanceControl final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir{QDir::tempPath() + "/bic-XXXXXX"}; // short: socket paths must fit
    int m_next = 0;

    fs::path home() const { return m_dir.filePath("home").toStdString(); }
    fs::path agentProgram() const { return (berth::test::binDir() + "/berth").toStdString(); }

    // A fresh instance of its own for each test.
    InstanceControl control(const char* name, fs::path program = {})
    {
        auto instance = Instance::open(home(), name);
        if (!instance)
            qFatal("cannot open instance %s: %s", name, instance.error().message.c_str());
        return InstanceControl(instance.value(), program.empty() ? agentProgram() : program,
                               m_dir.filePath("no-such-image").toStdString());
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // What the agents started here see: this home, an image folder that does not exist, and
        // a docker configuration and runtime folder of the test's own.
        qputenv("BERTH_HOME", QByteArray::fromStdString(home().string()));
        qputenv("BERTH_IMAGE_DIR", m_dir.filePath("no-such-image").toUtf8());
        qputenv("DOCKER_CONFIG", m_dir.filePath("docker-config").toUtf8());
        qputenv("HOME", m_dir.filePath("user").toUtf8());
        qputenv("XDG_RUNTIME_DIR", m_dir.filePath("run").toUtf8());
        QDir().mkpath(m_dir.filePath("user"));
        QDir().mkpath(m_dir.filePath("run"));
        qunsetenv("BERTH_INSTANCE");
    }

    // The real agent, launched as start() launches it, fails in its first phase: start() says
    // why, waits until it has gone, and leaves the instance free and its error on record.
    void startReportsAnAgentThatCannotBoot()
    {
        auto c = control("boot");
        std::vector<std::string> said;
        const auto began = Clock::now();
        auto started = c.start({}, [&said](const std::string& line) { said.push_back(line); });
        QVERIFY(!started);
        QVERIFY2(started.error().message.find("no-such-image") != std::string::npos, started.error().message.c_str());
        QVERIFY2(!said.empty() && said.front().rfind("Starting Berth (instance boot: 2 CPUs, 2048 MiB, 64 GiB disk)", 0) == 0,
                 joined(said).c_str());
        QVERIFY(Clock::now() - began < std::chrono::seconds(30));
        QVERIFY(!InstanceLock::held(c.instance()));
        QVERIFY(!c.liveStatus());
        const auto report = c.statusReport();
        QCOMPARE(toString(report.status.state), toString(EngineState::Error));
        QVERIFY2(!report.status.lastError.empty() &&
                     started.error().message.find(report.status.lastError) != std::string::npos,
                 report.status.lastError.c_str());
        QCOMPARE(report.json.value("state", ""), std::string("error"));
        QVERIFY(!report.disk);
    }

    void startSaysWhenTheAgentProgramIsMissing()
    {
        auto c = control("missing", "/nonexistent/berth");
        auto started = c.start({});
        QVERIFY(!started);
        QVERIFY2(started.error().message.find("/nonexistent/berth") != std::string::npos,
                 started.error().message.c_str());
        QVERIFY(!InstanceLock::held(c.instance()));
    }

    void settingsAreCheckedBeforeAnythingStarts()
    {
        auto c = control("settings");
        const auto before = c.instance().loadSettings().value();
        // A data disk of 20 GiB (sparse): a smaller disk is refused, naming the flag.
        fs::create_directories(c.instance().dataDisk().parent_path());
        {
            std::ofstream disk(c.instance().dataDisk());
        }
        fs::resize_file(c.instance().dataDisk(), 20ull << 30);
        StartOptions options;
        options.diskGiB = 10;
        options.cpus = 1;
        auto started = c.start(options);
        QVERIFY(!started);
        QVERIFY2(started.error().message.rfind("--disk 10: ", 0) == 0, started.error().message.c_str());
        QVERIFY(c.instance().loadSettings().value() == before); // nothing written, not even the CPUs
        QVERIFY(!InstanceLock::held(c.instance()));

        bool changed = true;
        options.diskGiB.reset();
        auto applied = c.applySettings(options, &changed);
        QVERIFY(applied);
        QVERIFY(changed);
        QCOMPARE(c.instance().loadSettings()->cpus, 1);
        QVERIFY(c.applySettings(options, &changed));
        QVERIFY(!changed);
    }

    void stopWithNothingRunningSaysSo()
    {
        auto c = control("idle");
        std::vector<std::string> said;
        auto stopped = c.stop([&said](const std::string& line) { said.push_back(line); });
        QVERIFY(stopped);
        QCOMPARE(toString(stopped->how), toString(StopOutcome::How::NotRunning));
        QCOMPARE(joined(said), std::string("Berth is not running.\n"));
    }

    // Through the control socket: the stop is asked for once, its end reported as clean.
    void stopFollowsTheAgentToItsEnd()
    {
        auto c = control("stop");
        StandInAgent agent(c.instance().controlSocket(), EngineState::Running, true);
        std::vector<std::string> said;
        auto stopped = c.stop([&said](const std::string& line) { said.push_back(line); });
        QVERIFY2(stopped, stopped ? "" : stopped.error().message.c_str());
        QCOMPARE(toString(stopped->how), toString(StopOutcome::How::Clean));
        QCOMPARE(agent.stops(), 1);
        QVERIFY2(said.size() == 2 && said[0] == "Stopping: the guest is asked to power off" &&
                     said[1].find(": the guest powered off cleanly.") != std::string::npos,
                 joined(said).c_str());
    }

    // A start that follows a boot that never ends returns soon after cancel(), from another
    // thread, and leaves the agent alone.
    void cancelEndsAStartThatIsFollowingABoot()
    {
        auto c = control("cancel");
        StandInAgent agent(c.instance().controlSocket(), EngineState::Starting, false);
        std::thread canceller([c] {
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            c.cancel(); // a copy: cancel() reaches every copy
        });
        std::vector<std::string> said;
        const auto began = Clock::now();
        auto started = c.start({}, [&said](const std::string& line) { said.push_back(line); });
        const auto took = Clock::now() - began;
        canceller.join();
        QVERIFY(!started);
        QVERIFY2(started.error().message == "cancelled", started.error().text().c_str());
        QVERIFY2(took < std::chrono::seconds(2), std::to_string(took.count()).c_str());
        QVERIFY2(joined(said).find("Berth is already starting; following it.") != std::string::npos,
                 joined(said).c_str());
        QVERIFY(c.cancelled());
        QCOMPARE(agent.stops(), 0);
    }

    // Reset deletes only while it holds the instance: with the lock held elsewhere (an agent
    // starting), nothing is deleted and it says so.
    void resetDeletesOnlyWhileHoldingTheInstance()
    {
        auto c = control("reset");
        const auto& inst = c.instance();
        fs::create_directories(inst.dataDisk().parent_path());
        std::ofstream(inst.dataDisk()) << "the user's images";
        QVERIFY(inst.saveSettings(inst.loadSettings().value()));
        {
            auto held = InstanceLock::tryAcquire(inst);
            QVERIFY(held && held->has_value());
            auto reset = c.reset(true);
            QVERIFY(!reset);
            QVERIFY2(reset.error().message.find("nothing was deleted") != std::string::npos,
                     reset.error().message.c_str());
            QVERIFY(fs::exists(inst.dataDisk()));
            QVERIFY(fs::exists(inst.settingsFile()));
        }
        std::vector<std::string> said;
        auto reset = c.reset(true, [&said](const std::string& line) { said.push_back(line); });
        QVERIFY2(reset, reset ? "" : reset.error().message.c_str());
        QVERIFY(reset->diskDeleted);
        QVERIFY(!fs::exists(inst.dataDisk()));
        QVERIFY(!fs::exists(inst.settingsFile()));
        QCOMPARE(reset->removed.size(), std::size_t(1));
        QVERIFY2(joined(said).find("Settings are the defaults again.") != std::string::npos, joined(said).c_str());
        QVERIFY(!InstanceLock::held(inst)); // released when done
    }

    void versionsSayWhatIsMissing()
    {
        auto c = control("versions");
        bool complete = true;
        const auto text = c.versions(&complete);
        QVERIFY(!complete); // the image folder does not exist
        QVERIFY2(text.rfind("Berth ", 0) == 0, text.c_str());
        QVERIFY2(text.find("no-such-image") != std::string::npos, text.c_str());
        QVERIFY2(text.find("Engine:      not running") != std::string::npos, text.c_str());
    }
};

QTEST_GUILESS_MAIN(TestInstanceControl)
#include "tst_instancecontrol.moc"
