#include "Commands.h"

#include "berth/vm/Diagnostics.h"
#include "berth/vm/DockerContext.h"
#include "berth/vm/InstallPaths.h"
#include "berth/vm/InstanceControl.h"
#include "berth/vm/Process.h"
#include "berth/vm/QemuCommand.h"
#include "berth/vm/SocketLinks.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>

namespace berth::app {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using vm::EngineState;

namespace {

// --- arguments ---

struct Flag
{
    std::string name; // "--cpus"
    bool takesValue;
};

// Parsed flags of one command. Unknown flags and missing values are errors naming them.
struct Args
{
    std::map<std::string, std::string> values;
    std::vector<std::string> rest; // after "--"
    bool help = false;

    bool has(const std::string& flag) const { return values.count(flag) != 0; }
    std::string get(const std::string& flag, const std::string& fallback = {}) const
    {
        const auto it = values.find(flag);
        return it == values.end() ? fallback : it->second;
    }
};

// `words`, when given, collects the arguments that are not flags (nor a flag's value).
std::optional<Args> parse(const std::string& command, const std::vector<std::string>& argv,
                          std::vector<Flag> flags, std::vector<std::string>* words = nullptr)
{
    flags.push_back({"--instance", true});
    Args args;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const auto& a = argv[i];
        if (a == "--") {
            args.rest.assign(argv.begin() + static_cast<long>(i) + 1, argv.end());
            break;
        }
        if (a == "--help" || a == "-h") {
            args.help = true;
            continue;
        }
        if (words && a.rfind("-", 0) != 0) {
            words->push_back(a);
            continue;
        }
        std::string name = a, value;
        bool inlineValue = false;
        if (const auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
            name = a.substr(0, eq);
            value = a.substr(eq + 1);
            inlineValue = true;
        }
        const auto flag =
            std::find_if(flags.begin(), flags.end(), [&](const Flag& f) { return f.name == name; });
        if (flag == flags.end()) {
            std::cerr << "berth " << command << ": unknown argument '" << a << "'; see `berth " << command
                      << " --help`\n";
            return std::nullopt;
        }
        if (flag->takesValue && !inlineValue) {
            if (i + 1 >= argv.size()) {
                std::cerr << "berth " << command << ": " << name << " needs a value\n";
                return std::nullopt;
            }
            value = argv[++i];
        }
        args.values[name] = value;
    }
    return args;
}

std::optional<int> parseInt(const std::string& command, const std::string& flag, const std::string& text)
{
    char* end = nullptr;
    errno = 0;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0 || value < INT32_MIN || value > INT32_MAX) {
        std::cerr << "berth " << command << ": " << flag << " takes a whole number, not '" << text << "'\n";
        return std::nullopt;
    }
    return static_cast<int>(value);
}

std::string instanceName(const Args& args)
{
    if (args.has("--instance"))
        return args.get("--instance");
    const char* env = std::getenv("BERTH_INSTANCE");
    return env && *env ? env : "default";
}

std::optional<vm::Instance> openInstance(const std::string& command, const Args& args)
{
    auto instance = vm::Instance::open(instanceName(args));
    if (!instance) {
        std::cerr << "berth " << command << ": " << instance.error().message << "\n";
        return std::nullopt;
    }
    return std::move(instance).value();
}

// --- talking to the agent ---

vm::InstanceControl control(const vm::Instance& instance)
{
    return vm::InstanceControl(instance, vm::executableDir() / "berth", vm::imageDir());
}

// The agent's status, or nullopt when none answers.
std::optional<vm::AgentStatus> liveStatus(const vm::Instance& instance)
{
    return control(instance).liveStatus();
}

// Prints a line an operation tells as it goes.
void sayLine(const std::string& line)
{
    std::cout << line << "\n" << std::flush;
}

// An operation's exit code: 0 when it worked, else 1 after printing `berth COMMAND: why`, then
// any console lines.
template <typename T> int exitCode(const std::string& command, const vm::ControlResult<T>& result)
{
    if (result)
        return 0;
    std::cerr << "berth " << command << ": " << result.error().text() << "\n";
    return 1;
}

// The options `berth start` and `berth restart` share.
const std::vector<Flag> kStartFlags{
    {"--cpus", true}, {"--memory", true}, {"--disk", true}, {"--accel", true}, {"--timeout", true}};

