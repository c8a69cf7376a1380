// berth-default-socket: the one privileged step of Berth, run as root through pkexec when a user
// turns on "offer the engine at /var/run/docker.sock" (`berth default-socket on`), as Docker
// Desktop's "Allow the default Docker socket to be used" does.
//
//   berth-default-socket on SOCKET    link /run/docker.sock to SOCKET, and keep it across reboots
//   berth-default-socket off SOCKET   remove that link and its reboot entry, when they are SOCKET's
//
// SOCKET must be the caller's own engine socket: an absolute path to a Unix socket the caller
// owns, in a folder the caller owns that nobody else may enter (mode 0700), so the link serves
// that user alone (and root). Nothing another product made is replaced: a socket or file at
// /run/docker.sock, or a link to anything but SOCKET, stays, unless it is a link to nothing that
// this helper's own reboot entry made. The link is remade at boot by systemd-tmpfiles (an `L`
// line in /etc/tmpfiles.d/berth-docker-socket.conf), so no privileged step is needed at each start;
// while Berth is stopped it leads nowhere, as /var/run/docker.sock does while Docker is stopped.
//
// Deliberately small and free of Berth's libraries: it runs as root.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace {

constexpr const char* kLink = "/run/docker.sock";
constexpr const char* kTmpfiles = "/etc/tmpfiles.d/berth-docker-socket.conf";

[[noreturn]] void fail(const std::string& message)
{
    std::fprintf(stderr, "berth-default-socket: %s\n", message.c_str());
    std::exit(1);
}

// The user who asked: pkexec says who in PKEXEC_UID; sudo in SUDO_UID; else whoever runs it.
uid_t caller()
{
    for (const char* variable : {"PKEXEC_UID", "SUDO_UID"}) {
        if (const char* value = std::getenv(variable); value && *value) {
            char* end = nullptr;
            const unsigned long uid = std::strtoul(value, &end, 10);
            if (*end != '\0')
                fail(std::string(variable) + " is not a number");
            return static_cast<uid_t>(uid);
        }
    }
    return ::getuid();
}

std::string readLink(const char* path)
{
    char buffer[4096];
    const ssize_t n = ::readlink(path, buffer, sizeof buffer - 1);
    return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

// The target the reboot entry names, or empty.
std::string tmpfilesTarget()
{
    FILE* file = std::fopen(kTmpfiles, "re");
    if (!file)
        return {};
    char line[4200];
    std::string target;
    while (std::fgets(line, sizeof line, file)) {
        std::string text(line);
        if (text.rfind("L ", 0) != 0)
            continue;
        // L PATH MODE USER GROUP AGE TARGET
        const auto last = text.find_last_of(' ');
        target = text.substr(last + 1);
        while (!target.empty() && (target.back() == '\n' || target.back() == '\r'))
            target.pop_back();
    }
    std::fclose(file);
    return target;
}

void checkSocket(const std::string& socket, uid_t uid)
{
    if (socket.empty() || socket.front() != '/' || socket.find("/../") != std::string::npos ||
        socket.find_first_of(" \t\n\r\\") != std::string::npos)
        fail("'" + socket + "' is not a plain absolute path without spaces");
    struct stat st{};
    if (::lstat(socket.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode))
        fail(socket + " is not a Unix socket; start Berth first (berth start)");
    if (st.st_uid != uid)
        fail(socket + " belongs to another user");
    const std::string folder = socket.substr(0, socket.find_last_of('/'));
    if (::lstat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != uid || (st.st_mode & 077) != 0)
        fail(folder + " must be a folder of yours that only you may enter (mode 0700)");
}

void writeTmpfiles(const std::string& socket)
{
    const std::string temporary = std::string(kTmpfiles) + ".tmp";
    ::mkdir("/etc/tmpfiles.d", 0755);
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        fail("cannot write " + temporary + ": " + std::strerror(errno));
    const std::string text = "# Made by `berth default-socket on`; removed by `berth default-socket off`.\n"
                             "L " + std::string(kLink) + " - - - - " + socket + "\n";
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written || ::rename(temporary.c_str(), kTmpfiles) != 0) {
        ::unlink(temporary.c_str());
        fail(std::string("cannot write ") + kTmpfiles + ": " + std::strerror(errno));
    }
}

int on(const std::string& socket, uid_t uid)
{
    checkSocket(socket, uid);
    struct stat st{};
    if (::lstat(kLink, &st) == 0) {
        if (!S_ISLNK(st.st_mode))
            fail(std::string(kLink) + " is another program's (" + (S_ISSOCK(st.st_mode) ? "a socket" : "a file") +
                 ", likely Docker Engine's); Berth leaves it. Stop that engine's docker.socket first");
        const std::string current = readLink(kLink);
        if (current != socket) {
            struct stat target{};
            const bool dead = ::stat(kLink, &target) != 0;
            if (!dead || current != tmpfilesTarget())
                fail(std::string(kLink) + " leads to " + current +
                     ", which is not Berth's engine for you; Berth leaves it (its owner can remove it, or run "
                     "`berth default-socket off` as the user whose Berth it is)");
            if (::unlink(kLink) != 0)
                fail(std::string("cannot remove the dead link ") + kLink + ": " + std::strerror(errno));
        }
    }
    if (readLink(kLink) != socket && ::symlink(socket.c_str(), kLink) != 0)
        fail(std::string("cannot make ") + kLink + ": " + std::strerror(errno));
    writeTmpfiles(socket);
    std::printf("%s now leads to %s (kept across restarts of this computer)\n", kLink, socket.c_str());
    return 0;
}

int off(const std::string& socket, uid_t uid)
{
    // Only the user whose engine it is (or root) takes it away.
    const std::string folder = socket.substr(0, socket.find_last_of('/'));
    struct stat st{};
    if (uid != 0 && (::lstat(folder.c_str(), &st) != 0 || st.st_uid != uid))
        fail(folder + " is not a folder of yours");
    bool changed = false;
    if (readLink(kLink) == socket) {
        if (::unlink(kLink) != 0)
            fail(std::string("cannot remove ") + kLink + ": " + std::strerror(errno));
        changed = true;
    }
    if (!socket.empty() && tmpfilesTarget() == socket) {
        if (::unlink(kTmpfiles) != 0)
            fail(std::string("cannot remove ") + kTmpfiles + ": " + std::strerror(errno));
        changed = true;
    }
    std::printf(changed ? "%s no longer leads to Berth's engine\n" : "%s did not lead to this Berth; nothing changed\n",
                kLink);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 3 || (std::strcmp(argv[1], "on") != 0 && std::strcmp(argv[1], "off") != 0))
        fail("usage: berth-default-socket on|off SOCKET (run by `berth default-socket`)");
    if (::geteuid() != 0)
        fail("needs root; `berth default-socket` runs it through pkexec");
    ::umask(022);
    const std::string socket = argv[2];
    return std::strcmp(argv[1], "on") == 0 ? on(socket, caller()) : off(socket, caller());
}
