// The agent's boot, stop and failure paths, driven through a fake VmDriver: no QEMU, in about
// two seconds. The same paths run against the real QEMU in tst_berthcli and tst_recovery (a
// killed QEMU, a clean and a forced stop, a guest that reports an error). The SSH session and
// the engine socket need a real guest, so the fake never reports the engine ready.
#include "berth/vm/Agent.h"
#include "berth/vm/ControlClient.h"
#include "berth/vm/ImageManifest.h"
#include "berth/vm/Instance.h"
#include "berth/vm/InstanceLock.h"
#include "berth/vm/VmDriver.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include <QTemporaryDir>
#include <QTest>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

using namespace berth::vm;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

// A VM that does only what the test tells it: it "boots" when started, reports what the test
// makes it report, and powers off when asked (or ignores the power button when told to).
class FakeVm final : public VmDriver
{
public:
    explicit FakeVm(asio::io_context& io) : m_io(io) {}

    int starts = 0, shutdownRequests = 0, kills = 0;
    bool answersPowerButton = true;
    bool monitorAnswers = true; // false: the power button cannot be delivered (QEMU's monitor is gone)
    MachineSpec lastSpec;

    // What the guest says on its boot channel.
    void report(BootEvent::Kind kind, const std::string& nameOrMessage = {})
    {
        BootEvent e;
        e.kind = kind;
        (kind == BootEvent::Kind::Phase ? e.name : e.message) = nameOrMessage;
        e.received = std::chrono::steady_clock::now();
        m_callbacks.onBootEvent(e);
    }
    // The hypervisor ends, as a crash or a kill would end it.
    // `launched` false: the hypervisor never ran (QemuDriver reports so when QEMU cannot start).
    void end(bool requested, int status, const std::string& reason, bool launched = true)
    {
        m_state = State::Stopped;
        auto onExit = m_callbacks.onExit;
        onExit(VmExit{requested, status, reason, launched});
    }

    std::string name() const override { return "fake"; }
    Status create(const MachineSpec&) override { return Ok{}; }
    Status start(const MachineSpec& spec, Callbacks callbacks) override
    {
        if (m_state != State::Stopped)
            return Error{"the fake VM runs already"};
        ++starts;
        lastSpec = spec;
        m_callbacks = std::move(callbacks);
        m_state = State::Starting;
        m_callbacks.onAccelerator("fake", "a test's VM");
        return Ok{};
    }
    void requestShutdown(Done done) override
    {
        ++shutdownRequests;
        asio::post(m_io, [this, done] {
            if (!monitorAnswers) {
                done(Error{"QMP system_powerdown: QEMU closed its monitor connection"});
                return;
            }
            done(Ok{});
            if (answersPowerButton)
                end(true, 0, "the guest powered off");
        });
    }
    void kill() override
    {
        ++kills;
        if (m_state == State::Stopped)
            return;
        m_state = State::Stopping;
        asio::post(m_io, [this] { end(true, -9, "QEMU was killed by signal 9"); });
    }
    State state() const override { return m_state; }
    std::string accelerator() const override { return "fake"; }
    std::string acceleratorReason() const override { return "a test's VM"; }
    void addPortForward(const PortForward&, Done done) override { asio::post(m_io, [done] { done(Ok{}); }); }
    void removePortForward(const PortForward&, Done done) override { asio::post(m_io, [done] { done(Ok{}); }); }
    std::optional<int> pid() const override { return std::nullopt; }
    fs::path consoleLog() const override { return {}; }

private:
    asio::io_context& m_io;
    Callbacks m_callbacks;
    State m_state = State::Stopped;
};

void writeFile(const fs::path& file, const std::string& text)
{
    std::ofstream(file) << text;
}

} // namespace