// Checks the start options' syntax. nullopt: an error naming the flag was printed.
std::optional<vm::StartOptions> parseStartOptions(const std::string& command, const Args& args)
{
    vm::StartOptions options;
    for (const auto& [flag, field] :
         {std::pair{"--cpus", &vm::StartOptions::cpus}, std::pair{"--memory", &vm::StartOptions::memoryMiB},
          std::pair{"--disk", &vm::StartOptions::diskGiB}}) {
        if (!args.has(flag))
            continue;
        options.*field = parseInt(command, flag, args.get(flag));
        if (!(options.*field))
            return std::nullopt;
    }
    options.accel = args.get("--accel");
    if (!options.accel.empty() && options.accel != "kvm" && options.accel != "hvf" &&
        options.accel != "whpx" && options.accel != "tcg") {
        std::cerr << "berth " << command << ": --accel takes kvm, hvf, whpx or tcg, not '" << options.accel
                  << "'\n";
        return std::nullopt;
    }
    if (args.has("--timeout")) {
        const auto t = parseInt(command, "--timeout", args.get("--timeout"));
        if (!t)
            return std::nullopt;
        if (*t <= 0) {
            std::cerr << "berth " << command << ": --timeout must be positive\n";
            return std::nullopt;
        }
        options.timeout = std::chrono::seconds(*t);
    }
    return options;
}

bool helpRequested(const Args& args, const char* text)
{
    if (args.help)
        std::cout << text;
    return args.help;
}

// ssh's arguments that reach the running guest as the berth user, with the pinned host key.
std::vector<std::string> sshArguments(const vm::Instance& instance, int port)
{
    return {"ssh",
            "-i",
            instance.clientKey().string(),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "UserKnownHostsFile=" + instance.knownHosts().string(),
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "LogLevel=ERROR",
            "-p",
            std::to_string(port)};
}

std::string shellQuoted(const std::string& text)
{
    std::string quoted = "'";
    for (const char ch : text)
        quoted += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    return quoted + "'";
}

} // namespace

int startCommand(const std::vector<std::string>& argv)
{
    const auto args = parse("start", argv, kStartFlags);
    if (!args)
        return 2;
    if (helpRequested(*args,
                      "Usage: berth start [--cpus N] [--memory MiB] [--disk GiB] [--accel kvm|hvf|whpx|tcg]\n"
                      "                   [--timeout SECONDS] [--instance NAME]\n\n"
                      "Starts the engine VM in the background and returns when the Docker engine answers\n"
                      "on the host socket. --cpus, --memory and --disk change the saved settings (the disk\n"
                      "only grows). --accel forces an accelerator; by default KVM is used when it works\n"
                      "here and TCG otherwise. --timeout bounds the wait (default 300).\n"))
        return 0;
    const auto options = parseStartOptions("start", *args);
    if (!options)
        return 2;
    auto instance = openInstance("start", *args);
    return instance ? exitCode("start", control(*instance).start(*options, sayLine)) : 1;
}

int stopCommand(const std::vector<std::string>& argv)
{
    const auto args = parse("stop", argv, {});
    if (!args)
        return 2;
    if (helpRequested(*args,
                      "Usage: berth stop [--instance NAME]\n\n"
                      "Asks the guest to power off (ACPI), waits up to 60 s, then kills QEMU if it has not,\n"
                      "and says which happened. Containers stop; images, volumes and containers stay.\n"))
        return 0;
    auto instance = openInstance("stop", *args);
    return instance ? exitCode("stop", control(*instance).stop(sayLine)) : 1;
}

int restartCommand(const std::vector<std::string>& argv)
{
    const auto args = parse("restart", argv, kStartFlags);
    if (!args)
        return 2;
    if (helpRequested(*args, "Usage: berth restart [the options of berth start]\n\n"
                             "Stops the engine VM (as `berth stop`), then starts it (as `berth start`).\n"))
        return 0;
    const auto options = parseStartOptions("restart", *args); // before stopping anything
    if (!options)
        return 2;
    auto instance = openInstance("restart", *args);
    if (!instance)
        return 1;
    return exitCode("restart", control(*instance).restart(*options, sayLine));
}

