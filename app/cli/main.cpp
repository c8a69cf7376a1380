// `berth`: the command-line front end. Thin: the work lives in vm/ and engine/.
#include "berth/engine/ApiVersion.h"
#include "berth/vm/ImageManifest.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

fs::path executableDir()
{
    std::error_code ec;
    const auto self = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::current_path() : self.parent_path();
}

// The guest image: $BERTH_IMAGE_DIR, else beside the executable in the build tree
// (build/bin/berth → build/vm-image), else the installed share folder.
fs::path imageDir()
{
    if (const char* dir = std::getenv("BERTH_IMAGE_DIR"); dir && *dir)
        return dir;
    const auto exeDir = executableDir();
    for (const auto& candidate : {exeDir / ".." / "vm-image", exeDir / ".." / "share" / "berth" / "vm-image"}) {
        if (fs::exists(candidate / "manifest.json"))
            return fs::weakly_canonical(candidate);
    }
    return fs::weakly_canonical(exeDir / ".." / "vm-image");
}

std::string firstLineOf(const std::string& command)
{
    std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(command.c_str(), "r"), &pclose);
    if (!pipe)
        return {};
    std::array<char, 512> line{};
    if (!std::fgets(line.data(), line.size(), pipe.get()))
        return {};
    std::string text(line.data());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    return text;
}

int version()
{
    std::cout << "Berth " << BERTH_VERSION << "\n";
    std::cout << "Docker API:  " << berth::engine::ApiVersion::newestSupported().toString() << " (oldest supported "
              << berth::engine::ApiVersion::oldestSupported().toString() << ")\n";
    const auto qemu = firstLineOf("qemu-system-x86_64 --version 2>/dev/null");
    std::cout << "QEMU:        " << (qemu.empty() ? "not found (install qemu-system-x86)" : qemu) << "\n";
    const auto manifest = berth::vm::ImageManifest::load(imageDir());
    if (!manifest) {
        std::cout << "Guest image: " << manifest.error().message << "\n";
        return 1;
    }
    std::cout << "Guest image: " << manifest->dir().string() << "\n"
              << "  Debian " << manifest->suite() << ", kernel " << manifest->kernelVersion() << "\n"
              << "  docker.io " << manifest->packageVersion("docker.io").value_or("?") << ", containerd "
              << manifest->packageVersion("containerd").value_or("?") << ", runc "
              << manifest->packageVersion("runc").value_or("?") << "\n";
    return 0;
}

void usage(std::ostream& out)
{
    out << "Usage: berth COMMAND\n\n"
           "Commands:\n"
           "  version   Print the versions of Berth, QEMU and the guest image\n"
           "  help      Print this help\n\n"
           "The engine lifecycle (start, stop, status) is not part of this build yet.\n";
}

} // namespace

int main(int argc, char** argv)
{
    const std::string command = argc > 1 ? argv[1] : "help";
    if (command == "version" || command == "--version")
        return version();
    if (command == "help" || command == "--help" || command == "-h") {
        usage(std::cout);
        return 0;
    }
    std::cerr << "berth: unknown command '" << command << "'\n\n";
    usage(std::cerr);
    return 2;
}
