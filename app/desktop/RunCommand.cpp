#include "RunCommand.h"

#include <algorithm>
#include <tuple>

#include <QRegularExpression>
#include <QStringList>

namespace berth::app {

namespace {

using nlohmann::json;

// Readers that give an empty value for a missing field or one of another type: a command line
// with a part missing is more use than none at all.
const json& member(const json& object, const char* key)
{
    static const json null;
    if (!object.is_object())
        return null;
    const auto it = object.find(key);
    return it == object.end() ? null : *it;
}

QString string(const json& object, const char* key)
{
    const auto& value = member(object, key);
    return value.is_string() ? QString::fromStdString(value.get<std::string>()) : QString();
}

bool boolean(const json& object, const char* key)
{
    const auto& value = member(object, key);
    return value.is_boolean() && value.get<bool>();
}

// An array of strings, or a lone string (older engines sent some of these fields that way).
QStringList strings(const json& object, const char* key)
{
    const auto& value = member(object, key);
    QStringList list;
    if (value.is_string())
        list << QString::fromStdString(value.get<std::string>());
    else if (value.is_array())
        for (const auto& item : value)
            if (item.is_string())
                list << QString::fromStdString(item.get<std::string>());
    return list;
}

// "-p" values from HostConfig.PortBindings ({"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}),
// in container-port order rather than the JSON's text order, so that 443 does not sort before 80.
QStringList publishedPorts(const json& bindings)
{
    struct Entry
    {
        int port;
        QString protocol;
        QString value;
    };
    std::vector<Entry> entries;
    if (!bindings.is_object())
        return {};
    for (const auto& [key, list] : bindings.items()) {
        const auto text = QString::fromStdString(key);
        const auto slash = text.indexOf('/');
        const auto port = text.left(slash);
        const auto protocol = slash < 0 ? QString("tcp") : text.mid(slash + 1);
        const auto container = protocol == "tcp" ? port : port + '/' + protocol;
        if (!list.is_array())
            continue;
        for (const auto& binding : list) {
            auto ip = string(binding, "HostIp");
            const auto hostPort = string(binding, "HostPort");
            if (ip.contains(':'))
                ip = '[' + ip + ']';
            QString value;
            if (ip.isEmpty())
                value = hostPort.isEmpty() ? container : hostPort + ':' + container;
            else
                value = ip + ':' + hostPort + ':' + container;
            entries.push_back({port.toInt(), protocol, value});
        }
    }
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return std::tie(a.port, a.protocol) < std::tie(b.port, b.protocol);
    });
    QStringList values;
    for (const auto& entry : entries)
        values << entry.value;
    return values;
}

} // namespace

QString shellQuote(const QString& word)
{
    static const QRegularExpression plain(QRegularExpression::anchoredPattern("[A-Za-z0-9_@%+=:,./-]+"));
    if (plain.match(word).hasMatch())
        return word;
    auto quoted = word;
    quoted.replace('\'', QStringLiteral("'\\''"));
    return '\'' + quoted + '\'';
}

QString dockerRunCommand(const engine::Container& inspected)
{
    const auto& raw = inspected.raw;
    const auto& config = member(raw, "Config");
    const auto& host = member(raw, "HostConfig");

    QStringList args{"docker", "run", "-d"};
    if (boolean(config, "OpenStdin"))
        args << "-i";
    if (boolean(config, "Tty"))
        args << "-t";
    if (boolean(host, "AutoRemove"))
        args << "--rm";

    auto name = string(raw, "Name");
    if (name.startsWith('/'))
        name.remove(0, 1);
    if (name.isEmpty())
        name = QString::fromStdString(inspected.name);
    if (!name.isEmpty())
        args << "--name" << name;

    const auto& restart = member(host, "RestartPolicy");
    const auto restartName = string(restart, "Name");
    if (!restartName.isEmpty() && restartName != "no") {
        const auto& retries = member(restart, "MaximumRetryCount");
        const int count = retries.is_number_integer() ? retries.get<int>() : 0;
        args << "--restart"
             << (restartName == "on-failure" && count > 0 ? restartName + ':' + QString::number(count)
                                                          : restartName);
    }

    const auto network = string(host, "NetworkMode");
    if (!network.isEmpty() && network != "default" && network != "bridge")
        args << "--network" << network;
    if (boolean(host, "Privileged"))
        args << "--privileged";

    for (const auto& port : publishedPorts(member(host, "PortBindings")))
        args << "-p" << port;

    // Config.Env holds the image's variables merged with the container's, and the inspect answer
    // does not say which is which. Repeating an image's variable is harmless, dropping one the
    // user set is not, so all are kept except PATH: nearly every image sets it, and it would only
    // make the line long.
    for (const auto& variable : strings(config, "Env"))
        if (!variable.startsWith("PATH="))
            args << "-e" << variable;

    for (const auto& bind : strings(host, "Binds"))
        args << "-v" << bind;

    // --entrypoint takes one word; the rest of a longer entrypoint goes before the command, which
    // gives the process the same argv.
    auto entrypoint = strings(config, "Entrypoint");
    if (!entrypoint.isEmpty())
        args << "--entrypoint" << entrypoint.takeFirst();

    auto image = string(config, "Image");
    if (image.isEmpty())
        image = QString::fromStdString(inspected.image);
    args << image << entrypoint << strings(config, "Cmd");

    QStringList quoted;
    quoted.reserve(args.size());
    for (const auto& arg : args)
        quoted << shellQuote(arg);
    return quoted.join(' ');
}

} // namespace berth::app
