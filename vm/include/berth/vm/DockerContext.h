#pragma once

#include "berth/vm/Result.h"

#include <filesystem>
#include <string>

namespace berth::vm {

// The docker CLI's configuration folder: $DOCKER_CONFIG, else .docker in the home folder
// (homeFolder(): %USERPROFILE% on Windows).
std::filesystem::path dockerConfigDir();

struct ContextUpdate
{
    bool madeCurrent = false;
    std::string previous; // the current context before ("default" when none was set)
    std::string note;     // one sentence on what was done, for the log and the CLI
};

// Creates or updates the docker context `name` whose endpoint is the local endpoint `socket` (a
// Unix socket, or a named pipe on Windows). Makes it the current context when `makeCurrent`, or
// when the current context's endpoint is a local one nobody listens on (another product's engine
// that is not running); a context whose endpoint is alive, or is not local, stays current. Other contexts are
// never touched; config.json keeps every other field and its mode, and is replaced atomically. A config.json
// that is not valid JSON is left as it is (an error says so; the context itself is still written).
Result<ContextUpdate> ensureDockerContext(const std::filesystem::path& configDir, const std::string& name,
                                          const std::filesystem::path& socket, bool makeCurrent);

// Adds `pluginsDir` to config.json's cliPluginsExtraDirs, so the docker CLI finds the compose
// and buildx plugins Berth bundles. Every other key and folder is kept, the file keeps its mode
// and is replaced atomically, and nothing is written when the folder is listed already (then
// the answer is false). A config.json that is not valid JSON, or whose cliPluginsExtraDirs is
// not a list of strings, is left as it is and the error says so.
Result<bool> ensureCliPluginsDir(const std::filesystem::path& configDir, const std::filesystem::path& pluginsDir);

// Sets config.json's proxies entry for the engine at `host` ("unix:///…/docker.sock"), which the
// docker CLI hands to the containers it runs and builds as HTTP_PROXY, HTTPS_PROXY and NO_PROXY
// (with both spellings), as Docker Desktop's containers get them. Empty proxies remove that entry.
// Only that entry is touched. True when the file changed.
Result<bool> ensureCliProxies(const std::filesystem::path& configDir, const std::string& host,
                              const std::string& http, const std::string& https, const std::string& no);

// The endpoint ("unix:///…", "tcp://…") of context `name`; "default" is /var/run/docker.sock, or the pipe
// docker_engine on Windows.
Result<std::string> dockerContextEndpoint(const std::filesystem::path& configDir, const std::string& name);

} // namespace berth::vm
