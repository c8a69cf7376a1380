// The Run dialog's form parsing (parseRunForm, splitShellWords) and the `docker run` line built
// back from an inspected container (dockerRunCommand, shellQuote).
#include "RunCommand.h"
#include "RunForm.h"
#include "berth/engine/Container.h"

#include <QStringList>
#include <QTest>

using berth::app::dockerRunCommand;
using berth::app::parseRunForm;
using berth::app::RunForm;
using berth::app::shellQuote;
using berth::app::splitShellWords;

namespace {

// A form that is valid apart from the field a test fills in.
RunForm formWith(void (*fill)(RunForm&, const QString&), const QString& text)
{
    RunForm form;
    form.image = "busybox:1";
    fill(form, text);
    return form;
}

void fillPorts(RunForm& form, const QString& text)
{
    form.ports = text;
}
void fillEnv(RunForm& form, const QString& text)
{
    form.env = text;
}
void fillVolumes(RunForm& form, const QString& text)
{
    form.volumes = text;
}
void fillCommand(RunForm& form, const QString& text)
{
    form.command = text;
}
void fillName(RunForm& form, const QString& text)
{
    form.name = text;
}
void fillImage(RunForm& form, const QString& text)
{
    form.image = text;
}

QStringList qStrings(const std::vector<std::string>& list)
{
    QStringList out;
    for (const auto& s : list)
        out << QString::fromStdString(s);
    return out;
}

// "hostIp|hostPort|containerPort|protocol", hostPort 0 when the engine picks it.
QStringList portTexts(const std::vector<berth::engine::PortPublish>& ports)
{
    QStringList out;
    for (const auto& p : ports)
        out << QStringLiteral("%1|%2|%3|%4")
                   .arg(QString::fromStdString(p.hostIp))
                   .arg(p.hostPort)
                   .arg(p.containerPort)
                   .arg(QString::fromStdString(p.protocol));
    return out;
}

// Checks that `form` fails with exactly one message, for `field` and the text `bad`, that
// contains `fragment`.
void verifyOneError(const RunForm& form, const QString& field, const QString& bad, const QString& fragment)
{
    const auto parsed = parseRunForm(form);
    QVERIFY2(!parsed, "the form was accepted");
    QCOMPARE(parsed.error().size(), 1);
    const auto& message = parsed.error().first();
    const auto prefix = QStringLiteral("%1: \"%2\" — ").arg(field, bad);
    QVERIFY2(message.startsWith(prefix), qPrintable(message));
    QVERIFY2(message.contains(fragment), qPrintable(message));
}

} // namespace