int statusCommand(const std::vector<std::string>& argv)
{
    const auto args = parse("status", argv, {{"--json", false}});
    if (!args)
        return 2;
    if (helpRequested(*args, "Usage: berth status [--json] [--instance NAME]\n\n"
                             "Prints the engine's state, accelerator, resources and DOCKER_HOST.\n"))
        return 0;
    auto instance = openInstance("status", *args);
    if (!instance)
        return 1;
    const auto report = control(*instance).statusReport();
    if (args->has("--json")) {
        std::cout << report.json.dump(2) << "\n";
        return 0;
    }
    const auto& status = report.status;
    const auto& disk = report.disk;
    const bool diskFull = report.diskFull;
    std::cout << "Instance:     " << status.instance << "\n"
              << "State:        " << vm::toString(status.state)
              << (status.phase.empty() ? "" : " (" + status.phase + ")")
              << (status.engineRestarting ? " — the engine (dockerd) stopped and is restarting; the socket answers "
                                            "again when it is back"
                                          : "")
              << "\n";
    if (!status.accelerator.empty())
        std::cout << "Accelerator:  " << status.accelerator << " — " << status.acceleratorReason << "\n";
    else if (const auto problem = vm::hardwareProblem(vm::thisQemuHost()))
        std::cout << "Accelerator:  the next start uses TCG (emulation, slower): " << *problem << "\n";
    std::cout << "Resources:    " << status.cpus << " CPUs, " << status.memoryMiB << " MiB memory, "
              << status.diskGiB << " GiB disk\n";
    if (disk) {
        std::cout << "Data disk:    " << std::fixed << std::setprecision(1)
                  << static_cast<double>(disk->usedBytes) / (1 << 30) << " of "
                  << static_cast<double>(disk->sizeBytes) / (1 << 30) << " GiB used\n";
        if (diskFull)
            std::cout << "              FULL: the engine cannot store images, containers or volume data. "
                         "Free space\n"
                         "              (docker system prune, docker volume rm) or grow the disk\n"
                         "              (berth stop; berth start --disk GiB).\n";
    }
    if (status.pid != 0)
        std::cout << "Agent:        pid " << status.pid
                  << (status.vmPid ? ", QEMU pid " + std::to_string(status.vmPid) : "") << "\n";
    if (status.state == EngineState::Running)
        std::cout << "Uptime:       " << static_cast<long>(status.uptimeSeconds) << " s\n";
    if (!status.stopMethod.empty() && status.state == EngineState::Stopped)
        std::cout << "Last stop:    "
                  << (status.stopMethod == "forced"        ? "forced (QEMU killed)"
                      : status.stopMethod == "not-started" ? "before the VM had started"
                                                           : "clean powerdown")
                  << "\n";
    if (!status.lastError.empty())
        std::cout << "Last error:   " << status.lastError << "\n";
    if (status.state == EngineState::Running) {
        const auto failed = std::count_if(status.ports.begin(), status.ports.end(),
                                          [](const vm::PublishedPort& p) { return !p.error.empty(); });
        std::cout << "Ports:        " << status.ports.size() - static_cast<std::size_t>(failed)
                  << " published on this computer" << (failed ? ", " + std::to_string(failed) + " not" : "")
                  << " (`berth ports`)\n";
        if (!status.imageStore.empty())
            std::cout << "Image store:  " << status.imageStore << " (`berth image-store`)\n";
    }
    for (const auto& warning : status.warnings)
        std::cout << "Warning:      " << warning << "\n";
    for (const auto& notice : status.notices)
        std::cout << "Note:         " << notice << "\n";
    if (status.state == EngineState::Running) {
        // Where SDKs that read neither DOCKER_HOST nor contexts find the engine.
        std::string links;
        for (const auto& link : status.socketLinks)
            links += (links.empty() ? "" : ", ") + link;
        std::cout << "Socket links: " << (links.empty() ? "none (another engine holds those places; see `berth logs --agent`)" : links)
                  << "\n";
    }
    if (!status.dockerHost.empty())
        std::cout << "DOCKER_HOST=" << status.dockerHost << "\n";
    return 0;
}

namespace {

// Prints the last `lines` lines of `file`; returns the size printed up to.
// The guest's console is a terminal to dockerd, so its log lines carry colour codes. Printed to a
// terminal they show as colours; into a pipe or a file they would be noise, so they are dropped
// there. Stateful, since a followed file may end in the middle of one.
class ColourFilter
{
public:
    ColourFilter() : m_strip(!vm::isTerminal(1)) {}

