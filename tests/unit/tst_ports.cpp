// How a container's published ports become host forwards, and which bind mounts Berth warns
// about. The "Ports" arrays are the engine's own (docker.io 26.1.5 in the guest, captured from
// GET /containers/json): IPv4 and IPv6 entries of one port, a loopback-only port, UDP, and a
// port that is only exposed.
#include "berth/vm/PortPublisher.h"
#include "berth/vm/QemuCommand.h"

#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace berth::vm;
using nlohmann::json;

namespace {

const char* const kWeb2Ports =
    "[{\"IP\": \"0.0.0.0\", \"PrivatePort\": 80, \"PublicPort\": 18081, \"Type\": \"tcp\"},"
    " {\"IP\": \"::\", \"PrivatePort\": 80, \"PublicPort\": 18081, \"Type\": \"tcp\"},"
    " {\"IP\": \"0.0.0.0\", \"PrivatePort\": 90, \"PublicPort\": 32768, \"Type\": \"tcp\"},"
    " {\"IP\": \"::\", \"PrivatePort\": 90, \"PublicPort\": 32768, \"Type\": \"tcp\"},"
    " {\"PrivatePort\": 443, \"Type\": \"tcp\"}]";
const char* const kLoopbackUdpPorts =
    "[{\"IP\": \"127.0.0.1\", \"PrivatePort\": 9000, \"PublicPort\": 19000, \"Type\": \"udp\"},"
    " {\"IP\": \"127.0.0.1\", \"PrivatePort\": 80, \"PublicPort\": 18080, \"Type\": \"tcp\"}]";

} // namespace

class TestPorts : public QObject
{
    Q_OBJECT

private slots:
    void allAddressesBindTheChosenHostAddressOnce()
    {
        for (const std::string bind : {"127.0.0.1", "0.0.0.0"}) {
            const auto wanted = forwardsFor(json::parse(kWeb2Ports), bind);
            QCOMPARE(wanted.size(), std::size_t(2)); // IPv6 duplicates merged; exposed-only skipped
            QCOMPARE(wanted[0].forward, (PortForward{"tcp", bind, 18081, kGuestAddress, 18081}));
            QCOMPARE(wanted[0].containerPort, 80);
            QCOMPARE(wanted[1].forward, (PortForward{"tcp", bind, 32768, kGuestAddress, 32768}));
            QCOMPARE(wanted[1].containerPort, 90);
        }
    }

    // A port the user published on 127.0.0.1 stays on the host's loopback even when every
    // interface is allowed, and is reached through the guest's loopback relay.
    void loopbackPortsStayOnLoopback()
    {
        const auto wanted = forwardsFor(json::parse(kLoopbackUdpPorts), "0.0.0.0");
        QCOMPARE(wanted.size(), std::size_t(2));
        QCOMPARE(wanted[0].forward, (PortForward{"udp", "127.0.0.1", 19000, kGuestLoopbackRelay, 19000}));
        QCOMPARE(wanted[1].forward, (PortForward{"tcp", "127.0.0.1", 18080, kGuestLoopbackRelay, 18080}));
    }

    // A created container's PortBindings (from inspect): numbered host ports are known before
    // its start; -P and ranges are the engine's choice at start, so they are left out.
    void createdContainersBindingsGiveNumberedPortsOnly()
    {
        const auto bindings = json::parse(
            "{\"80/tcp\": [{\"HostIp\": \"127.0.0.1\", \"HostPort\": \"18080\"}],"
            " \"53/udp\": [{\"HostIp\": \"\", \"HostPort\": \"5353\"}],"
            " \"443/tcp\": [{\"HostIp\": \"\", \"HostPort\": \"\"}],"
            " \"90/tcp\": [{\"HostIp\": \"\", \"HostPort\": \"9000-9010\"}]}");
        const auto wanted = forwardsForBindings(bindings, "127.0.0.1");
        QCOMPARE(wanted.size(), std::size_t(2));
        QCOMPARE(wanted[0].forward, (PortForward{"udp", "127.0.0.1", 5353, kGuestAddress, 5353}));
        QCOMPARE(wanted[0].containerPort, 53);
        QCOMPARE(wanted[1].forward, (PortForward{"tcp", "127.0.0.1", 18080, kGuestLoopbackRelay, 18080}));
        QCOMPARE(wanted[1].containerPort, 80);
    }

