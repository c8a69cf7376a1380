// `berth`: the command-line front end and, as `berth agent`, the background host agent.
#include "AgentMain.h"
#include "Commands.h"

#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace {

void usage(std::ostream& out)
{
    out << "Usage: berth COMMAND [OPTIONS]\n\n"
           "Runs the Docker engine in a lightweight VM and forwards its socket to this host, so the\n"
           "docker CLI, docker compose and every Docker SDK work from a terminal.\n\n"
           "Commands:\n"
           "  start     Start the engine VM (returns when the engine answers)\n"
           "  stop      Stop the engine VM cleanly\n"
           "  restart   Stop, then start\n"
           "  status    Show the state, accelerator and DOCKER_HOST (--json for scripts)\n"
           "  logs      Show the agent and guest console logs (-f to follow)\n"
           "  shell     Open a shell in the VM, or run a command there\n"
           "  reset     Delete the engine's data (images, containers, volumes); needs --yes\n"
           "  ports     List the container ports published on this computer\n"
           "  shares    List, add or remove the host folders shared with the VM\n"
           "  image-store  Show or choose where the engine keeps images (classic or containerd)\n"
           "  context   `berth context use` makes the docker context 'berth' current\n"
           "  default-socket  Offer the engine at /var/run/docker.sock too (on|off; asks for a password)\n"
           "  version   Versions of Berth, QEMU, the guest image and the engine\n"
           "  diagnose  Write a .tar.gz of logs, settings (secrets removed) and versions for a bug report\n"
           "  help      This help\n\n"
           "Every command takes --help and --instance NAME (default: $BERTH_INSTANCE or 'default').\n"
           "State lives in $BERTH_HOME (default ~/.local/share/berth).\n";
}

} // namespace

int main(int argc, char** argv)
{
    const std::string command = argc > 1 ? argv[1] : "help";
    const std::vector<std::string> args(argv + std::min(argc, 2), argv + argc);
    const std::map<std::string, std::function<int(const std::vector<std::string>&)>> commands{
        {"start", berth::app::startCommand},     {"stop", berth::app::stopCommand},
        {"restart", berth::app::restartCommand}, {"status", berth::app::statusCommand},
        {"logs", berth::app::logsCommand},       {"shell", berth::app::shellCommand},
        {"reset", berth::app::resetCommand},     {"version", berth::app::versionCommand},
        {"context", berth::app::contextCommand},
        {"default-socket", berth::app::defaultSocketCommand}, {"agent", berth::app::agentMain},
        {"ports", berth::app::portsCommand},     {"shares", berth::app::sharesCommand},
        {"diagnose", berth::app::diagnoseCommand}, {"image-store", berth::app::imageStoreCommand},
    };
    if (const auto it = commands.find(command); it != commands.end())
        return it->second(args);
    if (command == "--version")
        return berth::app::versionCommand({});
    if (command == "help" || command == "--help" || command == "-h") {
        usage(std::cout);
        return 0;
    }
    std::cerr << "berth: unknown command '" << command << "'\n\n";
    usage(std::cerr);
    return 2;
}