    std::string operator()(std::string_view text)
    {
        if (!m_strip)
            return std::string(text);
        std::string out;
        out.reserve(text.size());
        for (const char c : text) {
            switch (m_state) {
            case State::Text:
                if (c == '\x1b')
                    m_state = State::Escape;
                else
                    out += c;
                break;
            case State::Escape: // ESC [ opens a control sequence; any other ESC pair is dropped whole
                m_state = c == '[' ? State::Sequence : State::Text;
                break;
            case State::Sequence: // parameters and intermediates until a final byte, @ to ~
                if (c >= 0x40 && c <= 0x7e)
                    m_state = State::Text;
                break;
            }
        }
        return out;
    }

private:
    enum class State { Text, Escape, Sequence };
    bool m_strip;
    State m_state = State::Text;
};

std::uintmax_t printTail(const fs::path& file, int lines, ColourFilter& filter)
{
    for (const auto& line : vm::lastLines(file, static_cast<std::size_t>(std::max(lines, 0))))
        std::cout << filter(line) << "\n";
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    return ec ? 0 : size;
}

} // namespace

int logsCommand(const std::vector<std::string>& argv)
{
    const auto args =
        parse("logs", argv,
              {{"-f", false}, {"--follow", false}, {"--agent", false}, {"--console", false}, {"-n", true}});
    if (!args)
        return 2;
    if (helpRequested(*args, "Usage: berth logs [-f] [-n LINES] [--agent | --console] [--instance NAME]\n\n"
                             "Prints the agent's log and the guest console's log (both by default);\n"
                             "-f follows them as they grow.\n"))
        return 0;
    auto instance = openInstance("logs", *args);
    if (!instance)
        return 1;
    int lines = 100;
    if (args->has("-n")) {
        const auto n = parseInt("logs", "-n", args->get("-n"));
        if (!n)
            return 2;
        lines = *n;
    }
    std::vector<std::pair<std::string, fs::path>> files;
    if (!args->has("--console"))
        files.push_back({"agent", instance->agentLog()});
    if (!args->has("--agent"))
        files.push_back({"console", instance->consoleLog()});
    std::vector<std::uintmax_t> offsets;
    std::vector<ColourFilter> filters(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (files.size() > 1)
            std::cout << "==> " << files[i].first << ": " << files[i].second.string() << " <==\n";
        offsets.push_back(printTail(files[i].second, lines, filters[i]));
    }
    std::cout << std::flush;
    if (!args->has("-f") && !args->has("--follow"))
        return 0;
    // Follow both files; a file that shrank was rotated, so read it from its start.
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        for (std::size_t i = 0; i < files.size(); ++i) {
            std::error_code ec;
            const auto size = fs::file_size(files[i].second, ec);
            if (ec || size == offsets[i])
                continue;
            if (size < offsets[i])
                offsets[i] = 0;
            std::ifstream in(files[i].second, std::ios::binary);
            in.seekg(static_cast<std::streamoff>(offsets[i]));
            std::string chunk(size - offsets[i], '\0');
            in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
            std::cout << filters[i](std::string_view(chunk).substr(0, static_cast<std::size_t>(in.gcount())))
                      << std::flush;
            offsets[i] += static_cast<std::uintmax_t>(in.gcount());
        }
    }
}

int shellCommand(const std::vector<std::string>& argv)
{
    const auto args = parse("shell", argv, {});
    if (!args)
        return 2;
    if (helpRequested(*args,
                      "Usage: berth shell [--instance NAME] [-- COMMAND [ARG…]]\n\n"
                      "Opens a shell in the engine VM as the user berth (group docker), or runs COMMAND\n"
                      "there. Uses ssh with the instance's key and pinned host key.\n"))
        return 0;
    auto instance = openInstance("shell", *args);
    if (!instance)
        return 1;
    const auto status = liveStatus(*instance);
    if (!status || status->state != EngineState::Running || status->sshPort == 0) {
        std::cerr << "berth shell: Berth is not running; run `berth start` first\n";
        return 1;
    }
    auto command = sshArguments(*instance, status->sshPort);
    command.push_back(args->rest.empty() && vm::isTerminal(0) ? "-t" : "-T");
    command.push_back("berth@127.0.0.1");
    if (!args->rest.empty()) {
        // ssh joins its arguments with spaces for the remote shell: quote each one.
        command.push_back("--");
        for (const auto& a : args->rest)
            command.push_back(shellQuoted(a));
    }
    const auto ran = vm::runAttached(command);
    if (!ran) {
        std::cerr << "berth shell: " << ran.error().message << " (install openssh-client)\n";
        return 1;
    }
    return *ran >= 0 ? *ran : 128 - *ran; // as a shell reports a signal's end
}