    void oddEntriesAreSkipped()
    {
        QVERIFY(forwardsFor(json::object(), "127.0.0.1").empty());
        QVERIFY(forwardsFor(json::parse("[{\"IP\": \"0.0.0.0\", \"PrivatePort\": 5, \"PublicPort\": 5000,"
                                        " \"Type\": \"sctp\"}]"),
                            "127.0.0.1")
                    .empty());
    }

    void monitorCommands()
    {
        QCOMPARE(hostForwardAddCommand("udp", "127.0.0.1", 19000, "10.0.2.100", 19000),
                 std::string("hostfwd_add net0 udp:127.0.0.1:19000-10.0.2.100:19000"));
        QCOMPARE(hostForwardRemoveCommand("tcp", "0.0.0.0", 8080), std::string("hostfwd_remove net0 tcp:0.0.0.0:8080"));
    }

    void sharesBecomeNinePDevices()
    {
        QemuConfig c;
        c.shares = {{"/home/a,b", false, {}}, {"/tmp", true, {}}};
        auto args = qemuArguments(c);
        const auto has = [&args](const std::string& value) {
            return std::find(args.begin(), args.end(), value) != args.end();
        };
        QVERIFY(has("local,id=fs0,path=/home/a,,b,security_model=none"));
        QVERIFY(has("virtio-9p-pci,fsdev=fs0,mount_tag=berth0"));
        QVERIFY(has("local,id=fs1,path=/tmp,security_model=none,readonly=on"));
        QVERIFY(has("virtio-9p-pci,fsdev=fs1,mount_tag=berth1"));
        QVERIFY(has("q35"));

        // virtiofs: a vhost-user device on virtiofsd's socket, and guest memory it can map.
        c.shares[1].virtiofsSocket = "/run/b/virtiofs1.sock";
        c.memoryMiB = 3072;
        args = qemuArguments(c);
        QVERIFY(has("memory-backend-memfd,id=mem,share=on,size=3072M"));
        QVERIFY(has("q35,memory-backend=mem"));
        QVERIFY(has("socket,id=fs1,path=/run/b/virtiofs1.sock"));
        QVERIFY(has("vhost-user-fs-pci,chardev=fs1,tag=berth1"));
        QVERIFY(has("virtio-9p-pci,fsdev=fs0,mount_tag=berth0"));
    }

    void unsharedBindMountsAreNamed()
    {
        QTemporaryDir dir;
        Settings settings;
        settings.shares = {{dir.path().toStdString(), false}};
        QVERIFY(unsharedMountWarning("web", dir.path().toStdString() + "/src", settings).empty());
        QVERIFY(unsharedMountWarning("web", "/var/run/docker.sock", settings).empty());
        QVERIFY(unsharedMountWarning("web", "/proc/cpuinfo", settings).empty());
        const auto warning = QString::fromStdString(unsharedMountWarning("web", "/srv/data", settings));
        QVERIFY2(warning.contains("container 'web' mounts /srv/data, which is not shared"), qPrintable(warning));
        QVERIFY2(warning.contains("Shared folders: " + dir.path()), qPrintable(warning));
        QVERIFY2(warning.contains("berth shares add /srv/data"), qPrintable(warning));
        // A sibling whose name starts with a shared folder's is not inside it.
        QVERIFY(!unsharedMountWarning("web", dir.path().toStdString() + "x/y", settings).empty());
    }
};

QTEST_GUILESS_MAIN(TestPorts)
#include "tst_ports.moc"