class TestAgent : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    asio::io_context m_io;
    std::unique_ptr<Agent> m_agent;
    FakeVm* m_vm = nullptr; // owned by m_agent
    bool m_finished = false;

    fs::path home() const { return fs::path(m_dir.path().toStdString()) / "home"; }
    fs::path imageDir() const { return fs::path(m_dir.path().toStdString()) / "image"; }

    Instance instance() const { return Instance::open(home(), "default").value(); }

    // A fresh agent of the instance, with the fake VM; started.
    bool startAgent(std::chrono::seconds bootTimeout = 300s, std::chrono::seconds stopTimeout = 60s)
    {
        m_agent.reset();
        m_io.restart();
        m_finished = false;
        auto lock = InstanceLock::tryAcquire(instance());
        if (!lock || !lock->has_value())
            return false;
        AgentOptions options;
        options.imageDir = imageDir();
        options.bootTimeout = bootTimeout;
        options.stopTimeout = stopTimeout;
        options.onFinished = [this] { m_finished = true; };
        auto vm = std::make_unique<FakeVm>(m_io);
        m_vm = vm.get();
        auto agent = Agent::create(m_io, instance(), std::move(**lock), options, std::move(vm));
        if (!agent) {
            qWarning("%s", agent.error().message.c_str());
            return false;
        }
        m_agent = std::move(agent.value());
        m_agent->start();
        m_io.poll();
        return m_agent->status().state == EngineState::Starting && m_vm->starts == 1;
    }

    // Runs the agent's work until it has finished, at most `limit`.
    bool runUntilFinished(std::chrono::milliseconds limit = 5000ms)
    {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!m_finished && std::chrono::steady_clock::now() < deadline)
            m_io.run_for(20ms);
        return m_finished;
    }

    QString state() const { return QString::fromStdString(toString(m_agent->status().state)); }
    QString lastError() const { return QString::fromStdString(m_agent->status().lastError); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        fs::create_directories(imageDir());
        // A manifest the agent accepts, over files that are no guest: the fake VM never reads them.
        const std::string digest(64, 'a');
        nlohmann::json manifest = {{"format", 1},
                                   {"suite", "trixie"},
                                   {"kernel_version", "6.12-fake"},
                                   {"inputs_sha256", digest},
                                   {"files", nlohmann::json::object()},
                                   {"packages", nlohmann::json::array()}};
        for (const auto& file : ImageManifest::requiredFiles()) {
            writeFile(imageDir() / file, "not a real guest");
            manifest["files"][file] = {{"sha256", digest}, {"size", 16}};
        }
        for (const auto& package : ImageManifest::requiredPackages())
            manifest["packages"].push_back({{"name", package}, {"version", "1.0"}});
        writeFile(imageDir() / "manifest.json", manifest.dump());
    }

    void cleanup()
    {
        m_agent.reset();
        m_io.restart();
        m_io.poll();
    }

    // The boot phases the guest reports reach the status; the VM gets the settings' machine.
    void phasesAreReported()
    {
        QVERIFY(startAgent());
        QCOMPARE(m_agent->status().accelerator, std::string("fake"));
        QCOMPARE(m_vm->lastSpec.cpus, 2);
        QCOMPARE(m_vm->lastSpec.dataDisk, instance().dataDisk());
        m_vm->report(BootEvent::Kind::Phase, "kernel");
        QCOMPARE(m_agent->status().phase, std::string("kernel"));
        m_vm->report(BootEvent::Kind::Notice, "data-disk: repaired the filesystem");
        QCOMPARE(m_agent->status().notices.back(), std::string("data-disk: repaired the filesystem"));
        QVERIFY(fs::is_socket(instance().controlSocket()));
        m_agent->stop();
        QVERIFY(runUntilFinished());
    }

    // A guest's error fails the start at once, names what to fix, and ends the VM.
    void guestErrorFailsTheStart()
    {
        QVERIFY(startAgent());
        m_vm->report(BootEvent::Kind::Phase, "kernel");
        m_vm->report(BootEvent::Kind::Error, "daemon.json: unknown directive \"bogus\"");
        QVERIFY(runUntilFinished());
        QCOMPARE(state(), QString("error"));
        QVERIFY2(lastError().contains(QString::fromStdString(instance().daemonConfig().string())) &&
                     lastError().contains("bogus"),
                 qPrintable(lastError()));
        QCOMPARE(m_vm->kills, 1);
        QCOMPARE(m_agent->exitCode(), 1);
        QVERIFY(!fs::exists(instance().controlSocket()));
    }

    // No readiness before the deadline: the start fails saying so, and the VM is ended.
    void bootTimeoutEndsTheVm()
    {
        QVERIFY(startAgent(1s));
        QVERIFY(runUntilFinished(4000ms));
        QCOMPARE(state(), QString("error"));
        QVERIFY2(lastError().startsWith("the engine did not become ready within 1 s"), qPrintable(lastError()));
        QCOMPARE(m_vm->kills, 1);
    }

    // A VM that dies while booting is booted once more; a second death fails the start with the
    // hypervisor's reason.
    void crashWhileBootingIsRetriedOnce()
    {
        QVERIFY(startAgent());
        m_vm->end(false, -11, "QEMU was killed by signal 11");
        m_io.poll();
        QCOMPARE(m_vm->starts, 2);
        QCOMPARE(state(), QString("starting"));
        QCOMPARE(m_agent->status().phase, std::string("vm-retry"));
        m_vm->end(false, -11, "QEMU was killed by signal 11");
        QVERIFY(runUntilFinished());
        QCOMPARE(state(), QString("error"));
        QCOMPARE(lastError(), QString("QEMU was killed by signal 11"));
        QCOMPARE(m_vm->starts, 2);
    }

    // A hypervisor that could not start at all fails the start at once: a second try would fail
    // the same way, unlike a guest that crashed while booting.
    void hypervisorThatCannotStartIsNotRetried()
    {
        QVERIFY(startAgent());
        m_vm->end(false, -1, "cannot start QEMU: qemu-system-x86_64 not found in PATH", false);
        QVERIFY(runUntilFinished());
        QCOMPARE(state(), QString("error"));
        QCOMPARE(lastError(), QString("cannot start QEMU: qemu-system-x86_64 not found in PATH"));
        QCOMPARE(m_vm->starts, 1);
    }

    // dockerd that keeps exiting while the guest starts fails the start before the deadline,
    // with the guest's last notice.
    void engineThatKeepsExitingFailsTheStart()
    {
        QVERIFY(startAgent());
        m_vm->report(BootEvent::Kind::Notice, "dockerd: the data disk is full");
        for (int i = 0; i < 5; ++i)
            m_vm->report(BootEvent::Kind::EngineDown);
        QVERIFY(runUntilFinished());
        QVERIFY2(lastError().startsWith("the engine (dockerd) exited 5 times while starting; dockerd: the data "
                                        "disk is full"),
                 qPrintable(lastError()));
    }

    // Stop while booting: the power button, and a clean stop when the guest powers off.
    void stopWhileBootingPowersOff()
    {
        QVERIFY(startAgent());
        QCOMPARE(m_agent->stop(), std::string("Stopping: the guest is asked to power off"));
        QCOMPARE(state(), QString("stopping"));
        QCOMPARE(m_agent->stop(), std::string("Berth is already stopping"));
        QVERIFY(runUntilFinished());
        QCOMPARE(state(), QString("stopped"));
        QCOMPARE(m_agent->status().stopMethod, std::string("powerdown"));
        QCOMPARE(m_vm->shutdownRequests, 1);
        QCOMPARE(m_vm->kills, 0);
        QCOMPARE(m_agent->exitCode(), 0);
    }

    // The client that asked for the stop hears how it ended, even when the VM was gone before
    // its watch request arrived: the accepted answer, then the final status, then the end.
    void stopIsReportedToWhoAskedEvenWhenTheVmEndsAtOnce()
    {
        QVERIFY(startAgent());
        auto client = ControlClient::connect(instance().controlSocket());
        QVERIFY2(client.ok(), client.ok() ? "" : client.error().message.c_str());
        std::thread agentThread([this] { runUntilFinished(); });
        const auto accepted = client->stop(5s);
        agentThread.join(); // finished (the fake VM powers off at once), or 5 s passed
        QVERIFY2(accepted.ok(), accepted.ok() ? "" : accepted.error().message.c_str());
        QVERIFY(m_finished);
        std::optional<AgentStatus> final;
        while (!final) {
            const auto message = client->next(ControlClient::Clock::now() + 2s);
            if (!message)
                break;
            if (message->status.state == EngineState::Stopped)
                final = message->status;
        }
        QVERIFY2(final, "the agent closed without telling the client that asked how the stop ended");
        QCOMPARE(final->stopMethod, std::string("powerdown"));
    }

    // A guest that ignores the power button is ended when the stop timeout runs out, and the
    // status says the stop was forced.
    void ignoredPowerButtonIsForcedAfterTheTimeout()
    {
        QVERIFY(startAgent(300s, 1s));
        m_vm->answersPowerButton = false;
        m_agent->stop();
        QVERIFY(!runUntilFinished(500ms));
        QCOMPARE(m_vm->kills, 0);
        QVERIFY(runUntilFinished(3000ms));
        QCOMPARE(m_vm->kills, 1);
        QCOMPARE(state(), QString("stopped"));
        QCOMPARE(m_agent->status().stopMethod, std::string("forced"));
        QCOMPARE(m_agent->exitCode(), 0);
    }

    // A power button that cannot be delivered ends the VM at once, without waiting out the
    // stop timeout.
    void undeliverablePowerButtonKillsAtOnce()
    {
        QVERIFY(startAgent(300s, 60s));
        m_vm->monitorAnswers = false;
        m_agent->stop();
        QVERIFY(runUntilFinished(2000ms));
        QCOMPARE(m_vm->shutdownRequests, 1);
        QCOMPARE(m_vm->kills, 1);
        QCOMPARE(state(), QString("stopped"));
        QCOMPARE(m_agent->status().stopMethod, std::string("forced"));
    }
};

QTEST_GUILESS_MAIN(TestAgent)
#include "tst_agent.moc"