int resetCommand(const std::vector<std::string>& argv)
{
    const auto args = parse("reset", argv, {{"--yes", false}, {"--factory", false}});
    if (!args)
        return 2;
    if (helpRequested(
            *args, "Usage: berth reset --yes [--factory] [--instance NAME]\n\n"
                   "Stops the engine VM and deletes its data disk: every image, container, volume and\n"
                   "network in the engine. Settings and keys stay. The next `berth start` begins empty.\n\n"
                   "  --factory   also return the settings to their defaults: removes settings.json,\n"
                   "              daemon.json (the engine's configuration) and the desktop app's\n"
                   "              preferences (desktop.json)\n"))
        return 0;
    auto instance = openInstance("reset", *args);
    if (!instance)
        return 1;
    const bool factory = args->has("--factory");
    if (!args->has("--yes")) {
        std::cerr << "berth reset: this deletes every image, container and volume of instance '"
                  << instance->name() << "'" << (factory ? " and its settings" : "") << "; run `berth reset --yes"
                  << (factory ? " --factory" : "") << "` to confirm\n";
        return 2;
    }
    return exitCode("reset", control(*instance).reset(factory, sayLine));
}

// Berth's, the Docker API's, QEMU's, the guest image's and the engine's versions. 1 when the image
// is missing or a running engine does not answer.
int versionCommand(const std::vector<std::string>& argv)
{
    const auto args = parse("version", argv, {});
    if (!args)
        return 2;
    if (helpRequested(*args,
                      "Usage: berth version [--instance NAME]\n\n"
                      "Prints the versions of Berth, QEMU, the guest image and, when running, the engine.\n"))
        return 0;
    auto instance = openInstance("version", *args);
    if (!instance)
        return 1;
    bool complete = false;
    std::cout << control(*instance).versions(&complete);
    return complete ? 0 : 1;
}

int diagnoseCommand(const std::vector<std::string>& argv)
{
    const auto args = parse("diagnose", argv, {{"--output", true}});
    if (!args)
        return 2;
    if (helpRequested(*args,
                      "Usage: berth diagnose [--output FILE] [--instance NAME]\n\n"
                      "Writes a .tar.gz for a bug report: the agent and console logs, settings.json and\n"
                      "daemon.json with their secrets removed, `berth status --json`, `berth version`, the\n"
                      "engine's /info and /version, and facts about this computer; MANIFEST.txt lists what\n"
                      "is in it and why anything is missing. The default FILE is\n"
                      "~/berth-diagnostics-YYYYMMDD-HHMMSS.tar.gz (UTC). The last line printed is its path.\n"))
        return 0;
    if (args->has("--output") && args->get("--output").empty()) {
        std::cerr << "berth diagnose: --output needs a file name\n";
        return 2;
    }
    auto instance = openInstance("diagnose", *args);
    if (!instance)
        return 1;
    vm::DiagnosticsOptions options;
    if (args->has("--output")) {
        options.output = args->get("--output");
    } else {
        auto file = vm::defaultDiagnosticsFile(options.at);
        if (!file) {
            std::cerr << "berth diagnose: " << file.error().message << " with --output FILE\n";
            return 1;
        }
        options.output = std::move(file).value();
    }
    const auto report = control(*instance).diagnose(options);
    if (!report) {
        std::cerr << "berth diagnose: " << report.error().message
                  << (args->has("--output") ? "; choose a file in an existing, writable folder with --output"
                                            : "; choose another place with --output FILE")
                  << "\n";
        return 1;
    }
    std::cout << "Diagnostics of instance '" << instance->name() << "': " << report->files.size()
              << " files, secrets removed";
    if (!report->missing.empty())
        std::cout << "; " << report->missing.size() << " missing (MANIFEST.txt says why)";
    std::cout << ".\n" << report->archive.string() << "\n";
    return 0;
}

