#include "berth/vm/Instance.h"
#include "berth/vm/SshKeys.h"
#include "berth/vm/detail/SshWire.h"

#include <map>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>

using namespace berth::vm;

class TestInstance final : public QObject
{
    Q_OBJECT

private:
    static unsigned modeOf(const std::filesystem::path& p)
    {
        struct stat st{};
        ::stat(p.c_str(), &st);
        return st.st_mode & 0777;
    }

    static QByteArray read(const std::filesystem::path& p)
    {
        QFile f(QString::fromStdString(p.string()));
        f.open(QIODevice::ReadOnly);
        return f.readAll();
    }

    static void write(const std::filesystem::path& p, const QByteArray& bytes)
    {
        QFile f(QString::fromStdString(p.string()));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(bytes);
    }

private slots:
    void homeFollowsEnvironment()
    {
        qputenv("BERTH_HOME", "/somewhere/berth-home");
        QCOMPARE(defaultHome().value(), std::filesystem::path("/somewhere/berth-home"));
        qunsetenv("BERTH_HOME");
        qputenv("XDG_DATA_HOME", "/data");
        QCOMPARE(defaultHome().value(), std::filesystem::path("/data/berth"));
        qputenv("XDG_DATA_HOME", "relative"); // the XDG spec ignores a relative one
        qputenv("HOME", "/home/u");
        QCOMPARE(defaultHome().value(), std::filesystem::path("/home/u/.local/share/berth"));
        qunsetenv("XDG_DATA_HOME");
        // No HOME: the password database's home of this user, never /tmp.
        qunsetenv("HOME");
        const passwd* me = ::getpwuid(::getuid());
        QVERIFY(me && me->pw_dir);
        QCOMPARE(defaultHome().value(), std::filesystem::path(me->pw_dir) / ".local" / "share" / "berth");
        qputenv("HOME", "/home/u");
    }

    // Every instance a user can run has its own docker context, so starting one never takes
    // over another's; the user's usual instance keeps the plain name.
    void contextNamesAreDistinct()
    {
        QTemporaryDir dir;
        const auto userData = dir.filePath("data").toStdString();
        qputenv("XDG_DATA_HOME", userData.c_str());
        qputenv("BERTH_HOME", "/elsewhere");
        const auto open = [](const std::string& home, const std::string& name) {
            auto instance = Instance::open(home, name);
            return instance ? instance->dockerContextName() : "error: " + instance.error().message;
        };
        QCOMPARE(open(userData + "/berth", "default"), std::string("berth"));
        QCOMPARE(open(userData + "/berth", "dev"), std::string("berth-dev"));
        // The same folder spelt another way is the same home.
        QCOMPARE(open(userData + "/berth/", "default"), std::string("berth"));
        QCOMPARE(open(userData + "/./berth", "dev"), std::string("berth-dev"));
        std::filesystem::create_directory_symlink(userData + "/berth", dir.filePath("link").toStdString());
        QCOMPARE(open(dir.filePath("link").toStdString(), "default"), std::string("berth"));

        const auto other = open(dir.filePath("other").toStdString(), "default");
        const auto third = open(dir.filePath("third").toStdString(), "default");
        const auto otherDev = open(dir.filePath("other").toStdString(), "dev");
        QVERIFY2(QRegularExpression("^berth-[0-9a-f]{8}$").match(QString::fromStdString(other)).hasMatch(),
                 other.c_str());
        QVERIFY2(other != third, other.c_str());
        QCOMPARE(otherDev, "berth-dev-" + other.substr(6));
        qunsetenv("XDG_DATA_HOME");
        qunsetenv("BERTH_HOME");
    }

    void foldersArePrivate()
    {
        QTemporaryDir home;
        const auto instance = Instance::open(home.filePath("h").toStdString(), "default");
        QVERIFY(instance.ok());
        for (const auto& dir : {instance->dir().parent_path(), instance->dir(), instance->sshDir(), instance->socketDir()})
            QCOMPARE(modeOf(dir), 0700u);
        // Opening again is harmless and re-tightens a loosened folder of Berth's own.
        ::chmod(instance->dir().c_str(), 0755);
        QVERIFY(Instance::open(home.filePath("h").toStdString(), "default").ok());
        QCOMPARE(modeOf(instance->dir()), 0700u);
    }

