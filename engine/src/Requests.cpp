#include "berth/engine/Requests.h"

namespace berth::engine {

namespace {

// RFC 4648 §5 (base64url) with padding, as the engine decodes X-Registry-Auth.
std::string base64Url(const std::string& bytes)
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    const auto byte = [&](std::size_t i) {
        return static_cast<unsigned>(static_cast<unsigned char>(bytes[i]));
    };
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        out += alphabet[v >> 18 & 63];
        out += alphabet[v >> 12 & 63];
        out += alphabet[v >> 6 & 63];
        out += alphabet[v & 63];
    }
    if (i + 1 == bytes.size()) {
        const unsigned v = byte(i) << 16;
        out += alphabet[v >> 18 & 63];
        out += alphabet[v >> 12 & 63];
        out += "==";
    } else if (i + 2 == bytes.size()) {
        const unsigned v = byte(i) << 16 | byte(i + 1) << 8;
        out += alphabet[v >> 18 & 63];
        out += alphabet[v >> 12 & 63];
        out += alphabet[v >> 6 & 63];
        out += '=';
    }
    return out;
}

} // namespace

nlohmann::json ContainerSpec::toJson() const
{
    using nlohmann::json;
    json body = {{"Image", image},           {"Tty", tty},
                 {"OpenStdin", openStdin},   {"StdinOnce", openStdin && stdinOnce},
                 {"AttachStdin", openStdin}, {"AttachStdout", true},
                 {"AttachStderr", true}};
    if (!cmd.empty())
        body["Cmd"] = cmd;
    if (entrypoint)
        body["Entrypoint"] = *entrypoint;
    if (!env.empty())
        body["Env"] = env;
    if (!workingDir.empty())
        body["WorkingDir"] = workingDir;
    if (!user.empty())
        body["User"] = user;
    if (!hostname.empty())
        body["Hostname"] = hostname;
    if (!labels.empty())
        body["Labels"] = labels;

    json host = json::object();
    if (!ports.empty()) {
        json exposed = json::object();
        json bindings = json::object();
        for (const auto& p : ports) {
            const auto key = std::to_string(p.containerPort) + "/" + p.protocol;
            exposed[key] = json::object();
            bindings[key].push_back({{"HostIp", p.hostIp},
                                     {"HostPort", p.hostPort ? std::to_string(p.hostPort) : std::string()}});
        }
        body["ExposedPorts"] = exposed;
        host["PortBindings"] = bindings;
    }
    if (publishAll)
        host["PublishAllPorts"] = true;
    if (!binds.empty())
        host["Binds"] = binds;
    if (!mounts.empty()) {
        json list = json::array();
        for (const auto& m : mounts)
            list.push_back(
                {{"Type", m.type}, {"Source", m.source}, {"Target", m.target}, {"ReadOnly", m.readOnly}});
        host["Mounts"] = list;
    }
    if (!restartPolicy.name.empty())
        host["RestartPolicy"] = {{"Name", restartPolicy.name},
                                 {"MaximumRetryCount", restartPolicy.maximumRetryCount}};
    if (autoRemove)
        host["AutoRemove"] = true;
    if (!networkMode.empty())
        host["NetworkMode"] = networkMode;
    if (privileged)
        host["Privileged"] = true;
    body["HostConfig"] = host;
    if (extra.is_object())
        body.merge_patch(extra);
    return body;
}

std::string RegistryAuth::headerValue() const
{
    nlohmann::json config = nlohmann::json::object();
    if (!username.empty())
        config["username"] = username;
    if (!password.empty())
        config["password"] = password;
    if (!serverAddress.empty())
        config["serveraddress"] = serverAddress;
    if (!identityToken.empty())
        config["identitytoken"] = identityToken;
    return base64Url(config.dump());
}

} // namespace berth::engine
