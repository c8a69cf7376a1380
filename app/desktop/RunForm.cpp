#include "RunForm.h"

#include <optional>

#include <QDir>
#include <QHash>
#include <QRegularExpression>
#include <boost/asio/ip/address.hpp>

namespace berth::app {

namespace {

// Every message reads `Field: "what was typed" — what is wrong (the expected form)`.
QString problem(const QString& field, const QString& text, const QString& explanation)
{
    return QStringLiteral("%1: \"%2\" — %3").arg(field, text, explanation);
}

// The engine's own rule for container and volume names (daemon/names): at least two characters,
// so a one-letter name the engine would refuse is caught here, while it is still being typed.
bool isEngineName(const QString& text)
{
    static const QRegularExpression pattern(
        QRegularExpression::anchoredPattern("[a-zA-Z0-9][a-zA-Z0-9_.-]+"));
    return pattern.match(text).hasMatch();
}

bool isEnvKey(const QString& text)
{
    static const QRegularExpression pattern(QRegularExpression::anchoredPattern("[A-Za-z_][A-Za-z0-9_]*"));
    return pattern.match(text).hasMatch();
}

bool isIpAddress(const QString& text)
{
    boost::system::error_code ec;
    boost::asio::ip::make_address(text.toStdString(), ec); // strict, as inet_pton
    return !ec;
}

struct PortRange
{
    std::uint16_t first = 0;
    std::uint16_t last = 0;
    int size() const { return last - first + 1; }
};

// "80" or "8000-8010", each port 1–65535. Digits only: "+80" or " 80" are not ports.
std::optional<PortRange> parsePortRange(const QString& text)
{
    static const QRegularExpression pattern(
        QRegularExpression::anchoredPattern("([0-9]{1,5})(?:-([0-9]{1,5}))?"));
    const auto match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    const int first = match.captured(1).toInt();
    const int last = match.hasCaptured(2) ? match.captured(2).toInt() : first;
    if (first < 1 || first > 65535 || last < first || last > 65535)
        return std::nullopt;
    return PortRange{static_cast<std::uint16_t>(first), static_cast<std::uint16_t>(last)};
}

// The items of a comma- or newline-separated list, trimmed, blanks dropped.
QStringList listItems(const QString& text)
{
    static const QRegularExpression separators("[,\\n]");
    QStringList items;
    for (const auto& item : text.split(separators))
        if (const auto trimmed = item.trimmed(); !trimmed.isEmpty())
            items << trimmed;
    return items;
}

QStringList lines(const QString& text)
{
    auto all = text.split('\n');
    for (auto& line : all)
        if (line.endsWith('\r'))
            line.chop(1);
    return all;
}

void parseImage(const QString& text, engine::ContainerSpec& spec, QStringList& errors)
{
    const auto image = text.trimmed();
    if (image.isEmpty())
        errors << QStringLiteral("Image: required — type or pick an image, e.g. nginx:latest");
    else if (image.contains(QRegularExpression("\\s")))
        errors << problem(
            "Image", image,
            "an image reference has no spaces (e.g. nginx:1.25 or registry.example:5000/team/app:tag)");
    else
        spec.image = image.toStdString();
}

void parseName(const QString& text, engine::ContainerSpec& spec, QStringList& errors)
{
    const auto name = text.trimmed();
    if (name.isEmpty())
        return;
    if (isEngineName(name))
        spec.name = name.toStdString();
    else
        errors << problem("Name", name,
                          "a name starts with a letter or digit, has at least two characters, and uses only "
                          "letters, digits, _ . and - (e.g. web-1)");
}

void parsePorts(const QString& text, engine::ContainerSpec& spec, QStringList& errors)
{
    // Host port and protocol → the entry that published it, to name both sides of a clash.
    QHash<QString, QString> published;
    for (const auto& entry : listItems(text)) {
        const auto fail = [&](const QString& explanation) {
            errors << problem("Ports", entry, explanation);
        };
        auto rest = entry;
        QString protocol = "tcp";
        if (const auto slash = rest.lastIndexOf('/'); slash >= 0) {
            protocol = rest.mid(slash + 1).toLower();
            rest.truncate(slash);
            if (protocol != "tcp" && protocol != "udp" && protocol != "sctp") {
                fail("the protocol must be tcp, udp or sctp (write HOST:CONTAINER/udp, e.g. 5353:53/udp)");
                continue;
            }
        }

        // As the docker CLI splits it: the last part is the container port, the one before it the
        // host port, and everything before those the address, so an IPv6 address may come with or
        // without brackets.
        const auto parts = rest.split(':');
        const auto containerText = parts.last();
        const bool hasHost = parts.size() >= 2;
        const auto hostText = hasHost ? parts.at(parts.size() - 2) : QString();
        auto ip = parts.size() >= 3 ? parts.mid(0, parts.size() - 2).join(':') : QString();
        bool ok = true;
        if (ip.startsWith('[') && ip.endsWith(']'))
            ip = ip.mid(1, ip.size() - 2);
        if (parts.size() >= 3 && !isIpAddress(ip)) {
            fail(QStringLiteral(
                     "\"%1\" is not an IP address (write IP:HOST:CONTAINER, e.g. 127.0.0.1:8080:80)")
                     .arg(ip));
            ok = false;
        }
        std::optional<PortRange> hostRange;
        if (!hostText.isEmpty()) {
            hostRange = parsePortRange(hostText);
            if (!hostRange) {
                fail("the host port must be a number from 1 to 65535, or empty to let the engine pick one "
                     "(write HOST:CONTAINER, e.g. 8080:80)");
                ok = false;
            }
        }
        const auto containerRange = parsePortRange(containerText);
        if (!containerRange) {
            fail(hasHost ? "the container port must be a number from 1 to 65535 (write HOST:CONTAINER, e.g. "
                           "8080:80)"
                         : "the container port must be a number from 1 to 65535 (write HOST:CONTAINER, e.g. "
                           "8080:80, or only CONTAINER for a port the engine picks)");
            ok = false;
        }
        if (!ok)
            continue;
        if (hostRange && hostRange->size() != containerRange->size()) {
            fail("the host and container port ranges must have the same length (e.g. 8000-8002:80-82)");
            continue;
        }

        for (int i = 0; i < containerRange->size(); ++i) {
            engine::PortPublish port;
            port.containerPort = static_cast<std::uint16_t>(containerRange->first + i);
            port.hostPort = hostRange ? static_cast<std::uint16_t>(hostRange->first + i) : 0;
            port.protocol = protocol.toStdString();
            port.hostIp = ip.toStdString();
            if (port.hostPort != 0) {
                // Berth forwards every published port to the host's localhost, so two bindings of
                // one host port clash even when they name different addresses.
                const auto key = QStringLiteral("%1/%2").arg(port.hostPort).arg(protocol);
                if (const auto previous = published.constFind(key); previous != published.constEnd()) {
                    fail(QStringLiteral("host port %1 is already published by \"%2\"; each host port can be "
                                        "used once")
                             .arg(key, *previous));
                    break;
                }
                published.insert(key, entry);
            }
            spec.ports.push_back(port);
        }
    }
}

void parseEnv(const QString& text, engine::ContainerSpec& spec, QStringList& errors)
{
    // As in a docker --env-file: leading blanks are dropped, # starts a comment line, and the
    // value is kept exactly as typed, commas and trailing spaces included.
    for (const auto& rawLine : lines(text)) {
        qsizetype start = 0;
        while (start < rawLine.size() && rawLine.at(start).isSpace())
            ++start;
        const auto line = rawLine.mid(start);
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const auto equals = line.indexOf('=');
        const auto key = equals < 0 ? line : line.left(equals);
        if (!isEnvKey(key)) {
            errors << problem("Env", line,
                              "the name must start with a letter or _ and have only letters, digits and _ "
                              "(write KEY=value, e.g. LOG_LEVEL=debug)");
            continue;
        }
        if (equals < 0) {
            errors << problem(
                "Env", line,
                QStringLiteral("write KEY=value, e.g. %1=value (there is no shell here to take the "
                               "value of %1 from)")
                    .arg(key));
            continue;
        }
        spec.env.push_back(line.toStdString());
    }
}

void parseVolumes(const QString& text, engine::ContainerSpec& spec, QStringList& errors)
{
    QHash<QString, QString> targets; // cleaned container path → the line that mounts it
    for (const auto& rawLine : lines(text)) {
        const auto line = rawLine.trimmed();
        if (line.isEmpty())
            continue;
        const auto fail = [&](const QString& explanation) {
            errors << problem("Volumes", line, explanation);
        };
        const auto parts = line.split(':');
        if (parts.size() < 2 || parts.size() > 3) {
            fail("write SOURCE:TARGET, e.g. data:/var/lib/data or /host/path:/container/path");
            continue;
        }
        const auto& source = parts.at(0);
        const auto& target = parts.at(1);
        bool ok = true;
        if (!source.startsWith('/') && !isEngineName(source)) {
            fail("the source must be a volume name (at least two of letters, digits, _ . -) or an absolute "
                 "host "
                 "path starting with / (e.g. data:/var/lib/data or /host/path:/container/path)");
            ok = false;
        }
        if (!target.startsWith('/')) {
            fail("the container path must be absolute, starting with / (e.g. data:/var/lib/data)");
            ok = false;
        } else if (QDir::cleanPath(target) == "/") {
            fail("the container path cannot be / itself (e.g. data:/var/lib/data)");
            ok = false;
        }
        const auto mode = parts.size() == 3 ? parts.at(2) : QString("rw");
        if (mode != "ro" && mode != "rw") {
            fail("the mode must be ro (read-only) or rw (e.g. data:/var/lib/data:ro)");
            ok = false;
        }
        if (!ok)
            continue;
        const auto cleanTarget = QDir::cleanPath(target);
        if (const auto previous = targets.constFind(cleanTarget); previous != targets.constEnd()) {
            fail(QStringLiteral("%1 is already mounted by \"%2\"; each container path can be used once")
                     .arg(cleanTarget, *previous));
            continue;
        }
        targets.insert(cleanTarget, line);
        // rw is the engine's default, so only ro is spelled out.
        spec.binds.push_back((source + ':' + target + (mode == "ro" ? ":ro" : "")).toStdString());
    }
}

void parseCommand(const QString& text, engine::ContainerSpec& spec, QStringList& errors)
{
    const auto words = splitShellWords(text);
    if (!words) {
        errors << problem("Command", text.trimmed(), words.error());
        return;
    }
    for (const auto& word : words.value())
        spec.cmd.push_back(word.toStdString());
}

} // namespace

berth::Expected<QStringList, QString> splitShellWords(const QString& text)
{
    using Result = berth::Expected<QStringList, QString>;
    QStringList words;
    QString word;
    bool inWord = false; // distinguishes an empty quoted word ('') from no word at all
    const auto size = text.size();
    for (qsizetype i = 0; i < size; ++i) {
        const QChar c = text.at(i);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (inWord)
                words << word;
            word.clear();
            inWord = false;
        } else if (c == '\\') {
            if (i + 1 == size)
                return Result(
                    QString("ends with a lone \\ (remove it, or write \\\\ for a literal backslash)"));
            const QChar next = text.at(++i);
            if (next != '\n') { // backslash-newline only joins lines
                word += next;
                inWord = true;
            }
        } else if (c == '\'') {
            const auto close = text.indexOf('\'', i + 1);
            if (close < 0)
                return Result(QString("a ' quote is not closed (close it, or write \\' for a literal ')"));
            word += text.mid(i + 1, close - i - 1);
            inWord = true;
            i = close;
        } else if (c == '"') {
            inWord = true;
            qsizetype j = i + 1;
            for (; j < size && text.at(j) != '"'; ++j) {
                const QChar d = text.at(j);
                if (d == '\\' && j + 1 < size && QStringView(u"$`\"\\\n").contains(text.at(j + 1))) {
                    if (text.at(j + 1) != '\n')
                        word += text.at(j + 1);
                    ++j;
                } else {
                    word += d;
                }
            }
            if (j == size)
                return Result(QString("a \" quote is not closed (close it, or write \\\" for a literal \")"));
            i = j;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (inWord)
        words << word;
    return Result(words);
}

berth::Expected<engine::ContainerSpec, QStringList> parseRunForm(const RunForm& form)
{
    engine::ContainerSpec spec;
    QStringList errors;
    parseImage(form.image, spec, errors);
    parseName(form.name, spec, errors);
    parsePorts(form.ports, spec, errors);
    parseEnv(form.env, spec, errors);
    parseVolumes(form.volumes, spec, errors);
    parseCommand(form.command, spec, errors);
    spec.autoRemove = form.removeWhenExited;
    if (!errors.isEmpty())
        return errors;
    return spec;
}

} // namespace berth::app
