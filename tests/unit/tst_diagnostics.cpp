// `berth diagnose` and what it is made of: the tar.gz writer, read back by the system's tar; the
// redaction of secrets; and a bundle of a real instance folder, searched for its secrets.
#include "BerthHome.h"
#include "RunProcess.h"
#include "TestPaths.h"
#include "berth/vm/Diagnostics.h"
#include "berth/vm/Instance.h"
#include "berth/vm/TarGz.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>

using namespace berth::vm;
using berth::test::runProcess;

// QCOMPARE cannot print or even compare nlohmann::json against Qt's overloads.
#define QCOMPARE_JSON(actual, expected)                                                                      \
    QVERIFY2((actual) == nlohmann::json(expected),                                                           \
             qPrintable(QString::fromStdString((actual).dump() + " != " + nlohmann::json(expected).dump())))

namespace {

QByteArray readAll(const QString& file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return "(cannot read " + file.toUtf8() + ")";
    return f.readAll();
}

void writeFile(const std::filesystem::path& file, const QByteArray& bytes)
{
    QFile f(QString::fromStdString(file.string()));
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(bytes), bytes.size());
}

std::string_view view(const QByteArray& bytes)
{
    return {bytes.constData(), static_cast<std::size_t>(bytes.size())};
}

// The secrets the bundle test plants; none may appear in the archive.
const QList<QByteArray> kSecrets{"mirror-pw-Zq81", "daemon-pw-Xy72",    "proxy-pw-Wv63",
                                 "token-Ut54",     "settings-key-Ts45", "status-pw-Sr36"};

} // namespace

class TestDiagnostics final : public QObject
{
    Q_OBJECT

private:
    // What the system's tar (or gzip) prints; "(failed)", with a warning saying why, when it fails.
    static QByteArray tool(const QString& program, const QStringList& args)
    {
        const auto run = runProcess(program, args, {}, 60000);
        if (run.exitCode != 0)
            qWarning().noquote() << program << args.join(' ') << berth::test::describe(run);
        return run.exitCode == 0 ? run.out : QByteArray("(failed)");
    }

private slots:
    void tarRoundTripsThroughSystemTar()
    {
        QTemporaryDir dir;
        const auto archive = dir.filePath("a.tar.gz");
        const auto mtime = std::chrono::system_clock::from_time_t(1609556645); // 2021-01-02 03:04:05 UTC

        QByteArray big(200003, Qt::Uninitialized); // > 64 KiB, not a multiple of 512
        QRandomGenerator rng(42);
        for (auto& b : big)
            b = static_cast<char>(rng.bounded(256));
        const QString name99 = "top/" + QString(95, 'n');
        const QString name100 = "top/" + QString(96, 'm');
        const QString longName =
            "top/" + QString(70, 'd') + "/" + QString(60, 'e') + "/" + QString(90, 'f') + ".txt";
        QVERIFY(longName.size() > 200);
        const QList<std::pair<QString, QByteArray>> files{
            {"top/small.txt", "hello, tar\n"},
            {"top/empty", {}},
            {"top/big.bin", big},
            {name99, "ninety-nine"},
            {name100, "one hundred"},
            {longName, "split into prefix and name"},
            {"top/exact-block", QByteArray(512, 'x')},
        };
        {
            auto writer = TarGzWriter::create(archive.toStdString());
            QVERIFY2(writer.ok(), writer.ok() ? "" : writer.error().message.c_str());
            QVERIFY(writer->addDirectory("top", mtime).ok());
            for (const auto& [name, bytes] : files) {
                const auto added = writer->addFile(name.toStdString(), view(bytes), mtime);
                QVERIFY2(added.ok(), added.ok() ? "" : added.error().message.c_str());
            }
            QVERIFY(writer->finish().ok());
            QVERIFY(!writer->addFile("late", "x", mtime).ok());
        }

        QStringList expected{"top/"};
        for (const auto& f : files)
            expected << f.first;
        QCOMPARE(QString::fromUtf8(tool("tar", {"-tzf", archive})).split('\n', Qt::SkipEmptyParts), expected);

        const auto listing =
            QString::fromUtf8(tool("tar", {"-tzvf", archive})).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(listing.size(), expected.size());
        QVERIFY2(listing.first().startsWith("drwx------"), qPrintable(listing.first()));
        for (int i = 1; i < listing.size(); ++i)
            QVERIFY2(listing[i].startsWith("-rw-------"), qPrintable(listing[i]));

        const auto out = dir.filePath("out");
        QVERIFY(QDir().mkpath(out));
        QVERIFY(tool("tar", {"-xzf", archive, "-C", out}) != "(failed)");
        for (const auto& [name, bytes] : files) {
            const QFileInfo info(out + "/" + name);
            QVERIFY2(info.isFile(), qPrintable(name));
            QCOMPARE(info.size(), bytes.size());
            QCOMPARE(readAll(info.filePath()), bytes);
            QCOMPARE(info.lastModified().toSecsSinceEpoch(), 1609556645);
        }
        QVERIFY(!tool("gzip", {"-t", archive}).startsWith("(failed)")); // the gzip trailer's CRC too
    }