int imageStoreCommand(const std::vector<std::string>& argv)
{
    std::vector<std::string> words;
    const auto args = parse("image-store", argv, {{"--yes", false}}, &words);
    if (!args)
        return 2;
    const char* usage =
        "Usage: berth image-store [classic|containerd [--yes]] [--instance NAME]\n\n"
        "Shows or chooses where the engine keeps images. `classic` is the engine's own store;\n"
        "`containerd` keeps them in containerd, which multi-platform images and\n"
        "`docker buildx build --platform linux/amd64,linux/arm64` need (Docker Desktop's \"Use\n"
        "containerd for pulling and storing images\"). Each store has its own images and\n"
        "containers: switching hides those of the other store until you switch back, and deletes\n"
        "nothing. Volumes are shared. A change applies at the next `berth start` (or `berth restart`).\n";
    if (helpRequested(*args, usage))
        return 0;
    if (words.size() > 1) {
        std::cerr << usage;
        return 2;
    }
    if (words.size() == 1 && words[0] != "classic" && words[0] != "containerd") {
        std::cerr << "berth image-store: '" << words[0] << "' is not an image store; use classic or containerd\n";
        return 2;
    }
    auto instance = openInstance("image-store", *args);
    if (!instance)
        return 1;
    auto settings = instance->loadSettings();
    if (!settings) {
        std::cerr << "berth image-store: " << settings.error().message << "\n";
        return 1;
    }
    const auto daemonConfig = instance->checkDaemonConfig();
    if (!daemonConfig) {
        std::cerr << "berth image-store: " << daemonConfig.error().message << "\n";
        return 1;
    }
    const auto chosen = vm::imageStoreOf(*daemonConfig, *settings);
    const auto live = liveStatus(*instance);
    const std::string running =
        live && live->state == EngineState::Running ? live->imageStore : std::string();
    if (words.empty()) {
        std::cout << "Image store: " << vm::imageStoreName(chosen.containerd)
                  << (chosen.setInDaemonJson ? " (set in " + instance->daemonConfig().string() + ")" : "") << "\n";
        if (!running.empty() && running != vm::imageStoreName(chosen.containerd))
            std::cout << "The running engine still uses the " << running << " store until `berth restart`.\n";
        return 0;
    }
    const bool containerd = words[0] == "containerd";
    if (chosen.setInDaemonJson && chosen.containerd != containerd) {
        std::cerr << "berth image-store: " << instance->daemonConfig().string()
                  << " sets features.containerd-snapshotter to " << (chosen.containerd ? "true" : "false")
                  << "; change it there, or remove that entry to let `berth image-store` choose\n";
        return 1;
    }
    if (chosen.containerd == containerd) {
        std::cout << "The image store is " << words[0] << " already.\n";
        return 0;
    }
    if (!args->has("--yes")) {
        std::cerr << "berth image-store: with the " << words[0] << " store the engine shows only the images and "
                  << "containers kept there; those you have now stay on the disk, hidden until you switch back "
                  << "(volumes are shared). Run `berth image-store " << words[0] << " --yes` to confirm\n";
        return 2;
    }
    auto changed = settings.value();
    changed.containerdImageStore = containerd;
    if (auto saved = instance->saveSettings(changed); !saved) {
        std::cerr << "berth image-store: " << saved.error().message << "\n";
        return 1;
    }
    if (running == words[0])
        std::cout << "The engine keeps the " << words[0] << " image store it runs with.\n";
    else
        std::cout << "The engine uses the " << words[0] << " image store from its next start"
                  << (running.empty() ? ".\n" : "; run `berth restart` to switch now.\n");
    return 0;
}

int contextCommand(const std::vector<std::string>& argv)
{
    std::vector<std::string> rest = argv;
    const bool use = !rest.empty() && rest.front() == "use";
    if (use)
        rest.erase(rest.begin());
    const auto args = parse("context", rest, {});
    if (!args)
        return 2;
    if (args->help || !use) {
        (args->help ? std::cout : std::cerr)
            << "Usage: berth context use [--instance NAME]\n\n"
               "Makes the instance's docker context (made by `berth start`: 'berth' for the default\n"
               "instance, 'berth-NAME' for another; a BERTH_HOME other than ~/.local/share/berth adds 8 hex\n"
               "digits of its path) the docker CLI's current context.\n";
        return args->help ? 0 : 2;
    }
    auto instance = openInstance("context", *args);
    if (!instance)
        return 1;
    auto update = vm::ensureDockerContext(vm::dockerConfigDir(), instance->dockerContextName(), instance->engineSocket(), true);
    if (!update) {
        std::cerr << "berth context use: " << update.error().message << "\n";
        return 1;
    }
    std::cout << update->note << "\n";
    return 0;
}