    // BERTH_HOME may name a folder that is not Berth's ($HOME, /tmp): its mode stays; a home
    // Berth creates is private, and so is everything below it.
    void givenHomeKeepsItsMode()
    {
        QTemporaryDir base;
        const auto shared = base.filePath("shared").toStdString();
        std::filesystem::create_directory(shared);
        ::chmod(shared.c_str(), 0755);
        const auto instance = Instance::open(shared, "default");
        QVERIFY(instance.ok());
        QCOMPARE(modeOf(shared), 0755u);
        QCOMPARE(modeOf(instance->dir()), 0700u);
        QCOMPARE(modeOf(instance->socketDir()), 0700u);
    }

    // A disk only grows: checked against the disk that exists, so a new instance takes any
    // valid size.
    void diskSizeIsCheckedAgainstTheDiskThatExists()
    {
        QTemporaryDir home;
        const auto instance = Instance::open(home.path().toStdString(), "default").value();
        QVERIFY(!instance.dataDiskBytes());
        QVERIFY(instance.checkDiskSize(8).ok());
        {
            QFile disk(QString::fromStdString(instance.dataDisk().string()));
            QVERIFY(disk.open(QIODevice::WriteOnly));
            QVERIFY(disk.resize(16LL << 30)); // sparse
        }
        QCOMPARE(*instance.dataDiskBytes(), 16ULL << 30);
        QVERIFY(instance.checkDiskSize(16).ok());
        QVERIFY(instance.checkDiskSize(20).ok());
        const auto refused = instance.checkDiskSize(8);
        QVERIFY(!refused.ok());
        const auto message = QString::fromStdString(refused.error().message);
        QVERIFY2(message.contains("is 16 GiB") && message.contains("8 GiB is smaller") && message.contains("16 GiB or more"),
                 qPrintable(message));
    }