    void tarRefusesWhatItCannotHold()
    {
        QTemporaryDir dir;
        const auto archive = dir.filePath("b.tar.gz").toStdString();
        auto writer = TarGzWriter::create(archive);
        QVERIFY(writer.ok());
        const auto now = std::chrono::system_clock::now();
        for (const std::string& name : {std::string(101, 'x'),            // no '/' to split at
                                        std::string(160, 'p') + "/short", // prefix > 155
                                        "a/" + std::string(101, 'n'),     // name part > 100
                                        std::string("/etc/passwd"), std::string("a/../b"), std::string()}) {
            const auto added = writer->addFile(name, "x", now);
            QVERIFY2(!added.ok(), name.c_str());
            QVERIFY(!added.error().message.empty());
        }
        QVERIFY(writer->finish().ok());
        QCOMPARE(tool("tar", {"-tzf", QString::fromStdString(archive)}), QByteArray()); // empty, yet valid

        // An existing file is never overwritten by the writer.
        const auto again = TarGzWriter::create(archive);
        QVERIFY(!again.ok());
        QVERIFY(again.error().message.find(archive) != std::string::npos);
    }

    void secretNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("secret");
        for (const char* s : {"password",
                              "Password",
                              "db_passwd",
                              "passphrase",
                              "clientSecret",
                              "GITHUB_TOKEN",
                              "credentials",
                              "credsStore-credential",
                              "apikey",
                              "api_key",
                              "X-Api-Key",
                              "privateKey",
                              "private",
                              "auth",
                              "auths",
                              "Authorization",
                              "key",
                              "tlskey",
                              "AWS_ACCESS_KEY_ID",
                              "APIKey",
                              "session_cookie"})
            QTest::newRow(s) << s << true;
        for (const char* s :
             {"keys", "keyboard", "cpus", "memory_mib", "registry-mirrors", "insecure-registries", "path",
              "read_only", "HTTP_PROXY", "debug", "name", "monkeys", "Secure", "passthrough"})
            QTest::newRow(s) << s << false;
    }
    void secretNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, secret);
        QCOMPARE(looksSecret(name.toStdString()), secret);
    }

    void urlUserinfoIsRedacted()
    {
        QCOMPARE(redactUrls("http://user:pw@proxy:3128/x"), std::string("http://<redacted>@proxy:3128/x"));
        QCOMPARE(redactUrls("HTTPS_PROXY=https://tok@h?q=1 and socks5://a:b@c"),
                 std::string("HTTPS_PROXY=https://<redacted>@h?q=1 and socks5://<redacted>@c"));
        QCOMPARE(redactUrls("\"https://u:p@r.example\""), std::string("\"https://<redacted>@r.example\""));
        // No userinfo: left alone, '@' in a path included.
        for (const char* same : {"https://registry.example/v2", "https://h/@scope/pkg", "mail me@example.org",
                                 "http://", "plain text"})
            QCOMPARE(redactUrls(same), std::string(same));
    }

    void jsonSecretsAreRedacted()
    {
        // Built in code rather than parsed: moc misreads "//" inside raw string literals.
        const nlohmann::json input = {
            {"password", "s-p1"},
            {"nested",
             {{"auth", {{"user", "u"}, {"pass", "s-p2"}}},
              {"apiKey", "s-k3"},
              {"AWS_ACCESS_KEY_ID", "s-k4"},
              {"deeper", nlohmann::json::array({{{"token", "s-t5"}}, {{"Secret", 12345}}})}}},
            {"env", {"PATH=/usr/bin", "DB_PASSWORD=s-p6", "--registry-token=s-t7", "plain"}},
            {"proxies", {{"http-proxy", "http://user:s-p8@proxy:3128"}, {"no-proxy", "localhost"}}},
            {"https://bob:s-p9@registry.example", {{"insecure", true}}},
            {"private_key", {"s-pk1", "s-pk2"}},
            {"keys", {"a", "b"}},
            {"authEnabled", false},
            {"secret", nullptr},
            {"registry-mirrors", nlohmann::json::array({"https://mirror.example/v2"})},
            {"cpus", 4},
            {"name", "berth"},
        };
        const auto out = redactSecrets(input);
        const auto text = out.dump();
        for (const char* secret : {"s-p1", "s-p2", "s-k3", "s-k4", "s-t5", "12345", "s-p6", "s-t7", "s-p8",
                                   "s-p9", "s-pk1", "s-pk2"})
            QVERIFY2(text.find(secret) == std::string::npos, secret);

        QCOMPARE_JSON(out["password"], "<redacted>");
        QCOMPARE_JSON(out["nested"]["auth"], "<redacted>"); // an object under a secret name goes whole
        QCOMPARE_JSON(out["nested"]["deeper"][0]["token"], "<redacted>");
        QCOMPARE_JSON(out["nested"]["deeper"][1]["Secret"], "<redacted>");
        QCOMPARE_JSON(out["env"], nlohmann::json::parse(R"(["PATH=/usr/bin", "DB_PASSWORD=<redacted>",
                                                       "--registry-token=<redacted>", "plain"])"));
        QCOMPARE_JSON(out["proxies"]["http-proxy"], "http://<redacted>@proxy:3128");
        QVERIFY(out.contains("https://<redacted>@registry.example"));
        QCOMPARE_JSON(out["private_key"], "<redacted>");

        // Ordinary values, and booleans and null under secret names, stay as they were.
        for (const char* same : {"keys", "authEnabled", "secret", "registry-mirrors", "cpus", "name"})
            QCOMPARE_JSON(out[same], input[same]);
        QCOMPARE(out["nested"]["auth"].is_string(), true);
        QCOMPARE_JSON(out["proxies"]["no-proxy"], "localhost");
        QCOMPARE_JSON(out["https://<redacted>@registry.example"], input["https://bob:s-p9@registry.example"]);
    }

    void jsonTextKeepsOrderAndRefusesNonJson()
    {
        const auto text = redactJsonText(R"({"zeta": 1, "alpha": {"token": "t-1", "b": 2, "a": 3}})");
        QVERIFY(text.ok());
        QCOMPARE(*text, std::string("{\n  \"zeta\": 1,\n  \"alpha\": {\n    \"token\": \"<redacted>\",\n"
                                    "    \"b\": 2,\n    \"a\": 3\n  }\n}\n"));
        const auto broken = redactJsonText(R"({"password": "leak-me" )");
        QVERIFY(!broken.ok());
        QVERIFY(broken.error().message.find("leak-me") == std::string::npos);
    }

    void bundleHoldsTheInstanceWithoutItsSecrets()
    {
        berth::test::BerthHome home("/tmp/bdiag-XXXXXX");
        QVERIFY(home.isValid());
        auto instance = Instance::open(home.home().toStdString(), "default");
        QVERIFY2(instance.ok(), instance.ok() ? "" : instance.error().message.c_str());

        const nlohmann::json settingsJson = {
            {"cpus", 2},
            {"memory_mib", 2048},
            {"registry_auth_key", "settings-key-Ts45"},
            {"shares", nlohmann::json::array({{{"path", "/home/u"}, {"read_only", false}}})}};
        writeFile(instance->settingsFile(), QByteArray::fromStdString(settingsJson.dump(2)));
        const nlohmann::json daemonJson = {
            {"registry-mirrors",
             nlohmann::json::array({"https://mirror-user:mirror-pw-Zq81@mirror.example"})},
            {"password", "daemon-pw-Xy72"},
            {"debug", true},
            {"proxies", {{"http-proxy", "http://p:proxy-pw-Wv63@proxy.example:3128"}}},
            {"env", {"REGISTRY_TOKEN=token-Ut54", "TZ=UTC"}}};
        writeFile(instance->daemonConfig(), QByteArray::fromStdString(daemonJson.dump(2)));
        // A log larger than the limit keeps its last whole lines; older generations come along.
        QByteArray agentLog;
        for (int i = 0; i < 2000; ++i)
            agentLog += "agent line " + QByteArray::number(i) + "\n";
        writeFile(instance->agentLog(), agentLog);
        writeFile(instance->logDir() / "agent.1.log", "older agent log\n");
        writeFile(instance->consoleLog(),
                  "[    0.000000] Linux version 6.12\nproxy http://p:proxy-pw-Wv63@h\n");
        writeFile(instance->logDir() / "console.1.log", "older console\n");

        QTemporaryDir outDir;
        DiagnosticsOptions options;
        options.output = outDir.filePath("bundle.tar.gz").toStdString();
        options.at = std::chrono::system_clock::from_time_t(1700000000); // 2023-11-14 22:13:20 UTC
        options.maxLogBytes = 4096;
        options.statusJson = [] {
            return nlohmann::json{{"state", "error"},
                                  {"last_error", "pull https://u:status-pw-Sr36@r failed"}}
                .dump();
        };
        options.versionText = [] {
            return std::string("Berth 0.1.0\n");
        };
        options.engineTimeout = std::chrono::seconds(5);
        const auto report = writeDiagnostics(*instance, options);
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());
        QCOMPARE(report->archive.string(), options.output.string());
        // Nothing but the archive is left in its folder: no temporary file.
        QCOMPARE(QDir(outDir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList{"bundle.tar.gz"});

        const QString top = "berth-diagnostics-20231114-221320";
        const auto archive = outDir.filePath("bundle.tar.gz");
        const auto names = QString::fromUtf8(tool("tar", {"-tzf", archive})).split('\n', Qt::SkipEmptyParts);
        QStringList expected{top + "/"};
        for (const char* f :
             {"agent.log", "agent.1.log", "console.log", "console.1.log", "settings.json", "daemon.json",
              "status.json", "version.txt", "engine-info.txt", "host.txt", "MANIFEST.txt"})
            expected << top + "/" + f;
        QCOMPARE(names, expected);
        QStringList reported;
        for (const auto& f : report->files)
            reported << top + "/" + QString::fromStdString(f);
        QCOMPARE(reported, expected.mid(1));

        // Not one byte of any secret, anywhere in the decompressed archive.
        const auto tarBytes = tool("gzip", {"-dc", archive});
        QVERIFY(tarBytes.contains("agent line 1999\n") && tarBytes.contains("older console"));
        for (const auto& secret : kSecrets)
            QVERIFY2(!tarBytes.contains(secret), secret.constData());

        const auto out = outDir.filePath("x");
        QVERIFY(QDir().mkpath(out));
        QVERIFY(tool("tar", {"-xzf", archive, "-C", out}) != "(failed)");
        const auto file = [&](const QString& name) {
            return readAll(out + "/" + top + "/" + name);
        };

        const auto daemon = nlohmann::json::parse(file("daemon.json").toStdString());
        QCOMPARE_JSON(daemon["password"], "<redacted>");
        QCOMPARE_JSON(daemon["registry-mirrors"][0], "https://<redacted>@mirror.example");
        QCOMPARE_JSON(daemon["env"][1], "TZ=UTC");
        QCOMPARE_JSON(daemon["debug"], true);
        const auto settings = nlohmann::json::parse(file("settings.json").toStdString());
        QCOMPARE_JSON(settings["memory_mib"], 2048);
        QCOMPARE_JSON(settings["shares"][0]["path"], "/home/u");
        QCOMPARE_JSON(settings["registry_auth_key"], "<redacted>");

        const auto agent = file("agent.log");
        QVERIFY(agent.size() <= 4096 && agent.size() > 3000);
        QVERIFY(agent.startsWith("agent line "));
        QVERIFY(agent.endsWith("agent line 1999\n"));
        QCOMPARE(file("agent.1.log"), QByteArray("older agent log\n"));
        QCOMPARE(file("console.1.log"), QByteArray("older console\n"));
        QCOMPARE(file("version.txt"), QByteArray("Berth 0.1.0\n"));
        QVERIFY(file("status.json").contains("\"state\": \"error\""));

        // The engine does not run: engine-info.txt says so, and the manifest why its JSON is absent.
        QVERIFY(!QFile::exists(out + "/" + top + "/engine-info.json"));
        const auto engine = file("engine-info.txt");
        QVERIFY2(engine.contains("did not answer") && engine.contains("not running") &&
                     engine.contains("berth start"),
                 engine.constData());
        const auto manifest = file("MANIFEST.txt");
        for (const char* line :
             {"engine-info.json", "engine-version.json", "agent.log", "host.txt", "<redacted>"})
            QVERIFY2(manifest.contains(line), line);
        QCOMPARE(report->missing.size(), std::size_t(2));
        QVERIFY(file("host.txt").contains("CPUs:"));
    }

    void bundleIsWholeOrAbsent()
    {
        berth::test::BerthHome home("/tmp/bdiag-XXXXXX");
        auto instance = Instance::open(home.home().toStdString(), "default");
        QVERIFY(instance.ok());
        QTemporaryDir dir;
        bool asked = false;
        DiagnosticsOptions options;
        options.statusJson = [&] {
            asked = true;
            return std::string("{}");
        };

        options.output = dir.filePath("missing-folder/x.tar.gz").toStdString();
        auto report = writeDiagnostics(*instance, options);
        QVERIFY(!report.ok());
        QVERIFY2(report.error().message.find("does not exist") != std::string::npos,
                 report.error().message.c_str());
        QVERIFY(!asked); // the folder is checked before anything slow is gathered

        options.output = dir.path().toStdString();
        report = writeDiagnostics(*instance, options);
        QVERIFY(!report.ok());
        QVERIFY2(report.error().message.find("folder") != std::string::npos, report.error().message.c_str());
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList{});

        // A relative name is made absolute, and a second bundle replaces the first whole.
        const auto cwd = QDir::currentPath();
        QDir::setCurrent(dir.path());
        options.output = "again.tar.gz";
        options.engineTimeout = std::chrono::seconds(5);
        QVERIFY(writeDiagnostics(*instance, options).ok());
        report = writeDiagnostics(*instance, options);
        QDir::setCurrent(cwd);
        QVERIFY(report.ok());
        QCOMPARE(QString::fromStdString(report->archive.string()), dir.filePath("again.tar.gz"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList{"again.tar.gz"});
    }

    void cliPrintsThePathLast()
    {
        berth::test::BerthHome home("/tmp/bdiag-XXXXXX");
        QTemporaryDir dir;
        const auto output = dir.filePath("cli.tar.gz");
        const auto run = home.berth({"diagnose", "--output", output}, 60000);
        QVERIFY2(run.exitCode == 0, qPrintable(berth::test::describe(run)));
        const auto lines = QString::fromUtf8(run.out).split('\n', Qt::SkipEmptyParts);
        QVERIFY(!lines.isEmpty());
        QCOMPARE(lines.last(), output);
        const auto names = QString::fromUtf8(tool("tar", {"-tzf", output}));
        for (const char* f :
             {"/status.json", "/version.txt", "/engine-info.txt", "/host.txt", "/MANIFEST.txt"})
            QVERIFY2(names.contains(f), f);
        const auto status = nlohmann::json::parse(
            tool("tar", {"-xzOf", output, "--wildcards", "*/status.json"}).toStdString(), nullptr, false);
        QVERIFY(status.is_object());
        QCOMPARE(status.value("state", ""), std::string("stopped"));
        QVERIFY(tool("tar", {"-xzOf", output, "--wildcards", "*/version.txt"}).startsWith("Berth "));
    }

    void cliFailsClearlyAndCreatesNothing()
    {
        berth::test::BerthHome home("/tmp/bdiag-XXXXXX");
        const auto run = home.berth({"diagnose", "--output", "/nonexistent-dir/x.tar.gz"}, 60000);
        QVERIFY2(run.exitCode != 0, qPrintable(berth::test::describe(run)));
        QVERIFY2(run.err.contains("/nonexistent-dir") && run.err.contains("does not exist") &&
                     run.err.contains("--output"),
                 run.err.constData());
        QVERIFY(run.out.isEmpty());
        QVERIFY(!QFileInfo::exists("/nonexistent-dir"));
    }
};

QTEST_GUILESS_MAIN(TestDiagnostics)
#include "tst_diagnostics.moc"
