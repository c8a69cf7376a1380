#pragma once

#include "berth/vm/Instance.h"
#include "berth/vm/Result.h"

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::vm {

// --- Redaction, for anything a person may send to someone else.
//
// A name looks secret when, ignoring case and the characters that are not letters or digits, it
// contains password, passwd, passphrase, secret, token, credential, cookie, apikey, private or
// auth; or when one of its words (split at separators and camelCase) is "key" or ends in "key"
// (api_key, privateKey, AWS_ACCESS_KEY_ID, tlskey). A plural such as "keys" or a word such as
// "keyboard" is not a secret name.

// What a secret becomes.
inline constexpr std::string_view kRedacted = "<redacted>";

bool looksSecret(std::string_view name);

// `text` with the userinfo of every URL replaced: scheme://user:pass@host becomes
// scheme://<redacted>@host. The authority ends at '/', '?', '#', whitespace, a quote or '<' '>'.
std::string redactUrls(std::string_view text);

// A copy of `value` where:
//  - an object member whose key looks secret has its value replaced by "<redacted>" as a whole
//    (objects and arrays included), except booleans and null, which are kept: they say whether
//    there is a secret, never what it is;
//  - a string "NAME=VALUE" (Env-style, also "--name=value") whose NAME looks secret becomes
//    "NAME=<redacted>", wherever it is;
//  - every other string, and every object key, goes through redactUrls.
nlohmann::json redactSecrets(const nlohmann::json& value);

// `text` parsed as JSON, redacted and printed with two-space indents and a final newline. An
// error when it is not JSON; the message never quotes the text, which may hold a secret.
Result<std::string> redactJsonText(std::string_view text);

// --- The diagnostics bundle.

struct DiagnosticsOptions
{
    std::filesystem::path output; // the .tar.gz to write, in an existing folder
    // Names the bundle's top folder and its files' times.
    std::chrono::system_clock::time_point at = std::chrono::system_clock::now();
    // The caller's parts: what `berth status --json` and `berth version` print. Called on the
    // calling thread, only once the output's folder is known to be usable. Unset or returning
    // nothing: the file is left out and MANIFEST.txt says so. Both are redacted like the rest.
    std::function<std::string()> statusJson;
    std::function<std::string()> versionText;
    std::chrono::milliseconds engineTimeout{10000}; // for each of GET /info and /version
    std::size_t maxLogBytes = 5u << 20;             // each log keeps its last bytes, whole lines
};

struct DiagnosticsReport
{
    std::filesystem::path archive;                            // absolute
    std::vector<std::string> files;                           // in the bundle, below its top folder
    std::vector<std::pair<std::string, std::string>> missing; // a file left out, and why
};

// "berth-diagnostics-YYYYMMDD-HHMMSS", `at` in UTC: the bundle's top folder and default name.
std::string diagnosticsName(std::chrono::system_clock::time_point at);

// <diagnosticsName(at)>.tar.gz in the home folder (homeFolder()); an error when there is none.
Result<std::filesystem::path> defaultDiagnosticsFile(std::chrono::system_clock::time_point at);

// Writes a .tar.gz of `instance`'s logs (the last maxLogBytes of each file in its log folder,
// rotated ones included), settings.json and daemon.json, status.json, version.txt, the engine's
// /info and /version (engine-info.txt says why when it does not answer), host.txt and
// MANIFEST.txt, all under one top folder and all redacted as above (logs through redactUrls).
// Blocks the calling thread, for at most about 2 × engineTimeout when the engine hangs.
// The archive appears whole or not at all: it is written under a temporary name in the same
// folder, then renamed over `output`. Errors name the path and the problem: the folder is
// missing or not writable, `output` is a folder, the disk is full. A part that cannot be read is
// not an error: it is left out, and MANIFEST.txt and the report say why.
Result<DiagnosticsReport> writeDiagnostics(const Instance& instance, const DiagnosticsOptions& options);

} // namespace berth::vm
