#include "berth/vm/Diagnostics.h"

#include "berth/engine/Client.h"
#include "berth/vm/AppPaths.h"
#include "berth/vm/HostInfo.h"
#include "berth/vm/PrivateFiles.h"
#include "berth/vm/Process.h"
#include "berth/vm/QemuCommand.h"
#include "berth/vm/TarGz.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <memory>
#include <optional>
#include <sstream>
#include <tuple>

#include <boost/asio/io_context.hpp>

namespace berth::vm {

namespace fs = std::filesystem;
using SystemClock = std::chrono::system_clock;

// --- redaction

namespace {

bool isAlnum(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
bool isUpper(char c)
{
    return std::isupper(static_cast<unsigned char>(c)) != 0;
}
bool isLower(char c)
{
    return std::islower(static_cast<unsigned char>(c)) != 0;
}
bool isDigit(char c)
{
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}
char lower(char c)
{
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// "AWS_ACCESS_KEY_ID" → aws access key id; "privateAPIKey" → private api key.
std::vector<std::string> wordsOf(std::string_view name)
{
    std::vector<std::string> words;
    std::string word;
    const auto flush = [&] {
        if (!word.empty())
            words.push_back(std::exchange(word, {}));
    };
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if (!isAlnum(c)) {
            flush();
            continue;
        }
        if (isUpper(c) && i > 0) {
            const char before = name[i - 1];
            const bool acronymEnds = isUpper(before) && i + 1 < name.size() && isLower(name[i + 1]);
            if (isLower(before) || isDigit(before) || acronymEnds)
                flush();
        }
        word += lower(c);
    }
    flush();
    return words;
}

// The NAME of "NAME=VALUE" or "--name=value", or nothing when `text` has another shape.
std::optional<std::string_view> assignedName(std::string_view text)
{
    std::size_t i = 0;
    while (i < text.size() && i < 2 && text[i] == '-')
        ++i;
    const auto start = i;
    if (i >= text.size() || !(std::isalpha(static_cast<unsigned char>(text[i])) || text[i] == '_'))
        return std::nullopt;
    while (i < text.size() && (isAlnum(text[i]) || text[i] == '_' || text[i] == '-' || text[i] == '.'))
        ++i;
    if (i >= text.size() || text[i] != '=')
        return std::nullopt;
    return text.substr(start, i - start);
}

std::string redactString(std::string_view text)
{
    if (const auto name = assignedName(text); name && looksSecret(*name))
        return std::string(text.substr(0, text.find('=') + 1)) + std::string(kRedacted);
    return redactUrls(text);
}

// For nlohmann::json and ordered_json alike: a file keeps its members' order.
template <typename Json> Json redactValue(const Json& value)
{
    if (value.is_object()) {
        Json out = Json::object();
        for (auto it = value.begin(); it != value.end(); ++it) {
            const auto& member = it.value();
            const bool hide = looksSecret(it.key()) && !member.is_boolean() && !member.is_null();
            out[redactUrls(it.key())] = hide ? Json(std::string(kRedacted)) : redactValue(member);
        }
        return out;
    }
    if (value.is_array()) {
        Json out = Json::array();
        for (const auto& element : value)
            out.push_back(redactValue(element));
        return out;
    }
    if (value.is_string())
        return Json(redactString(value.template get_ref<const std::string&>()));
    return value;
}

template <typename Json> std::string printed(const Json& json)
{
    return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

} // namespace

bool looksSecret(std::string_view name)
{
    std::string flat;
    for (const char c : name)
        if (isAlnum(c))
            flat += lower(c);
    static constexpr std::array<std::string_view, 10> kParts{"password", "passwd",     "passphrase", "secret",
                                                             "token",    "credential", "cookie",     "apikey",
                                                             "private",  "auth"};
    for (const auto part : kParts)
        if (flat.find(part) != std::string::npos)
            return true;
    const auto words = wordsOf(name);
    return std::any_of(words.begin(), words.end(), [](const std::string& w) { return w.ends_with("key"); });
}

std::string redactUrls(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    std::size_t done = 0;
    for (auto scheme = text.find("://"); scheme != std::string_view::npos; scheme = text.find("://", done)) {
        const auto hostStart = scheme + 3;
        auto end = hostStart;
        while (end < text.size() &&
               std::string_view("/?#\"'<> \t\r\n").find(text[end]) == std::string_view::npos)
            ++end;
        out.append(text.substr(done, hostStart - done));
        const auto at = text.substr(hostStart, end - hostStart).rfind('@');
        if (at != std::string_view::npos && at > 0) {
            out.append(kRedacted);
            done = hostStart + at; // from the '@' on
        } else {
            done = hostStart;
        }
    }
    out.append(text.substr(done));
    return out;
}

nlohmann::json redactSecrets(const nlohmann::json& value)
{
    return redactValue(value);
}

Result<std::string> redactJsonText(std::string_view text)
{
    const auto json = nlohmann::ordered_json::parse(text, nullptr, false);
    if (json.is_discarded())
        return Error{"not valid JSON"};
    return printed(redactValue(json));
}

// --- the bundle

namespace {

// `at` in UTC as "YYYY-MM-DD HH:MM:SS", or "YYYYMMDD-HHMMSS" when `compact` (for file names).
std::string utc(SystemClock::time_point at, bool compact)
{
    using namespace std::chrono;
    const auto day = floor<days>(at);
    const year_month_day date{day};
    const hh_mm_ss time{floor<seconds>(at - day)};
    std::array<char, 32> text{};
    const int n = std::snprintf(
        text.data(), text.size(),
        compact ? "%04d%02u%02u-%02lld%02lld%02lld" : "%04d-%02u-%02u %02lld:%02lld:%02lld",
        static_cast<int>(date.year()), static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
        static_cast<long long>(time.hours().count()), static_cast<long long>(time.minutes().count()),
        static_cast<long long>(time.seconds().count()));
    return std::string(text.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
}

std::string gib(double bytes)
{
    std::ostringstream out;
    out << std::fixed << std::setprecision(1) << bytes / (1u << 30) << " GiB";
    return out.str();
}

std::string sizeText(std::uintmax_t bytes)
{
    if (bytes < 10 * 1024)
        return std::to_string(bytes) + " bytes";
    std::ostringstream out;
    out << std::fixed << std::setprecision(1);
    if (bytes < (1u << 20))
        out << static_cast<double>(bytes) / 1024 << " KiB";
    else
        out << static_cast<double>(bytes) / (1u << 20) << " MiB";
    return out.str();
}

SystemClock::time_point modifiedAt(const fs::path& file, SystemClock::time_point fallback)
{
    std::error_code ec;
    const auto at = fs::last_write_time(file, ec);
    if (ec)
        return fallback;
    return std::chrono::time_point_cast<SystemClock::duration>(std::chrono::file_clock::to_sys(at));
}

struct Tail
{
    std::string bytes;
    std::uintmax_t fileSize = 0;
    bool cut = false;
};

// The last `max` bytes of `file`, starting at a line; a file written meanwhile is read as far as
// it was when opened.
Result<Tail> readTail(const fs::path& file, std::size_t max)
{
    std::ifstream in(file, std::ios::binary | std::ios::ate);
    if (!in)
        return Error{std::strerror(errno)};
    Tail tail;
    tail.fileSize = static_cast<std::uintmax_t>(in.tellg());
    const auto start = tail.fileSize > max ? tail.fileSize - max : 0;
    in.seekg(static_cast<std::streamoff>(start));
    tail.bytes.resize(static_cast<std::size_t>(tail.fileSize - start));
    in.read(tail.bytes.data(), static_cast<std::streamsize>(tail.bytes.size()));
    tail.bytes.resize(static_cast<std::size_t>(in.gcount()));
    if (start > 0) {
        tail.cut = true;
        const auto newline = tail.bytes.find('\n');
        tail.bytes.erase(0, newline == std::string::npos ? 0 : newline + 1);
    }
    return tail;
}

std::string osRelease()
{
    std::ifstream in("/etc/os-release");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("PRETTY_NAME=", 0) != 0)
            continue;
        auto value = line.substr(12);
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        return value;
    }
    return {};
}

std::string hostReport(const Instance& instance)
{
    std::ostringstream out;
    const auto host = hostInfo();
    out << "Host OS:     " << host.system << "\n";
    if (const auto release = osRelease(); !release.empty())
        out << "OS release:  " << release << "\n";
    out << "CPUs:        " << host.cpus << " online\n";
    out << "Memory:      " << gib(static_cast<double>(host.memoryBytes)) << " total"
        << (host.availableMemoryBytes > 0 ? ", " + gib(static_cast<double>(host.availableMemoryBytes)) + " available"
                                          : std::string())
        << "\n";
    std::error_code ec;
    const auto space = fs::space(instance.dir(), ec);
    if (ec)
        out << "Disk:        unknown for " << instance.dir().string() << ": " << ec.message() << "\n";
    else
        out << "Disk:        " << gib(static_cast<double>(space.available)) << " free of "
            << gib(static_cast<double>(space.capacity)) << " where the instance lives ("
            << instance.dir().string() << ")\n";
    if (const auto problem = hardwareProblem(thisQemuHost()))
        out << "Hypervisor:  " << *problem << " (the VM runs under TCG, slowly)\n";
    else
        out << "Hypervisor:  " << hypervisorName() << " can be used\n";
    const auto qemu = firstOutputLine(thisQemuHost().binary + " --version");
    out << "QEMU:        " << (qemu.empty() ? "qemu-system-x86_64 not found (install qemu-system-x86)" : qemu)
        << "\n";
    return out.str();
}

struct EngineAnswers
{
    std::optional<engine::Result<nlohmann::json>> info;
    std::optional<engine::Result<nlohmann::json>> version;
};

// GET /info and /version through the API client, on an io_context of our own.
EngineAnswers askEngine(const fs::path& socket, std::chrono::milliseconds timeout)
{
    EngineAnswers answers;
    boost::asio::io_context io;
    {
        engine::Client client(
            io,
            {.endpoint = engine::Endpoint::unixSocket(socket), .apiVersion = {}, .requestTimeout = timeout});
        client.info([&](engine::Result<engine::SystemInfo> r) {
            answers.info =
                r ? engine::Result<nlohmann::json>(r->raw) : engine::Result<nlohmann::json>(r.error());
        });
        client.version([&](engine::Result<engine::SystemVersion> r) {
            answers.version =
                r ? engine::Result<nlohmann::json>(r->raw) : engine::Result<nlohmann::json>(r.error());
        });
        // The client bounds each call; this bounds the version negotiation before them as well.
        io.run_for(2 * timeout + std::chrono::seconds(1));
    }
    return answers;
}

std::string engineFailure(const std::optional<engine::Result<nlohmann::json>>& answer,
                          std::chrono::milliseconds timeout)
{
    if (!answer)
        return "no answer within " + std::to_string(2 * timeout.count() / 1000 + 1) + " s";
    return answer->error().message;
}

// One bundle being written: its entries and what MANIFEST.txt will say about each.
class Bundle final
{
public:
    Bundle(TarGzWriter& tar, std::string top, SystemClock::time_point at)
        : m_tar(tar), m_top(std::move(top)), m_at(at)
    {}

    Status begin() { return m_tar.addDirectory(m_top, m_at); }

    Status add(const std::string& name, std::string_view contents, const std::string& note,
               std::optional<SystemClock::time_point> mtime = std::nullopt)
    {
        if (auto added = m_tar.addFile(m_top + "/" + name, contents, mtime.value_or(m_at)); !added)
            return added;
        m_files.push_back({name, contents.size(), note});
        return Ok{};
    }

    void miss(const std::string& name, const std::string& why) { m_missing.emplace_back(name, why); }

    std::string manifest(const Instance& instance) const
    {
        std::ostringstream out;
        out << "Berth diagnostics of instance '" << instance.name() << "' (" << instance.dir().string()
            << "), made " << utc(m_at, false) << " UTC.\n\n"
            << "Secrets were removed before writing: the value of every setting whose name looks secret\n"
               "(password, secret, token, auth, credential, private, api key, ...), user:password@ in URLs,\n"
               "and NAME=VALUE strings with such a NAME now read \""
            << kRedacted << "\". Logs keep their last " << sizeText(m_maxLog) << ".\n\n";
        std::size_t width = std::string("MANIFEST.txt").size();
        for (const auto& f : m_files)
            width = std::max(width, f.name.size());
        for (const auto& [name, why] : m_missing)
            width = std::max(width, name.size());
        out << "Files:\n";
        for (const auto& f : m_files)
            out << "  " << std::left << std::setw(static_cast<int>(width)) << f.name << "  " << std::right
                << std::setw(12) << sizeText(f.size) << "  " << f.note << "\n";
        out << "  " << std::left << std::setw(static_cast<int>(width)) << "MANIFEST.txt"
            << "  " << std::right << std::setw(12) << ""
            << "  this list\n";
        if (!m_missing.empty()) {
            out << "\nMissing:\n";
            for (const auto& [name, why] : m_missing)
                out << "  " << std::left << std::setw(static_cast<int>(width)) << name << "  " << why << "\n";
        }
        return out.str();
    }

    void setMaxLog(std::size_t bytes) { m_maxLog = bytes; }
    std::vector<std::string> fileNames() const
    {
        std::vector<std::string> names;
        for (const auto& f : m_files)
            names.push_back(f.name);
        return names;
    }
    const std::vector<std::pair<std::string, std::string>>& missing() const { return m_missing; }

private:
    struct File
    {
        std::string name;
        std::size_t size = 0;
        std::string note;
    };
    TarGzWriter& m_tar;
    std::string m_top;
    SystemClock::time_point m_at;
    std::size_t m_maxLog = 0;
    std::vector<File> m_files;
    std::vector<std::pair<std::string, std::string>> m_missing;
};

// agent.log, agent.1.log …, console.log, console.1.log …, then the other logs by name.
std::vector<fs::path> logFiles(const fs::path& dir)
{
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.is_regular_file(ec))
            files.push_back(entry.path());
    const auto rank = [](const fs::path& p) {
        const auto name = p.filename().string();
        const int group = name.rfind("agent.", 0) == 0 ? 0 : name.rfind("console.", 0) == 0 ? 1 : 2;
        const auto firstDot = name.find('.');
        const auto lastDot = name.rfind('.');
        const auto middle =
            firstDot < lastDot ? name.substr(firstDot + 1, lastDot - firstDot - 1) : std::string();
        const bool numbered = !middle.empty() && middle.find_first_not_of("0123456789") == std::string::npos;
        const int generation = numbered ? std::atoi(middle.c_str()) : name.ends_with(".log") ? 0 : 1000;
        return std::tuple(group, generation, name);
    };
    std::sort(files.begin(), files.end(),
              [&](const fs::path& a, const fs::path& b) { return rank(a) < rank(b); });
    return files;
}

Status addLogs(Bundle& bundle, const Instance& instance, const DiagnosticsOptions& options)
{
    const auto files = logFiles(instance.logDir());
    for (const auto& expected : {instance.agentLog(), instance.consoleLog()}) {
        if (std::find(files.begin(), files.end(), expected) == files.end())
            bundle.miss(expected.filename().string(),
                        "not in " + instance.logDir().string() +
                            (expected == instance.agentLog()
                                 ? " (the agent has not run for this instance yet)"
                                 : " (the VM has not booted for this instance yet)"));
    }
    for (const auto& file : files) {
        const auto name = file.filename().string();
        auto tail = readTail(file, options.maxLogBytes);
        if (!tail) {
            bundle.miss(name, "cannot read " + file.string() + ": " + tail.error().message);
            continue;
        }
        const std::string note =
            tail->cut ? "the last part of " + sizeText(tail->fileSize) + " (" + file.string() + ")"
                      : file.string();
        if (auto added =
                bundle.add(name, redactUrls(tail->bytes), note, modifiedAt(file, SystemClock::now()));
            !added)
            return added;
    }
    return Ok{};
}

// settings.json or daemon.json, redacted; `absent` says why none is fine.
Status addConfig(Bundle& bundle, const fs::path& file, const std::string& absent)
{
    const auto name = file.filename().string();
    std::error_code ec;
    if (!fs::exists(file, ec)) {
        bundle.miss(name, absent);
        return Ok{};
    }
    const auto text = readFile(file);
    if (!text) {
        bundle.miss(name, text.error().message);
        return Ok{};
    }
    const auto redacted = redactJsonText(*text);
    if (!redacted) {
        bundle.miss(name, file.string() + " is not valid JSON, so it was left out rather than risk a secret; "
                                          "fix or remove it");
        return Ok{};
    }
    return bundle.add(name, *redacted, file.string() + ", secrets redacted",
                      modifiedAt(file, SystemClock::now()));
}

// A part the caller supplies: JSON is redacted as JSON, anything else through redactUrls.
Status addSupplied(Bundle& bundle, const std::string& name, const std::function<std::string()>& supply,
                   bool json, const std::string& note)
{
    const auto text = supply ? supply() : std::string();
    if (text.empty()) {
        bundle.miss(name, "not supplied by the program that made this bundle");
        return Ok{};
    }
    std::string contents = redactUrls(text);
    if (json)
        if (auto redacted = redactJsonText(text))
            contents = *redacted;
    return bundle.add(name, contents, note);
}

Status addEngine(Bundle& bundle, const Instance& instance, const DiagnosticsOptions& options)
{
    const auto answers = askEngine(instance.engineSocket(), options.engineTimeout);
    std::vector<std::pair<std::string, std::string>> failures; // request, why
    for (const auto& [name, path, answer] :
         {std::tuple{"engine-info.json", "/info", &answers.info},
          std::tuple{"engine-version.json", "/version", &answers.version}}) {
        if (*answer && answer->value()) {
            if (auto added = bundle.add(name, printed(redactSecrets(answer->value().value())),
                                        std::string("the engine's GET ") + path + ", secrets redacted");
                !added)
                return added;
            continue;
        }
        failures.emplace_back(std::string("GET ") + path, engineFailure(*answer, options.engineTimeout));
        bundle.miss(name, "the engine did not answer (see engine-info.txt)");
    }
    if (failures.empty())
        return Ok{};
    std::string text = "The Docker engine of instance '" + instance.name() + "' did not answer.\n";
    if (failures.size() == 2 && failures[0].second == failures[1].second)
        text += failures[0].first + " and " + failures[1].first + ": " + failures[0].second + "\n";
    else
        for (const auto& [request, why] : failures)
            text += request + ": " + why + "\n";
    text += "\nThe engine runs only while Berth runs: `berth start` starts it; status.json and agent.log\n"
            "say why it stopped or did not start.\n";
    return bundle.add("engine-info.txt", redactUrls(text), "why the engine's answers are missing");
}

Status fillBundle(Bundle& bundle, const Instance& instance, const DiagnosticsOptions& options)
{
    bundle.setMaxLog(options.maxLogBytes);
    if (auto begun = bundle.begin(); !begun)
        return begun;
    if (auto added = addLogs(bundle, instance, options); !added)
        return added;
    if (auto added =
            addConfig(bundle, instance.settingsFile(), "none on disk: the instance uses the defaults");
        !added)
        return added;
    if (auto added = addConfig(bundle, instance.daemonConfig(),
                               "none on disk: dockerd runs with the guest image's defaults (it is optional)");
        !added)
        return added;
    if (auto added =
            addSupplied(bundle, "status.json", options.statusJson, true, "what `berth status --json` prints");
        !added)
        return added;
    if (auto added =
            addSupplied(bundle, "version.txt", options.versionText, false, "what `berth version` prints");
        !added)
        return added;
    if (auto added = addEngine(bundle, instance, options); !added)
        return added;
    if (auto added = bundle.add("host.txt", redactUrls(hostReport(instance)),
                                "this computer: OS, CPUs, memory, disk, "
                                "KVM, QEMU");
        !added)
        return added;
    return Ok{};
}

// Where the archive can go: an error naming the problem, or the absolute path.
Result<fs::path> checkOutput(const fs::path& output)
{
    std::error_code ec;
    const auto file = fs::absolute(output, ec).lexically_normal();
    if (ec || output.empty())
        return Error{"'" + output.string() + "' is not a usable file name"};
    const auto dir = file.parent_path();
    if (!fs::exists(dir, ec))
        return Error{"cannot write " + file.string() + ": the folder " + dir.string() + " does not exist"};
    if (!fs::is_directory(dir, ec))
        return Error{"cannot write " + file.string() + ": " + dir.string() + " is not a folder"};
    if (file.filename().empty() || fs::is_directory(file, ec))
        return Error{"cannot write " + file.string() + ": it is a folder"};
    return file; // a folder that cannot be written is named when the archive cannot be made
}

} // namespace

std::string diagnosticsName(SystemClock::time_point at)
{
    return "berth-diagnostics-" + utc(at, true);
}

Result<fs::path> defaultDiagnosticsFile(SystemClock::time_point at)
{
    const auto home = homeFolder();
    if (!home)
        return Error{home.error().message + ", or name a file for the diagnostics"};
    return *home / (diagnosticsName(at) + ".tar.gz");
}

Result<DiagnosticsReport> writeDiagnostics(const Instance& instance, const DiagnosticsOptions& options)
{
    const auto output = checkOutput(options.output);
    if (!output)
        return output.error();
    const auto temporary = output->parent_path() /
                           ("." + output->filename().string() + ".tmp-" + std::to_string(currentProcessId()));
    std::error_code ec;
    fs::remove(temporary, ec); // left by an earlier run of this pid that died
    auto tar = TarGzWriter::create(temporary);
    if (!tar)
        return Error{"cannot write " + output->string() + ": " + tar.error().message};
    const auto fail = [&](const Error& error) -> Result<DiagnosticsReport> {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        return error;
    };
    Bundle bundle(*tar, diagnosticsName(options.at), options.at);
    try {
        if (auto filled = fillBundle(bundle, instance, options); !filled)
            return fail(filled.error());
        if (auto added = bundle.add("MANIFEST.txt", bundle.manifest(instance), "this list"); !added)
            return fail(added.error());
        if (auto finished = tar->finish(); !finished)
            return fail(finished.error());
    } catch (const std::exception& e) {
        return fail(Error{"cannot write the diagnostics " + output->string() + ": " + e.what()});
    }
    if (auto moved = replaceFile(temporary, *output); !moved)
        return fail(Error{"cannot move the finished archive into place: " + moved.error().message});
    return DiagnosticsReport{*output, bundle.fileNames(), bundle.missing()};
}

} // namespace berth::vm