class TestRunForm final : public QObject
{
    Q_OBJECT

private slots:
    void image_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("image");
        QTest::newRow("name") << "nginx"
                              << "nginx";
        QTest::newRow("trimmed") << "  nginx:1.25 \t"
                                 << "nginx:1.25";
        QTest::newRow("registry") << "registry.example:5000/team/app:tag"
                                  << "registry.example:5000/team/app:tag";
        QTest::newRow("digest") << "alpine@sha256:0123abcd"
                                << "alpine@sha256:0123abcd";
    }
    void image()
    {
        QFETCH(QString, typed);
        QFETCH(QString, image);
        const auto parsed = parseRunForm(formWith(fillImage, typed));
        QVERIFY(parsed);
        QCOMPARE(QString::fromStdString(parsed->image), image);
    }

    void invalidImage_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << ""
                               << "Image: required — type or pick an image, e.g. nginx:latest";
        QTest::newRow("blank") << "   "
                               << "Image: required — type or pick an image, e.g. nginx:latest";
        QTest::newRow("space")
            << "my image"
            << "Image: \"my image\" — an image reference has no spaces (e.g. nginx:1.25 or "
               "registry.example:5000/team/app:tag)";
        QTest::newRow("tab") << "a\tb"
                             << "Image: \"a\tb\" — an image reference has no spaces";
    }
    void invalidImage()
    {
        QFETCH(QString, typed);
        QFETCH(QString, message);
        const auto parsed = parseRunForm(formWith(fillImage, typed));
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().size(), 1);
        QVERIFY2(parsed.error().first().startsWith(message), qPrintable(parsed.error().first()));
    }

    void name_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("name");
        QTest::newRow("none") << ""
                              << "";
        QTest::newRow("blank") << "  "
                               << "";
        QTest::newRow("dash") << "web-1"
                              << "web-1";
        QTest::newRow("dots and underscores") << "db_2.primary"
                                              << "db_2.primary";
        QTest::newRow("two characters") << "ab"
                                        << "ab";
        QTest::newRow("digit first") << "1web"
                                     << "1web";
        QTest::newRow("trimmed") << " web "
                                 << "web";
    }
    void name()
    {
        QFETCH(QString, typed);
        QFETCH(QString, name);
        const auto parsed = parseRunForm(formWith(fillName, typed));
        QVERIFY(parsed);
        QCOMPARE(QString::fromStdString(parsed->name), name);
    }

    void invalidName_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::newRow("dash first") << "-web";
        QTest::newRow("dot first") << ".web";
        QTest::newRow("one character") << "a"; // the engine wants two
        QTest::newRow("space") << "my web";
        QTest::newRow("slash") << "team/web";
        QTest::newRow("accent") << "café";
    }
    void invalidName()
    {
        QFETCH(QString, typed);
        verifyOneError(formWith(fillName, typed), "Name", typed,
                       "starts with a letter or digit, has at least two characters, and uses only letters, "
                       "digits, _ . and - (e.g. web-1)");
    }

    void ports_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QStringList>("ports");
        QTest::newRow("none") << "" << QStringList();
        QTest::newRow("host:container") << "8080:80" << QStringList{"|8080|80|tcp"};
        QTest::newRow("container only") << "80" << QStringList{"|0|80|tcp"};
        QTest::newRow("udp, container only") << "53/udp" << QStringList{"|0|53|udp"};
        QTest::newRow("udp") << "5353:53/udp" << QStringList{"|5353|53|udp"};
        QTest::newRow("protocol in capitals") << "9090:90/TCP" << QStringList{"|9090|90|tcp"};
        QTest::newRow("sctp") << "3868:3868/sctp" << QStringList{"|3868|3868|sctp"};
        QTest::newRow("ipv4") << "127.0.0.1:8080:80" << QStringList{"127.0.0.1|8080|80|tcp"};
        QTest::newRow("ipv4, any host port") << "127.0.0.1::80" << QStringList{"127.0.0.1|0|80|tcp"};
        QTest::newRow("empty host port") << ":80" << QStringList{"|0|80|tcp"};
        QTest::newRow("ipv6 in brackets") << "[::1]:8080:80" << QStringList{"::1|8080|80|tcp"};
        QTest::newRow("ipv6 bare") << "::1:8080:80" << QStringList{"::1|8080|80|tcp"};
        QTest::newRow("ipv6 full") << "[2001:db8::5]:443:443/tcp" << QStringList{"2001:db8::5|443|443|tcp"};
        QTest::newRow("comma list") << "8080:80, 5432:5432" << QStringList{"|8080|80|tcp", "|5432|5432|tcp"};
        QTest::newRow("line list") << "8080:80\n5432:5432\n" << QStringList{"|8080|80|tcp", "|5432|5432|tcp"};
        QTest::newRow("blank items") << " , 8080:80 ,, \n" << QStringList{"|8080|80|tcp"};
        QTest::newRow("same host port, other protocol")
            << "53:53/tcp, 53:53/udp" << QStringList{"|53|53|tcp", "|53|53|udp"};
        QTest::newRow("one container port twice")
            << "8080:80, 8081:80" << QStringList{"|8080|80|tcp", "|8081|80|tcp"};
        QTest::newRow("ranges") << "8000-8002:80-82"
                                << QStringList{"|8000|80|tcp", "|8001|81|tcp", "|8002|82|tcp"};
        QTest::newRow("container range") << "7000-7001/udp" << QStringList{"|0|7000|udp", "|0|7001|udp"};
        QTest::newRow("limits") << "65535:1" << QStringList{"|65535|1|tcp"};
        QTest::newRow("leading zero") << "08080:080" << QStringList{"|8080|80|tcp"};
    }
    void ports()
    {
        QFETCH(QString, typed);
        QFETCH(QStringList, ports);
        const auto parsed = parseRunForm(formWith(fillPorts, typed));
        QVERIFY2(parsed, parsed ? "" : qPrintable(parsed.error().join('\n')));
        QCOMPARE(portTexts(parsed->ports), ports);
    }

    void invalidPorts_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("bad");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("letters as container port") << "80:abc"
                                                   << "80:abc"
                                                   << "the container port must be a number from 1 to 65535";
        QTest::newRow("empty container port") << "8080:"
                                              << "8080:"
                                              << "the container port must be a number";
        QTest::newRow("container port 0") << "8080:0"
                                          << "8080:0"
                                          << "the container port must be a number";
        QTest::newRow("container port too big") << "8080:65536"
                                                << "8080:65536"
                                                << "from 1 to 65535";
        QTest::newRow("negative") << "-1"
                                  << "-1"
                                  << "or only CONTAINER for a port the engine picks";
        QTest::newRow("letters as host port")
            << "abc:80"
            << "abc:80"
            << "the host port must be a number from 1 to 65535, or empty to let the engine pick one "
               "(write HOST:CONTAINER, e.g. 8080:80)";
        QTest::newRow("host port 0") << "0:80"
                                     << "0:80"
                                     << "the host port must be a number";
        QTest::newRow("host port too big") << "70000:80"
                                           << "70000:80"
                                           << "the host port must be a number";
        QTest::newRow("protocol")
            << "80/icmp"
            << "80/icmp"
            << "the protocol must be tcp, udp or sctp (write HOST:CONTAINER/udp, e.g. 5353:53/udp)";
        QTest::newRow("short ipv4")
            << "1.2.3:80:80"
            << "1.2.3:80:80"
            << "\"1.2.3\" is not an IP address (write IP:HOST:CONTAINER, e.g. 127.0.0.1:8080:80)";
        QTest::newRow("host name as address") << "localhost:8080:80"
                                              << "localhost:8080:80"
                                              << "is not an IP address";
        QTest::newRow("ip without ports") << "127.0.0.1:80"
                                          << "127.0.0.1:80"
                                          << "the host port must be a number";
        QTest::newRow("duplicate host port")
            << "8080:80, 8080:81"
            << "8080:81"
            << "host port 8080/tcp is already published by \"8080:80\"; each host port can be used once";
        QTest::newRow("duplicate across addresses") << "127.0.0.1:8080:80\n8080:81"
                                                    << "8080:81"
                                                    << "host port 8080/tcp is already published";
        QTest::newRow("duplicate inside a range") << "8001:90, 8000-8002:80-82"
                                                  << "8000-8002:80-82"
                                                  << "host port 8001/tcp is already published";
        QTest::newRow("ranges of different length")
            << "8000-8001:80-82"
            << "8000-8001:80-82"
            << "the host and container port ranges must have the same length";
        QTest::newRow("host range, one container port") << "8000-8001:80"
                                                        << "8000-8001:80"
                                                        << "must have the same length";
        QTest::newRow("reversed range") << "90-80"
                                        << "90-80"
                                        << "the container port must be a number";
    }
    void invalidPorts()
    {
        QFETCH(QString, typed);
        QFETCH(QString, bad);
        QFETCH(QString, fragment);
        verifyOneError(formWith(fillPorts, typed), "Ports", bad, fragment);
    }

    void portMessageIsExact()
    {
        const auto parsed = parseRunForm(formWith(fillPorts, "80:abc"));
        QVERIFY(!parsed);
        QCOMPARE(parsed.error(),
                 QStringList{"Ports: \"80:abc\" — the container port must be a number from 1 to "
                             "65535 (write HOST:CONTAINER, e.g. 8080:80)"});
    }

    void env_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QStringList>("env");
        QTest::newRow("none") << "" << QStringList();
        QTest::newRow("one") << "A=1" << QStringList{"A=1"};
        QTest::newRow("blank lines") << "\nA=1\n\n  \nB=two words\n" << QStringList{"A=1", "B=two words"};
        QTest::newRow("commas stay in the value") << "LIST=a,b,c" << QStringList{"LIST=a,b,c"};
        QTest::newRow("equals in the value") << "URL=http://x/?a=b" << QStringList{"URL=http://x/?a=b"};
        QTest::newRow("empty value") << "EMPTY=" << QStringList{"EMPTY="};
        QTest::newRow("value kept as typed") << "PAD= x " << QStringList{"PAD= x "};
        QTest::newRow("indented") << "   INDENTED=x" << QStringList{"INDENTED=x"};
        QTest::newRow("comment") << "# the mode\nMODE=prod" << QStringList{"MODE=prod"};
        QTest::newRow("crlf") << "A=1\r\nB=2\r\n" << QStringList{"A=1", "B=2"};
        QTest::newRow("underscore and digits") << "_X9=ok" << QStringList{"_X9=ok"};
    }
    void env()
    {
        QFETCH(QString, typed);
        QFETCH(QStringList, env);
        const auto parsed = parseRunForm(formWith(fillEnv, typed));
        QVERIFY2(parsed, parsed ? "" : qPrintable(parsed.error().join('\n')));
        QCOMPARE(qStrings(parsed->env), env);
    }

    void invalidEnv_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("bad");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("bare key")
            << "DEBUG"
            << "DEBUG"
            << "write KEY=value, e.g. DEBUG=value (there is no shell here to take the value "
               "of DEBUG from)";
        QTest::newRow("bare key among others") << "A=1\nDEBUG\nB=2"
                                               << "DEBUG"
                                               << "write KEY=value";
        QTest::newRow("digit first")
            << "1X=2"
            << "1X=2"
            << "the name must start with a letter or _ and have only letters, digits and _ "
               "(write KEY=value, e.g. LOG_LEVEL=debug)";
        QTest::newRow("dash") << "MY-VAR=1"
                              << "MY-VAR=1"
                              << "the name must start with a letter or _";
        QTest::newRow("no name") << "=value"
                                 << "=value"
                                 << "the name must start";
        QTest::newRow("space in the name") << "A B=1"
                                           << "A B=1"
                                           << "the name must start";
        QTest::newRow("space before =") << "KEY =1"
                                        << "KEY =1"
                                        << "the name must start";
    }
    void invalidEnv()
    {
        QFETCH(QString, typed);
        QFETCH(QString, bad);
        QFETCH(QString, fragment);
        verifyOneError(formWith(fillEnv, typed), "Env", bad, fragment);
    }

    void volumes_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QStringList>("binds");
        QTest::newRow("none") << "" << QStringList();
        QTest::newRow("named volume") << "data:/var/lib/data" << QStringList{"data:/var/lib/data"};
        QTest::newRow("host path") << "/host/path:/container/path"
                                   << QStringList{"/host/path:/container/path"};
        QTest::newRow("read-only") << "data:/data:ro" << QStringList{"data:/data:ro"};
        QTest::newRow("read-write is the default") << "data:/data:rw" << QStringList{"data:/data"};
        QTest::newRow("two lines") << "db-1:/x\n\n/srv/site:/srv:ro\n"
                                   << QStringList{"db-1:/x", "/srv/site:/srv:ro"};
        QTest::newRow("trimmed") << "  data:/d  " << QStringList{"data:/d"};
        QTest::newRow("volume name with dots") << "my.vol_1:/v" << QStringList{"my.vol_1:/v"};
    }
    void volumes()
    {
        QFETCH(QString, typed);
        QFETCH(QStringList, binds);
        const auto parsed = parseRunForm(formWith(fillVolumes, typed));
        QVERIFY2(parsed, parsed ? "" : qPrintable(parsed.error().join('\n')));
        QCOMPARE(qStrings(parsed->binds), binds);
    }

    void invalidVolumes_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("bad");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("target only")
            << "/data"
            << "/data"
            << "write SOURCE:TARGET, e.g. data:/var/lib/data or /host/path:/container/path";
        QTest::newRow("too many parts") << "a1:/b:ro:x"
                                        << "a1:/b:ro:x"
                                        << "write SOURCE:TARGET";
        QTest::newRow("relative host path")
            << "./site:/data"
            << "./site:/data"
            << "the source must be a volume name (at least two of letters, digits, _ . -) or an absolute "
               "host path "
               "starting with / (e.g. data:/var/lib/data or /host/path:/container/path)";
        QTest::newRow("home path") << "~/site:/data"
                                   << "~/site:/data"
                                   << "the source must be a volume name";
        QTest::newRow("one-letter volume") << "a:/data"
                                           << "a:/data"
                                           << "the source must be a volume name";
        QTest::newRow("relative target")
            << "data:var/lib"
            << "data:var/lib"
            << "the container path must be absolute, starting with / (e.g. data:/var/lib/data)";
        QTest::newRow("root target") << "data:/"
                                     << "data:/"
                                     << "the container path cannot be / itself";
        QTest::newRow("mode") << "data:/x:rx"
                              << "data:/x:rx"
                              << "the mode must be ro (read-only) or rw (e.g. data:/var/lib/data:ro)";
        QTest::newRow("same target twice")
            << "a1:/x\nb1:/x/"
            << "b1:/x/"
            << "/x is already mounted by \"a1:/x\"; each container path can be used once";
    }
    void invalidVolumes()
    {
        QFETCH(QString, typed);
        QFETCH(QString, bad);
        QFETCH(QString, fragment);
        verifyOneError(formWith(fillVolumes, typed), "Volumes", bad, fragment);
    }

    void command_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QStringList>("words");
        QTest::newRow("empty: the image's default") << "" << QStringList();
        QTest::newRow("blank") << "   " << QStringList();
        QTest::newRow("words") << "python -m http.server 8000"
                               << QStringList{"python", "-m", "http.server", "8000"};
        QTest::newRow("runs of blanks") << "  echo \t hello  " << QStringList{"echo", "hello"};
        QTest::newRow("single quotes")
            << "sh -c 'echo $HOME; ls'" << QStringList{"sh", "-c", "echo $HOME; ls"};
        QTest::newRow("double quotes with escapes")
            << "echo \"a \\\"quoted\\\" word\"" << QStringList{"echo", "a \"quoted\" word"};
        QTest::newRow("backslash kept in double quotes")
            << "echo \"back\\slash \\$x \\\\ \\`\"" << QStringList{"echo", "back\\slash $x \\ `"};
        QTest::newRow("escaped blank") << "echo a\\ b" << QStringList{"echo", "a b"};
        QTest::newRow("escaped quote") << "echo it\\'s" << QStringList{"echo", "it's"};
        QTest::newRow("empty word") << "echo '' \"\"" << QStringList{"echo", "", ""};
        QTest::newRow("quote inside single quotes") << "echo 'it'\\''s'" << QStringList{"echo", "it's"};
        QTest::newRow("adjacent parts") << "a\"b\"'c'd" << QStringList{"abcd"};
        QTest::newRow("no expansion") << "echo ~ * $PATH" << QStringList{"echo", "~", "*", "$PATH"};
        QTest::newRow("line continuation") << "echo a\\\nb" << QStringList{"echo", "ab"};
        QTest::newRow("unicode") << "echo 'grüße'" << QStringList{"echo", "grüße"};
    }
    void command()
    {
        QFETCH(QString, typed);
        QFETCH(QStringList, words);
        const auto parsed = parseRunForm(formWith(fillCommand, typed));
        QVERIFY2(parsed, parsed ? "" : qPrintable(parsed.error().join('\n')));
        QCOMPARE(qStrings(parsed->cmd), words);
    }

    void invalidCommand_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("open single quote")
            << "echo 'hi"
            << "a ' quote is not closed (close it, or write \\' for a literal ')";
        QTest::newRow("open double quote") << "echo \"hi"
                                           << "a \" quote is not closed";
        QTest::newRow("escaped closing quote") << "echo \"hi\\\""
                                               << "a \" quote is not closed";
        QTest::newRow("lone backslash")
            << "echo hi\\"
            << "ends with a lone \\ (remove it, or write \\\\ for a literal backslash)";
        QTest::newRow("quote after a closed one") << "echo 'a'\"b"
                                                  << "a \" quote is not closed";
    }
    void invalidCommand()
    {
        QFETCH(QString, typed);
        QFETCH(QString, fragment);
        verifyOneError(formWith(fillCommand, typed), "Command", typed, fragment);
    }

    // Every problem of every field at once, each its own message, in field order.
    void everyProblemReported()
    {
        RunForm form;
        form.image = "";
        form.name = "-bad";
        form.ports = "80:abc, x:80";
        form.env = "DEBUG\nOK=1\n1X=2";
        form.volumes = "data";
        form.command = "echo 'hi";
        const auto parsed = parseRunForm(form);
        QVERIFY(!parsed);
        const auto& errors = parsed.error();
        QCOMPARE(errors.size(), 8);
        const QStringList fields{
            "Image:", "Name:", "Ports:", "Ports:", "Env:", "Env:", "Volumes:", "Command:"};
        for (int i = 0; i < errors.size(); ++i)
            QVERIFY2(errors[i].startsWith(fields[i]), qPrintable(errors[i]));
    }

    // The whole form, and the ContainerSpec it becomes, down to the create body.
    void wholeForm()
    {
        RunForm form;
        form.image = " nginx:1.25 ";
        form.name = "web-1";
        form.ports = "8080:80, 127.0.0.1:8443:443\n53/udp";
        form.env = "GREETING=hello, world\n\nMODE=prod\n";
        form.volumes = "site-data:/usr/share/nginx/html:ro\n/srv/logs:/var/log/nginx";
        form.command = "nginx -g 'daemon off;' -c \"/etc/nginx/my conf\"";
        form.removeWhenExited = true;
        const auto parsed = parseRunForm(form);
        QVERIFY2(parsed, parsed ? "" : qPrintable(parsed.error().join('\n')));
        const auto& spec = *parsed;
        QCOMPARE(spec.image, std::string("nginx:1.25"));
        QCOMPARE(spec.name, std::string("web-1"));
        QCOMPARE(portTexts(spec.ports), (QStringList{"|8080|80|tcp", "127.0.0.1|8443|443|tcp", "|0|53|udp"}));
        QCOMPARE(qStrings(spec.env), (QStringList{"GREETING=hello, world", "MODE=prod"}));
        QCOMPARE(qStrings(spec.binds),
                 (QStringList{"site-data:/usr/share/nginx/html:ro", "/srv/logs:/var/log/nginx"}));
        QCOMPARE(qStrings(spec.cmd), (QStringList{"nginx", "-g", "daemon off;", "-c", "/etc/nginx/my conf"}));
        QVERIFY(spec.autoRemove);
        QVERIFY(!spec.entrypoint);
        QVERIFY(spec.restartPolicy.name.empty());

        const auto body = spec.toJson();
        const auto expected = nlohmann::json::parse(R"({
            "80/tcp": [{"HostIp": "", "HostPort": "8080"}],
            "443/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8443"}],
            "53/udp": [{"HostIp": "", "HostPort": ""}]
        })");
        QVERIFY2(body["HostConfig"]["PortBindings"] == expected, body.dump().c_str());
        QVERIFY(body["HostConfig"]["AutoRemove"] == nlohmann::json(true));
    }

    void keepsContainerWhenNotAsked()
    {
        const auto parsed = parseRunForm(formWith(fillName, "keeper"));
        QVERIFY(parsed);
        QVERIFY(!parsed->autoRemove);
        QVERIFY(parsed->cmd.empty());
        QVERIFY(parsed->ports.empty());
    }

    void shellQuote_data()
    {
        QTest::addColumn<QString>("word");
        QTest::addColumn<QString>("quoted");
        QTest::newRow("plain") << "nginx:1.25"
                               << "nginx:1.25";
        QTest::newRow("harmless punctuation") << "a=b,c:d/e.f-g_h@i%j+k"
                                              << "a=b,c:d/e.f-g_h@i%j+k";
        QTest::newRow("empty") << ""
                               << "''";
        QTest::newRow("space") << "hello world"
                               << "'hello world'";
        QTest::newRow("single quote") << "it's"
                                      << "'it'\\''s'";
        QTest::newRow("dollar") << "$HOME"
                                << "'$HOME'";
        QTest::newRow("semicolon") << "daemon off;"
                                   << "'daemon off;'";
        QTest::newRow("glob") << "*"
                              << "'*'";
        QTest::newRow("tilde") << "~"
                               << "'~'";
        QTest::newRow("brackets") << "[::1]:80:80"
                                  << "'[::1]:80:80'";
        QTest::newRow("double quote") << "say \"hi\""
                                      << "'say \"hi\"'";
        QTest::newRow("newline") << "a\nb"
                                 << "'a\nb'";
    }
    void shellQuote()
    {
        QFETCH(QString, word);
        QFETCH(QString, quoted);
        QCOMPARE(berth::app::shellQuote(word), quoted);
        // What a shell makes of the quoted word is the word again.
        const auto words = splitShellWords(quoted);
        QVERIFY(words);
        QCOMPARE(words.value(), QStringList{word});
    }

    void dockerRunCommand_data()
    {
        QTest::addColumn<QString>("inspect");
        QTest::addColumn<QString>("command");
        QTest::addColumn<QStringList>("argv");

        // Trimmed from GET /containers/web/json (API 1.43) after
        //   docker run -d --name web --restart unless-stopped -p 8080:80 -p 127.0.0.1:8443:443 -p 53/udp
        //     -e 'GREETING=hello world' -e MODE=prod -v site-data:/usr/share/nginx/html:ro
        //     -v /srv/logs:/var/log/nginx --label tier=front nginx:1.25 nginx -g 'daemon off;'
        QTest::newRow("nginx") << QString(R"({
  "Id": "6f1c2b3a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8",
  "Created": "2026-11-22T23:53:03.123456789Z",
  "Path": "/docker-entrypoint.sh",
  "Args": ["nginx", "-g", "daemon off;"],
  "State": {"Status": "running", "Running": true, "Paused": false, "Restarting": false, "OOMKilled": false,
            "Dead": false, "Pid": 1234, "ExitCode": 0, "Error": "",
            "StartedAt": "2026-11-22T23:53:03.523456789Z", "FinishedAt": "0001-01-01T00:00:00Z"},
  "Image": "sha256:a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6",
  "Name": "/web",
  "RestartCount": 0,
  "HostConfig": {
    "Binds": ["site-data:/usr/share/nginx/html:ro", "/srv/logs:/var/log/nginx"],
    "NetworkMode": "bridge",
    "PortBindings": {
      "443/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8443"}],
      "53/udp": [{"HostIp": "", "HostPort": ""}],
      "80/tcp": [{"HostIp": "", "HostPort": "8080"}]
    },
    "RestartPolicy": {"Name": "unless-stopped", "MaximumRetryCount": 0},
    "AutoRemove": false,
    "Privileged": false
  },
  "Mounts": [],
  "Config": {
    "Hostname": "6f1c2b3a4d5e",
    "User": "",
    "AttachStdin": false, "AttachStdout": false, "AttachStderr": false,
    "ExposedPorts": {"443/tcp": {}, "53/udp": {}, "80/tcp": {}},
    "Tty": false, "OpenStdin": false, "StdinOnce": false,
    "Env": ["GREETING=hello world", "MODE=prod",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "NGINX_VERSION=1.25.3"],
    "Cmd": ["nginx", "-g", "daemon off;"],
    "Image": "nginx:1.25",
    "Volumes": null,
    "WorkingDir": "",
    "Entrypoint": ["/docker-entrypoint.sh"],
    "Labels": {"maintainer": "NGINX Docker Maintainers", "tier": "front"},
    "StopSignal": "SIGQUIT"
  },
  "NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]}, "Networks": {}}
})")
                               << QString(
                                      "docker run -d --name web --restart unless-stopped -p 53/udp -p "
                                      "8080:80 -p 127.0.0.1:8443:443 "
                                      "-e 'GREETING=hello world' -e MODE=prod -e NGINX_VERSION=1.25.3 "
                                      "-v site-data:/usr/share/nginx/html:ro -v /srv/logs:/var/log/nginx "
                                      "--entrypoint /docker-entrypoint.sh nginx:1.25 nginx -g 'daemon off;'")
                               << QStringList{"docker",
                                              "run",
                                              "-d",
                                              "--name",
                                              "web",
                                              "--restart",
                                              "unless-stopped",
                                              "-p",
                                              "53/udp",
                                              "-p",
                                              "8080:80",
                                              "-p",
                                              "127.0.0.1:8443:443",
                                              "-e",
                                              "GREETING=hello world",
                                              "-e",
                                              "MODE=prod",
                                              "-e",
                                              "NGINX_VERSION=1.25.3",
                                              "-v",
                                              "site-data:/usr/share/nginx/html:ro",
                                              "-v",
                                              "/srv/logs:/var/log/nginx",
                                              "--entrypoint",
                                              "/docker-entrypoint.sh",
                                              "nginx:1.25",
                                              "nginx",
                                              "-g",
                                              "daemon off;"};

        // docker run -dit --rm --name scratch-1 -p '[::1]:9000:9000' -e A=1 busybox:1 sh -c "echo it's done"
        QTest::newRow("interactive, removed on exit")
            << QString(R"({
  "Id": "0a1b2c3d4e5f",
  "Created": "2026-11-22T23:55:00Z",
  "Path": "sh",
  "Args": ["-c", "echo it's done"],
  "State": {"Status": "created", "ExitCode": 0},
  "Image": "sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741",
  "Name": "/scratch-1",
  "HostConfig": {
    "Binds": null,
    "NetworkMode": "default",
    "PortBindings": {"9000/tcp": [{"HostIp": "::1", "HostPort": "9000"}]},
    "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
    "AutoRemove": true
  },
  "Config": {
    "Tty": true, "OpenStdin": true, "StdinOnce": false,
    "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "A=1"],
    "Cmd": ["sh", "-c", "echo it's done"],
    "Image": "busybox:1",
    "Entrypoint": null,
    "Labels": {}
  }
})")
            << QString("docker run -d -i -t --rm --name scratch-1 -p '[::1]:9000:9000' -e A=1 busybox:1 sh "
                       "-c 'echo it'\\''s done'")
            << QStringList{"docker",    "run",
                           "-d",        "-i",
                           "-t",        "--rm",
                           "--name",    "scratch-1",
                           "-p",        "[::1]:9000:9000",
                           "-e",        "A=1",
                           "busybox:1", "sh",
                           "-c",        "echo it's done"};

        // An entrypoint of two words, a retry count, a user network and an address without a port.
        QTest::newRow("entrypoint of two words")
            << QString(R"({
  "Id": "9f8e7d6c5b4a",
  "Created": "2026-11-22T23:56:00Z",
  "State": {"Status": "exited", "ExitCode": 1},
  "Name": "/worker",
  "HostConfig": {
    "NetworkMode": "shop_default",
    "PortBindings": {"5000/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]},
    "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 3}
  },
  "Config": {
    "Env": null,
    "Cmd": ["worker.py", "--queue", "jobs"],
    "Image": "registry.example:5000/shop/worker:2",
    "Entrypoint": ["python", "-u"],
    "Labels": {"com.docker.compose.project": "shop"}
  }
})")
            << QString("docker run -d --name worker --restart on-failure:3 --network shop_default -p "
                       "127.0.0.1::5000 "
                       "--entrypoint python registry.example:5000/shop/worker:2 -u worker.py --queue jobs")
            << QStringList{"docker",
                           "run",
                           "-d",
                           "--name",
                           "worker",
                           "--restart",
                           "on-failure:3",
                           "--network",
                           "shop_default",
                           "-p",
                           "127.0.0.1::5000",
                           "--entrypoint",
                           "python",
                           "registry.example:5000/shop/worker:2",
                           "-u",
                           "worker.py",
                           "--queue",
                           "jobs"};
    }
    void dockerRunCommand()
    {
        QFETCH(QString, inspect);
        QFETCH(QString, command);
        QFETCH(QStringList, argv);
        const auto container =
            berth::engine::Container::fromInspect(nlohmann::json::parse(inspect.toStdString()));
        const auto line = berth::app::dockerRunCommand(container);
        QCOMPARE(line, command);
        QVERIFY(!line.contains("tier") && !line.contains("--label"));
        // A shell splits the line back into the arguments the container was made with.
        const auto words = splitShellWords(line);
        QVERIFY(words);
        QCOMPARE(words.value(), argv);
    }

    // A container whose inspect answer lacks most fields still gives a runnable line.
    void dockerRunCommandFromSparseJson()
    {
        berth::engine::Container container;
        container.name = "lonely";
        container.image = "alpine:3";
        container.raw =
            nlohmann::json::parse("{\"Config\": {\"Env\": 5, \"Cmd\": [1, \"x\"]}, \"HostConfig\": 7}");
        QCOMPARE(berth::app::dockerRunCommand(container), QString("docker run -d --name lonely alpine:3 x"));
    }
};

QTEST_MAIN(TestRunForm)
#include "tst_runform.moc"
