// vm/'s portable core on Windows (run under Wine by scripts/test, label `windows`): settings are
// checked against this computer's limits (from HostInfo), QEMU's arguments are the Windows
// host's (qemu-system-x86_64.exe, WHPX, no seccomp), and the agent's control messages round-trip.
//
// No Qt: a failed check prints where and why and makes the exit code non-zero.
#include "Check.h"
#include "berth/vm/AgentStatus.h"
#include "berth/vm/ControlProtocol.h"
#include "berth/vm/HostInfo.h"
#include "berth/vm/QemuCommand.h"
#include "berth/vm/Settings.h"

#include <algorithm>
#include <string>

using namespace berth::vm;
using namespace berth::vm::control;

int main()
{
    // Settings: the limits are this computer's, and a value beyond them is refused by name.
    {
        const auto host = hostInfo();
        const auto limits = Settings::limits();
        CHECK(limits.maxCpus == host.cpus, std::to_string(limits.maxCpus));
        CHECK(limits.maxMemoryMiB > 0 &&
                  static_cast<std::uint64_t>(limits.maxMemoryMiB) < host.memoryBytes >> 20,
              std::to_string(limits.maxMemoryMiB));
        const auto ok = Settings::parse(R"({"cpus": 1, "memory_mib": 1024})", "settings.json");
        CHECK(ok.ok(), ok.ok() ? "" : ok.error().message);
        if (ok.ok())
            CHECK(ok->cpus == 1 && ok->memoryMiB == 1024);
        const auto tooMany =
            Settings::parse("{\"cpus\": " + std::to_string(host.cpus + 1) + "}", "settings.json");
        CHECK(!tooMany.ok() && tooMany.error().message.find("'cpus'") != std::string::npos &&
                  tooMany.error().message.find("on this computer") != std::string::npos,
              tooMany.ok() ? "accepted" : tooMany.error().message);
        // No shares by default, and a share asked for is refused with the reason.
        CHECK(Settings::defaultShares().empty());
        const auto shared = Settings::parse(R"({"shares": [{"path": "C:\\Users"}]})", "settings.json");
        CHECK(!shared.ok() && shared.error().message.find("not available on Windows") != std::string::npos,
              shared.ok() ? "accepted" : shared.error().message);
        const auto broken = Settings::parse("{\"cpus\": ", "settings.json");
        CHECK(!broken.ok() && broken.error().message.find("settings.json") != std::string::npos,
              broken.ok() ? "accepted" : broken.error().message);
    }
    // QEMU as this host runs it.
    {
        QemuConfig c;
        c.host = thisQemuHost();
        c.binary = c.host.binary;
        c.accel = c.host.hardware;
        c.kernel = "C:\\Berth\\image\\vmlinuz";
        c.rootImage = "C:\\Berth\\image\\root,1.sqfs";
        const auto a = qemuArguments(c);
        const auto after = [&a](const std::string& option) {
            const auto it = std::find(a.begin(), a.end(), option);
            return it == a.end() || it + 1 == a.end() ? std::string() : *(it + 1);
        };
        CHECK(c.binary == "qemu-system-x86_64.exe", c.binary);
        CHECK(after("-accel") == "whpx,kernel-irqchip=off", after("-accel"));
        CHECK(after("-cpu") == "max", after("-cpu"));
        CHECK(std::find(a.begin(), a.end(), "-sandbox") == a.end());
        CHECK(after("-kernel") == "C:\\Berth\\image\\vmlinuz", after("-kernel"));
        CHECK(std::any_of(a.begin(), a.end(), [](const std::string& v) {
            return v.find("file=C:\\Berth\\image\\root,,1.sqfs") != std::string::npos;
        }));
    }
    // The control protocol, both ways.
    {
        const auto request = parseRequest(encode(Request::Disk));
        CHECK(request.ok() && *request == Request::Disk);
        const auto unknown = parseRequest(nlohmann::json{{"request", "reboot"}});
        CHECK(!unknown.ok() && unknown.error().message.find("reboot") != std::string::npos,
              unknown.ok() ? "accepted" : unknown.error().message);
        const auto disk = parseMessage(diskMessage({123, 456}));
        CHECK(disk.ok() && disk->type == Message::Type::Disk && disk->disk.usedBytes == 123 &&
              disk->disk.sizeBytes == 456);
        AgentStatus status;
        status.instance = "default";
        status.cpus = 2;
        const auto back = parseMessage(statusMessage(status, true));
        CHECK(back.ok() && back->type == Message::Type::Event && back->status.instance == "default" &&
              back->status.cpus == 2);
    }
    return berth::test::finish();
}
