#pragma once

#include "berth/vm/Result.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::vm {

// The guest image's manifest (build/vm-image/manifest.json, written by vm-image/build-image):
// which Debian suite and packages it was built from and the hash of every file.
// Invariant of a loaded manifest: every file in requiredFiles() has an entry, every package in
// requiredPackages() has a version.
class ImageManifest final
{
public:
    struct File
    {
        std::string sha256;
        std::uint64_t size = 0;
    };

    // Reads and validates `dir`/manifest.json. Fails, naming the field, when it is missing,
    // malformed or incomplete; does not read the image files (see verifyFiles).
    static Result<ImageManifest> load(const std::filesystem::path& dir);
    // The same checks on manifest text already in memory; `dir` is only remembered.
    static Result<ImageManifest> parse(const std::string& json, const std::filesystem::path& dir);

    // Hashes every listed file and compares size and SHA-256. Slow (reads ~150 MB).
    Status verifyFiles() const;

    static const std::vector<std::string>& requiredFiles();
    static const std::vector<std::string>& requiredPackages();

    const std::string& suite() const { return m_suite; }
    const std::string& kernelVersion() const { return m_kernelVersion; }
    const std::string& inputsSha256() const { return m_inputsSha256; }
    const std::map<std::string, File>& files() const { return m_files; }
    const std::map<std::string, std::string>& packages() const { return m_packages; }
    std::optional<std::string> packageVersion(const std::string& name) const;
    // Absolute path of one of the image's files, e.g. path("vmlinuz").
    std::filesystem::path path(const std::string& file) const { return m_dir / file; }
    const std::filesystem::path& dir() const { return m_dir; }

private:
    std::filesystem::path m_dir;
    std::string m_suite;
    std::string m_kernelVersion;
    std::string m_inputsSha256;
    std::map<std::string, File> m_files;
    std::map<std::string, std::string> m_packages;
};

} // namespace berth::vm