    void namesAreChecked_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("default") << "default" << true;
        QTest::newRow("dash") << "work-2" << true;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("upper") << "Default" << false;
        QTest::newRow("slash") << "a/b" << false;
        QTest::newRow("dots") << ".." << false;
        QTest::newRow("leading dash") << "-x" << false;
        QTest::newRow("long") << QString(33, 'a') << false;
    }
    void namesAreChecked()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QTemporaryDir home;
        const auto instance = Instance::open(home.path().toStdString(), name.toStdString());
        QCOMPARE(instance.ok(), valid);
        if (!valid)
            QVERIFY(QString::fromStdString(instance.error().message).contains("not a valid instance name"));
    }

    void socketPathMustFit()
    {
        QTemporaryDir home;
        const auto deep = home.filePath(QString(90, 'x')).toStdString();
        const auto instance = Instance::open(deep, "default");
        QVERIFY(!instance.ok());
        QVERIFY2(QString::fromStdString(instance.error().message).contains("set BERTH_HOME to a shorter folder"),
                 instance.error().message.c_str());
    }

    void settingsDefaultThenRoundTrip()
    {
        QTemporaryDir home;
        const auto instance = Instance::open(home.path().toStdString(), "default").value();
        QCOMPARE(instance.loadSettings().value(), Settings{});
        Settings s;
        s.cpus = 1;
        s.memoryMiB = 1536;
        s.diskGiB = 100;
        s.hostAccess = false;
        QVERIFY(instance.saveSettings(s).ok());
        QVERIFY(read(instance.settingsFile()).contains("\"host_access\": false"));
        QCOMPARE(modeOf(instance.settingsFile()), 0600u);
        QCOMPARE(instance.loadSettings().value(), s);
    }

    void badFilesAreRefusedNamingTheField_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("zero cpus") << QByteArray(R"({"cpus": 0})") << "'cpus' is 0; it must be from 1 to";
        QTest::newRow("huge memory") << QByteArray(R"({"memory_mib": 99999999})")
                                     << "'memory_mib' is 99999999 MiB; it must be from 1024 to";
        QTest::newRow("small disk") << QByteArray(R"({"disk_gib": 2})") << "'disk_gib' is 2 GiB; it must be from 8 to 4096 GiB";
        // Quoted as written, not as narrowed or clamped to an int.
        QTest::newRow("negative memory") << QByteArray(R"({"memory_mib": -512})") << "'memory_mib' is -512 MiB; it must be from 1024 to";
        QTest::newRow("huge disk") << QByteArray(R"({"disk_gib": 18446744073709551615})")
                                   << "'disk_gib' is 18446744073709551615 GiB; it must be from 8 to 4096 GiB";
        QTest::newRow("beyond int") << QByteArray(R"({"cpus": 4294967297})") << "'cpus' is 4294967297; it must be from 1 to";
        QTest::newRow("string") << QByteArray(R"({"memory_mib": "lots"})") << "'memory_mib' must be a whole number";
        QTest::newRow("fraction") << QByteArray(R"({"cpus": 1.5})") << "'cpus' must be a whole number";
        QTest::newRow("typo") << QByteArray(R"({"cpu": 2})") << "unknown setting 'cpu' (known: cpus, memory_mib, disk_gib, shares, port_bind_address, share_transport, "
                                   "host_access, host_registries, containerd_image_store, http_proxy, https_proxy, no_proxy)";
        QTest::newRow("host access word") << QByteArray(R"({"host_access": "no"})")
                                          << "'host_access' must be true or false, not \"no\"";
        QTest::newRow("bind address") << QByteArray(R"({"port_bind_address": "192.168.1.9"})")
                                      << "'port_bind_address' is '192.168.1.9'; it must be 127.0.0.1";
        QTest::newRow("transport") << QByteArray(R"({"share_transport": "nfs"})")
                                   << "'share_transport' is 'nfs'; it must be auto, 9p or virtiofs";
        QTest::newRow("shares not a list") << QByteArray(R"({"shares": "/tmp"})") << "'shares' must be a list";
        QTest::newRow("share without path") << QByteArray(R"({"shares": [{"read_only": true}]})")
                                            << "each entry of 'shares' needs a";
        QTest::newRow("share key typo") << QByteArray(R"({"shares": [{"path": "/tmp", "readonly": true}]})")
                                        << "unknown key 'readonly' in a share";
        QTest::newRow("relative share") << QByteArray(R"({"shares": [{"path": "src"}]})")
                                        << "the shared folder 'src' is not an absolute path";
        QTest::newRow("missing share") << QByteArray(R"({"shares": [{"path": "/no/such/berth/folder"}]})")
                                       << "the shared folder '/no/such/berth/folder' does not exist";
        QTest::newRow("system share") << QByteArray(R"({"shares": [{"path": "/usr/share"}]})")
                                      << "'/usr/share' cannot be shared: it would hide /usr";
        QTest::newRow("root share") << QByteArray(R"({"shares": [{"path": "/"}]})") << "'/' cannot be shared";
        QTest::newRow("twice") << QByteArray(R"({"shares": [{"path": "/tmp"}, {"path": "/tmp"}]})")
                               << "the folder '/tmp' is shared twice";
        QTest::newRow("unplain") << QByteArray(R"({"shares": [{"path": "/tmp/../tmp"}]})") << "write it as '/tmp'";
        QTest::newRow("not json") << QByteArray("cpus=2") << "is not a JSON object";
        QTest::newRow("array") << QByteArray("[1]") << "is not a JSON object";
    }
    void badFilesAreRefusedNamingTheField()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        QTemporaryDir home;
        const auto instance = Instance::open(home.path().toStdString(), "default").value();
        write(instance.settingsFile(), json);
        const auto loaded = instance.loadSettings();
        QVERIFY(!loaded.ok());
        const auto message = QString::fromStdString(loaded.error().message);
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains("settings.json"), qPrintable(message));
        QCOMPARE(read(instance.settingsFile()), json); // loading never rewrites the file
    }

    // Shares: nesting is refused whichever comes first; the defaults are the home and the
    // temporary folder; a saved list round-trips with its read-only flags.
    void sharesAreChecked()
    {
        QTemporaryDir dir;
        const auto root = dir.path().toStdString();
        QVERIFY(QDir().mkpath(dir.path() + "/a/b"));
        for (const auto& list : {std::vector<Settings::Share>{{root + "/a", false}, {root + "/a/b", true}},
                                 std::vector<Settings::Share>{{root + "/a/b", false}, {root + "/a", false}}}) {
            const auto checked = Settings::checkShares(list);
            QVERIFY(!checked.ok());
            const auto message = QString::fromStdString(checked.error().message);
            QVERIFY2(message.contains(QString::fromStdString("'" + root + "/a/b' is inside '" + root + "/a'")),
                     qPrintable(message));
        }
        QVERIFY(!Settings::checkShares({{root + "/a", false}, {root + "/ab", false}}).ok()); // ab is missing
        QVERIFY(QDir().mkpath(dir.path() + "/ab"));
        QVERIFY(Settings::checkShares({{root + "/a", false}, {root + "/ab", true}}).ok()); // siblings, not nested

        const auto defaults = Settings::defaultShares();
        QVERIFY(!defaults.empty());
        QVERIFY(Settings::checkShares(defaults).ok());
        QCOMPARE(QString::fromStdString(defaults.back().path), QDir::tempPath());

        const auto home = Instance::open(root + "/home", "default").value();
        Settings s;
        s.shares = {{root + "/a", true}, {root + "/ab", false}};
        s.portBindAddress = "0.0.0.0";
        QVERIFY(home.saveSettings(s).ok());
        const auto loaded = home.loadSettings();
        QVERIFY(loaded.ok());
        QVERIFY(loaded.value() == s);
        QVERIFY(loaded->shareHolding(root + "/a/b/c.txt") && loaded->shareHolding(root + "/a/b/c.txt")->readOnly);
        QVERIFY(!loaded->shareHolding(root + "/abc"));
    }

    void refusedSaveChangesNothing()
    {
        QTemporaryDir home;
        const auto instance = Instance::open(home.path().toStdString(), "default").value();
        QVERIFY(instance.saveSettings(Settings{}).ok());
        const auto before = read(instance.settingsFile());
        Settings bad;
        bad.cpus = 100000;
        const auto saved = instance.saveSettings(bad);
        QVERIFY(!saved.ok());
        QVERIFY(QString::fromStdString(saved.error().message).contains("was not changed"));
        QCOMPARE(read(instance.settingsFile()), before);
        QVERIFY(QDir(QString::fromStdString(instance.dir().string()))
                    .entryList({".settings.json.tmp*"}, QDir::Files | QDir::Hidden)
                    .isEmpty()); // no temporary file left
    }

    // OpenSSH itself reads the keys Berth writes: ssh-keygen derives the same public key from
    // the private file.
    // daemon.json ("Docker Engine" configuration): optional, must be a JSON object, and may
    // not move dockerd onto another listener.
    void daemonConfigIsChecked_data()
    {
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<QString>("error"); // empty: accepted
        QTest::newRow("registry") << QByteArray("{\"insecure-registries\": [\"10.0.2.2:5000\"]}") << QString();
        QTest::newRow("empty object") << QByteArray("{}") << QString();
        QTest::newRow("not json") << QByteArray("{insecure") << QString("not a JSON object");
        QTest::newRow("array") << QByteArray("[]") << QString("not a JSON object");
        QTest::newRow("hosts") << QByteArray("{\"hosts\": [\"tcp://0.0.0.0:2375\"]}") << QString("sets \"hosts\"");
        QTest::newRow("tls") << QByteArray("{\"tls\": true}") << QString("sets \"tls\"");
        QTest::newRow("data-root") << QByteArray("{\"data-root\": \"/srv/docker\"}") << QString("sets \"data-root\"");
        QTest::newRow("exec-root") << QByteArray("{\"exec-root\": \"/x\"}") << QString("sets \"exec-root\"");
        QTest::newRow("features") << QByteArray("{\"features\": {\"containerd-snapshotter\": true}}") << QString();
        QTest::newRow("features list") << QByteArray("{\"features\": [\"containerd-snapshotter\"]}")
                                       << QString("\"features\" is not an object");
    }

    void daemonConfigIsChecked()
    {
        QFETCH(QByteArray, contents);
        QFETCH(QString, error);
        QTemporaryDir home;
        const auto instance = Instance::open(home.path().toStdString(), "default").value();
        const auto none = instance.checkDaemonConfig();
        QVERIFY(none && none->empty());
        write(instance.daemonConfig(), contents);
        const auto checked = instance.checkDaemonConfig();
        if (error.isEmpty()) {
            QVERIFY2(checked, checked ? "" : checked.error().message.c_str());
            QVERIFY(nlohmann::json::parse(*checked) == nlohmann::json::parse(contents.toStdString()));
        } else {
            QVERIFY(!checked);
            const auto message = QString::fromStdString(checked.error().message);
            QVERIFY2(message.contains(error) && message.contains("daemon.json"), qPrintable(message));
        }
    }

    // What the guest's dockerd gets: the user's entries win; the host's address is added for
    // host-gateway and among the insecure registries only when the settings allow it.
    void guestDaemonConfigAddsTheHost()
    {
        Settings on;
        auto json = nlohmann::json::parse(berth::vm::daemonConfigForGuest("", on));
        QCOMPARE(json.value("host-gateway-ip", ""), std::string("10.0.2.2"));
        QVERIFY(json["insecure-registries"] == nlohmann::json::array({"10.0.2.2/32"}));

        json = nlohmann::json::parse(berth::vm::daemonConfigForGuest(
            R"({"host-gateway-ip":"192.168.5.1","insecure-registries":["reg:5000","10.0.2.2/32"],"debug":true})", on));
        QCOMPARE(json.value("host-gateway-ip", ""), std::string("192.168.5.1"));
        QVERIFY(json["insecure-registries"] == nlohmann::json::array({"reg:5000", "10.0.2.2/32"}));
        QCOMPARE(json.value("debug", false), true);

        Settings off;
        off.hostAccess = false;
        off.hostRegistries = false;
        QCOMPARE(berth::vm::daemonConfigForGuest("", off), std::string("{}"));
        QCOMPARE(berth::vm::daemonConfigForGuest(R"({"debug":true})", off), std::string(R"({"debug":true})"));
    }

    // The containerd image store: the setting turns on dockerd's feature flag, unless the user's
    // daemon.json sets that flag (either way), which then decides.
    void imageStoreFollowsTheSettingUnlessDaemonJsonDecides()
    {
        Settings classic;
        Settings containerd;
        containerd.containerdImageStore = true;
        QVERIFY(!berth::vm::imageStoreOf("", classic).containerd);
        QVERIFY(!nlohmann::json::parse(berth::vm::daemonConfigForGuest("", classic)).contains("features"));
        auto store = berth::vm::imageStoreOf("", containerd);
        QVERIFY(store.containerd && !store.setInDaemonJson);
        auto json = nlohmann::json::parse(berth::vm::daemonConfigForGuest(R"({"features":{"buildkit":true}})", containerd));
        QVERIFY(json["features"] == nlohmann::json({{"buildkit", true}, {"containerd-snapshotter", true}}));

        const std::string userOff = R"({"features":{"containerd-snapshotter":false}})";
        store = berth::vm::imageStoreOf(userOff, containerd);
        QVERIFY(!store.containerd && store.setInDaemonJson);
        QVERIFY(nlohmann::json::parse(berth::vm::daemonConfigForGuest(userOff, containerd))["features"] ==
                nlohmann::json({{"containerd-snapshotter", false}}));
        store = berth::vm::imageStoreOf(R"({"features":{"containerd-snapshotter":true}})", classic);
        QVERIFY(store.containerd && store.setInDaemonJson);
        QCOMPARE(std::string(berth::vm::imageStoreName(true)), std::string("containerd"));
    }

    // Proxies: the settings win over the environment; a proxy on this computer's loopback is
    // reached at 10.0.2.2; the VM's own names never go through it; the engine gets them in its
    // daemon.json unless the user set "proxies" there. A bad proxy setting is refused without
    // showing its password.
    void proxiesForTheEngine()
    {
        std::map<std::string, std::string> env{{"HTTPS_PROXY", "http://user:pw@localhost:3128"},
                                               {"no_proxy", "corp.example,localhost"}};
        const auto getenv = [&env](const char* name) -> const char* {
            const auto it = env.find(name);
            return it == env.end() ? nullptr : it->second.c_str();
        };
        Settings s;
        auto p = s.effectiveProxies(getenv);
        QCOMPARE(p.http, std::string());
        QCOMPARE(p.https, std::string("http://user:pw@10.0.2.2:3128"));
        QCOMPARE(p.no, std::string("corp.example,localhost,127.0.0.1,::1,host.docker.internal,gateway.docker.internal"));
        auto json = nlohmann::json::parse(berth::vm::daemonConfigForGuest("", s, p));
        QCOMPARE(json["proxies"].value("https-proxy", ""), std::string("http://user:pw@10.0.2.2:3128"));
        QVERIFY(!json["proxies"].contains("http-proxy"));
        json = nlohmann::json::parse(
            berth::vm::daemonConfigForGuest("{\"proxies\":{\"http-proxy\":\"http://mine:1\"}}", s, p));
        QCOMPARE(json["proxies"].value("http-proxy", ""), std::string("http:") + "//mine:1");
        QCOMPARE(json["proxies"].size(), std::size_t(1));

        s.httpProxy = "http://[::1]:8080/";
        p = s.effectiveProxies(getenv);
        QCOMPARE(p.http, std::string("http://10.0.2.2:8080/"));
        QCOMPARE(p.https, std::string()); // the settings' (empty), not the environment's
        env = {{"http_proxy", "proxy.example:3128"}}; // not a URL: left out
        QVERIFY(Settings{}.effectiveProxies(getenv).empty());

        QTemporaryDir home;
        const auto instance = Instance::open(home.path().toStdString(), "default").value();
        write(instance.settingsFile(), "{\"http_proxy\": \"ftp://me:hunter2@proxy:21\"}");
        const auto loaded = instance.loadSettings();
        QVERIFY(!loaded.ok());
        const auto message = QString::fromStdString(loaded.error().message);
        QVERIFY2(message.contains("'http_proxy' is 'ftp://me:***@proxy:21'; it must start with http://") &&
                     !message.contains("hunter2"),
                 qPrintable(message));
    }

    // The encodings keys and the forwarder's messages are written in: RFC 4648's base64 vectors
    // both ways, an SSH integer that needs a sign byte, PEM.
    void sshWireEncodings()
    {
        using namespace berth::vm::detail;
        const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                               {"f", "Zg=="},
                                                               {"fo", "Zm8="},
                                                               {"foo", "Zm9v"},
                                                               {"foob", "Zm9vYg=="},
                                                               {"fooba", "Zm9vYmE="},
                                                               {"foobar", "Zm9vYmFy"},
                                                               {std::string("\xff\x00\xfe", 3), "/wD+"}};
        for (const auto& [bytes, text] : vectors) {
            QCOMPARE(base64(bytes), text);
            QCOMPARE(base64Decode(text).value_or("?"), bytes);
        }
        for (const char* bad : {"Zg=", "Z===", "Zm9v!A==", "Zg==Zg==", "abc"})
            QVERIFY2(!base64Decode(bad), bad);
        std::string mpint;
        putMpint(mpint, std::string("\x00\x80\x01", 3));
        QCOMPARE(mpint, std::string("\x00\x00\x00\x03\x00\x80\x01", 7));
        QVERIFY(pem("RSA PRIVATE KEY", "foo").starts_with("-----BEGIN RSA PRIVATE KEY-----\nZm9v\n-----END"));
    }

    void keysAreOpenSshKeys()
    {
        QTemporaryDir home;
        const auto instance = Instance::open(home.path().toStdString(), "default").value();
        QVERIFY(instance.ensureKeys().ok());
        for (const auto& key : {instance.clientKey(), instance.hostKey()}) {
            QCOMPARE(modeOf(key), 0600u);
            QProcess keygen;
            keygen.start("ssh-keygen", {"-y", "-f", QString::fromStdString(key.string())});
            QVERIFY(keygen.waitForFinished(10000));
            QVERIFY2(keygen.exitCode() == 0, keygen.readAllStandardError().constData());
            const auto derived = keygen.readAllStandardOutput().trimmed().split(' ').mid(0, 2).join(' ');
            const auto written = read(key.string() + ".pub").trimmed().split(' ').mid(0, 2).join(' ');
            QCOMPARE(derived, written);
        }
        QCOMPARE(QByteArray::fromStdString(instance.hostPublicKey().value()),
                 read(instance.hostKey().string() + ".pub").trimmed().split(' ').mid(0, 2).join(' '));
        // Idempotent: the pinned key never changes once made.
        const auto pinned = read(instance.hostKey());
        QVERIFY(instance.ensureKeys().ok());
        QCOMPARE(read(instance.hostKey()), pinned);
        // Two generations differ.
        QVERIFY(generateEd25519("a").value().publicKey != generateEd25519("a").value().publicKey);
    }
};

QTEST_GUILESS_MAIN(TestInstance)
#include "tst_instance.moc"