int defaultSocketCommand(const std::vector<std::string>& argv)
{
    std::vector<std::string> rest = argv;
    std::string verb;
    if (!rest.empty() && (rest.front() == "on" || rest.front() == "off")) {
        verb = rest.front();
        rest.erase(rest.begin());
    }
    const auto args = parse("default-socket", rest, {});
    if (!args)
        return 2;
    if (args->help) {
        std::cout << "Usage: berth default-socket [on|off] [--instance NAME]\n\n"
                     "Offers the engine at /var/run/docker.sock, where Docker Engine's socket is on Linux and\n"
                     "where older SDKs and tools look (docker-py 5, scripts that hard-code it). Turning it on\n"
                     "or off changes a system path, so it asks for an administrator's password (pkexec);\n"
                     "as root it needs none. The link leads to this instance's engine socket, which only\n"
                     "you can open, stays while Berth is stopped and across restarts of this computer, and\n"
                     "never replaces another engine's socket. Without on or off: says where it leads.\n";
        return 0;
    }
    auto instance = openInstance("default-socket", *args);
    if (!instance)
        return 1;
    const auto socket = instance->engineSocket();
    if (verb.empty()) {
        std::error_code ec;
        const auto target = fs::read_symlink(vm::kDefaultDockerSocket, ec);
        if (!ec && target == socket)
            std::cout << vm::kDefaultDockerSocket.string() << ": on, leads to this instance's engine\n";
        else if (!ec)
            std::cout << vm::kDefaultDockerSocket.string() << ": off for this instance (it leads to " << target.string()
                      << ")\n";
        else if (fs::exists(fs::symlink_status(vm::kDefaultDockerSocket, ec)))
            std::cout << vm::kDefaultDockerSocket.string() << ": off (another engine's socket is there)\n";
        else
            std::cout << vm::kDefaultDockerSocket.string() << ": off (`berth default-socket on` to offer it)\n";
        return 0;
    }
    const auto helper = vm::defaultSocketHelper();
    if (helper.empty()) {
        std::cerr << "berth default-socket: its helper berth-default-socket is not installed beside berth; "
                     "reinstall Berth\n";
        return 1;
    }
    std::vector<std::string> command{helper.string(), verb, socket.string()};
    if (!vm::runsAsAdministrator()) {
        if (vm::findProgram("pkexec").empty()) {
            std::cerr << "berth default-socket: this changes a system path and needs pkexec to ask for an "
                         "administrator's password: install it (sudo apt install pkexec), or run\n  sudo "
                      << helper.string() << " " << verb << " " << socket.string() << "\n";
            return 1;
        }
        command.insert(command.begin(), "pkexec");
    }
    // Attached to this terminal: pkexec asks for the password here when no desktop agent does.
    const auto ran = vm::runAttached(command);
    if (!ran) {
        std::cerr << "berth default-socket: " << ran.error().message << "\n";
        return 1;
    }
    if (*ran != 0) {
        // pkexec: 126 when the password was refused or the dialog dismissed, 127 when not authorized.
        if (command.front() == "pkexec" && (*ran == 126 || *ran == 127))
            std::cerr << "berth default-socket: pkexec did not authorize it (a refused or dismissed password, or no "
                         "polkit service to ask: see above); nothing changed. An administrator can also run\n  sudo "
                      << helper.string() << " " << verb << " " << socket.string() << "\n";
        return 1;
    }
    if (verb == "on")
        std::cout << "SDKs and tools that assume /var/run/docker.sock now reach this Berth.\n";
    return 0;
}

} // namespace berth::app

