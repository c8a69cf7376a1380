#pragma once

#include "berth/vm/LocalEndpoint.h"
#include "berth/vm/PrivateFiles.h" // writeFileAtomically, for the instance's files
#include "berth/vm/Result.h"
#include "berth/vm/Settings.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace berth::vm {

// Where Berth keeps its instances: $BERTH_HOME if set, else the system's per-user data folder
// (userDataFolder() in AppPaths.h); an error when neither can be told.
Result<std::filesystem::path> defaultHome();

// The whole contents of `file`; an error names it when it cannot be read.
Result<std::string> readFile(const std::filesystem::path& file);

// Checks the text of a daemon.json (`where` names it in errors) and returns it compacted. An
// error names the entry and what to do: not a JSON object, or an entry Berth must decide itself
// (where dockerd listens, TLS on a TCP listener, or where it keeps its state: data-root and
// exec-root would move it off the data disk or out of the guest's runtime folder).
Result<std::string> checkDaemonConfigText(const std::string& text, const std::string& where);

// The daemon.json the guest's dockerd gets: the user's (`checked`, from checkDaemonConfigText;
// empty for none) with what Berth's settings add where the user set nothing of their own:
// host-gateway-ip 10.0.2.2 (the host as the guest sees it) with host access on, and that
// address among the insecure registries with host registries on.
// With `proxies` (Settings::effectiveProxies), the engine's "proxies" too, unless the user set
// their own.
// With the containerd image store chosen in settings, its feature flag, unless the user's
// daemon.json sets that flag itself.
std::string daemonConfigForGuest(const std::string& checked, const Settings& settings,
                                 const Settings::Proxies& proxies = {});

// Which image store the engine uses with the user's daemon.json (`checked`) and `settings`.
struct ImageStoreChoice
{
    bool containerd = false;
    bool setInDaemonJson = false; // the user's daemon.json decides, not the setting
};
ImageStoreChoice imageStoreOf(const std::string& checked, const Settings& settings);
inline const char* imageStoreName(bool containerd) { return containerd ? "containerd" : "classic"; }

// One instance's folder (mode 0700) and the files in it. Cheap to copy; opening never starts
// anything.
class Instance final
{
public:
    // Opens instance `name` under `home`, creating the folders (0700) when missing. Names are
    // 1–32 characters of a–z, 0–9 and '-', not starting with '-'. Fails when a folder cannot
    // be made private, or when the engine socket's path would not fit a Unix socket address.
    static Result<Instance> open(const std::filesystem::path& home, const std::string& name);
    // The same under defaultHome().
    static Result<Instance> open(const std::string& name);

    const std::string& name() const { return m_name; }
    // The docker context this instance writes, distinct for every instance a user can run:
    // "berth" for the default instance in the user's data folder, "berth-NAME" for another
    // instance there; an instance in any other home (BERTH_HOME) adds 8 hex digits of that
    // folder's path ("berth-1a2b3c4d", "berth-NAME-1a2b3c4d").
    std::string dockerContextName() const;
    const std::filesystem::path& dir() const { return m_dir; }
    std::filesystem::path settingsFile() const { return m_dir / "settings.json"; }
    std::filesystem::path dataDisk() const { return m_dir / "data.img"; }
    std::filesystem::path sshDir() const { return m_dir / "ssh"; }
    // Unix sockets live in their own 0700 folder: the engine socket, control, QMP, boot channel.
    std::filesystem::path socketDir() const { return m_dir / "sock"; }
    // LocalListener endpoints: sock/docker.sock and sock/control.sock, or named pipes on Windows.
    std::filesystem::path engineSocket() const { return localEndpoint(socketDir(), "docker"); }
    std::filesystem::path controlSocket() const { return localEndpoint(socketDir(), "control"); }
    std::filesystem::path logDir() const { return m_dir / "log"; }
    std::filesystem::path agentLog() const { return logDir() / "agent.log"; }
    std::filesystem::path consoleLog() const { return logDir() / "console.log"; }
    // The agent's last reported status, kept for when no agent runs.
    std::filesystem::path statusFile() const { return m_dir / "status.json"; }
    // dockerd's configuration, as a person wrote it ("Docker Engine" settings); optional. The
    // agent hands it to the guest at each boot after checking it (see checkDaemonConfig).
    std::filesystem::path daemonConfig() const { return m_dir / "daemon.json"; }
    std::filesystem::path lockFile() const { return m_dir / "agent.lock"; }
    // The desktop app's own preferences of this instance (start the engine with the app, …).
    std::filesystem::path desktopPrefsFile() const { return m_dir / "desktop.json"; }

    // The settings on disk; defaults when there is no file yet. A file that fails validation is
    // an error naming the file and the field; it is never rewritten by loading.
    Result<Settings> loadSettings() const;
    // Validates, then replaces settings.json atomically (0600). An invalid value changes nothing.
    Status saveSettings(const Settings& settings) const;

    // The data disk's size in bytes; nullopt while there is none (a new instance, or after a
    // reset).
    std::optional<std::uint64_t> dataDiskBytes() const;
    // An error, saying what to do, when `diskGiB` is smaller than the data disk that exists: a
    // disk only grows. Any valid size is fine while there is no disk yet.
    Status checkDiskSize(int diskGiB) const;

    // The instance's SSH keys, made on first use and kept: the client key Berth logs in with and
    // the guest's host key, whose public half Berth pins. Idempotent.
    Status ensureKeys() const;
    std::filesystem::path clientKey() const { return sshDir() / "client"; }
    std::filesystem::path clientPublicKey() const { return sshDir() / "client.pub"; }
    std::filesystem::path hostKey() const { return sshDir() / "host_key"; }
    // For `ssh`: the pinned host key at the guest's forwarded port (written by the agent).
    std::filesystem::path knownHosts() const { return sshDir() / "known_hosts"; }
    // "ssh-ed25519 AAAA…" of the guest's host key, as pinned.
    Result<std::string> hostPublicKey() const;

    // The daemon.json to give the guest: empty when there is none. An error names the file and
    // what is wrong: not a JSON object, or a "hosts" entry (Berth alone decides where dockerd
    // listens: its Unix socket, never TCP).
    Result<std::string> checkDaemonConfig() const;

private:
    Instance(std::string name, std::filesystem::path dir) : m_name(std::move(name)), m_dir(std::move(dir)) {}
    std::string m_name;
    std::filesystem::path m_dir;
};

} // namespace berth::vm