namespace berth::app {

int portsCommand(const std::vector<std::string>& argv)
{
    const auto args = parse("ports", argv, {{"--json", false}});
    if (!args)
        return 2;
    if (helpRequested(*args, "Usage: berth ports [--json] [--instance NAME]\n\n"
                             "Lists the container ports Berth publishes on this computer, and those it could not\n"
                             "publish because another program holds the host port.\n"))
        return 0;
    auto instance = openInstance("ports", *args);
    if (!instance)
        return 1;
    const auto live = liveStatus(*instance);
    if (args->has("--json")) {
        std::cout << (live ? live->toJson()["ports"] : nlohmann::json::array()).dump(2) << "\n";
        return 0;
    }
    if (!live || live->state != EngineState::Running) {
        std::cout << "Berth is not running, so no ports are published (`berth start`).\n";
        return 0;
    }
    if (live->ports.empty()) {
        std::cout << "No container publishes a port (docker run -p HOSTPORT:CONTAINERPORT …).\n";
        return 0;
    }
    std::size_t nameWidth = 9;
    for (const auto& p : live->ports)
        nameWidth = std::max(nameWidth, p.container.size());
    std::cout << std::left << std::setw(static_cast<int>(nameWidth) + 2) << "CONTAINER" << std::setw(24) << "HOST"
              << "CONTAINER PORT\n";
    for (const auto& p : live->ports) {
        std::cout << std::setw(static_cast<int>(nameWidth) + 2) << p.container
                  << std::setw(24) << (p.hostAddress + ":" + std::to_string(p.hostPort) + "/" + p.protocol)
                  << p.containerPort << "/" << p.protocol << "\n";
        if (!p.error.empty())
            std::cout << std::string(nameWidth + 2, ' ') << "NOT PUBLISHED: " << p.error << "\n";
    }
    return 0;
}

namespace {

int printShares(const vm::Settings& settings)
{
    if (settings.shares.empty())
        std::cout << "No host folder is shared with the VM (`berth shares add PATH`).\n";
    for (const auto& s : settings.shares)
        std::cout << s.path << (s.readOnly ? "  (read-only)" : "") << "\n";
    return 0;
}

} // namespace

int sharesCommand(const std::vector<std::string>& argv)
{
    std::vector<std::string> paths;
    const auto args = parse("shares", argv, {{"--read-only", false}}, &paths);
    if (!args)
        return 2;
    std::string verb = "list";
    if (!paths.empty() && (paths.front() == "list" || paths.front() == "add" || paths.front() == "remove")) {
        verb = paths.front();
        paths.erase(paths.begin());
    }
    const char* usage =
        "Usage: berth shares [list]\n"
        "       berth shares add PATH [--read-only]\n"
        "       berth shares remove PATH\n\n"
        "Host folders shared with the VM at the same path, so `docker run -v PATH:…` sees the\n"
        "host's files. By default your home folder and the temporary folder are shared. A change\n"
        "applies at the next `berth start` (or `berth restart`).\n";
    if (helpRequested(*args, usage))
        return 0;
    if ((verb == "list") != paths.empty() || paths.size() > 1) {
        std::cerr << usage;
        return 2;
    }
    auto instance = openInstance("shares", *args);
    if (!instance)
        return 1;
    auto settings = instance->loadSettings();
    if (!settings) {
        std::cerr << "berth shares: " << settings.error().message << "\n";
        return 1;
    }
    if (verb == "list")
        return printShares(settings.value());

    std::error_code ec;
    const auto path = vm::Settings::plainPath(fs::absolute(paths.front(), ec).string());
    auto changed = settings.value();
    auto& shares = changed.shares;
    const auto it = std::find_if(shares.begin(), shares.end(), [&path](const auto& s) { return s.path == path; });
    if (verb == "remove") {
        if (it == shares.end()) {
            std::cerr << "berth shares remove: " << path << " is not shared; `berth shares` lists what is\n";
            return 1;
        }
        shares.erase(it);
    } else if (it != shares.end() && it->readOnly == args->has("--read-only")) {
        std::cout << path << " is shared already.\n";
        return 0;
    } else if (it != shares.end()) {
        it->readOnly = args->has("--read-only");
    } else {
        shares.push_back({path, args->has("--read-only")});
    }
    if (auto saved = instance->saveSettings(changed); !saved) {
        std::cerr << "berth shares " << verb << ": " << saved.error().message << "\n";
        return 1;
    }
    std::cout << (verb == "add" ? "Shared " : "No longer shared: ") << path << "\n";
    if (const auto live = liveStatus(*instance); live && live->state == EngineState::Running)
        std::cout << "The change applies after `berth restart`.\n";
    return 0;
}

} // namespace berth::app
