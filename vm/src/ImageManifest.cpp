#include "berth/vm/ImageManifest.h"

#include "berth/vm/Instance.h"
#include "berth/vm/Sha256.h"

#include <nlohmann/json.hpp>

namespace berth::vm {

namespace {

bool isHexDigest(const std::string& text)
{
    return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

} // namespace

const std::vector<std::string>& ImageManifest::requiredFiles()
{
    static const std::vector<std::string> files{"vmlinuz", "initrd.zst", "root.sqfs", "floor-initrd.zst",
                                                "busybox"};
    return files;
}

const std::vector<std::string>& ImageManifest::requiredPackages()
{
    static const std::vector<std::string> packages{"linux-image-amd64", "containerd",    "runc",
                                                   "docker.io",         "docker-cli",    "openssh-server",
                                                   "e2fsprogs",         "busybox-static"};
    return packages;
}

Result<ImageManifest> ImageManifest::load(const std::filesystem::path& dir)
{
    const auto file = dir / "manifest.json";
    const auto text = readFile(file);
    if (!text)
        return Error{"no guest image at " + dir.string() +
                     " (manifest.json missing); build it with "
                     "'cmake --build build --target vm-image', or set BERTH_IMAGE_DIR to the folder of one"};
    return parse(text.value(), dir);
}

Result<ImageManifest> ImageManifest::parse(const std::string& json, const std::filesystem::path& dir)
{
    const auto doc = nlohmann::json::parse(json, nullptr, false);
    const std::string where = (dir / "manifest.json").string();
    if (doc.is_discarded() || !doc.is_object())
        return Error{where + " is not valid JSON; rebuild the image"};

    ImageManifest manifest;
    manifest.m_dir = dir;
    const auto text = [&](const char* key, std::string& out) -> bool {
        const auto it = doc.find(key);
        if (it == doc.end() || !it->is_string() || it->get<std::string>().empty())
            return false;
        out = it->get<std::string>();
        return true;
    };
    if (!doc.contains("format") || doc["format"] != 1)
        return Error{where + ": field 'format' must be 1"};
    if (!text("suite", manifest.m_suite))
        return Error{where + ": field 'suite' is missing"};
    if (!text("kernel_version", manifest.m_kernelVersion))
        return Error{where + ": field 'kernel_version' is missing"};
    if (!text("inputs_sha256", manifest.m_inputsSha256) || !isHexDigest(manifest.m_inputsSha256))
        return Error{where + ": field 'inputs_sha256' is missing or not a SHA-256"};

    const auto files = doc.find("files");
    if (files == doc.end() || !files->is_object())
        return Error{where + ": field 'files' is missing"};
    for (const auto& [name, entry] : files->items()) {
        if (!entry.is_object() || !entry.contains("sha256") || !entry["sha256"].is_string() ||
            !isHexDigest(entry["sha256"].get<std::string>()) || !entry.contains("size") ||
            !entry["size"].is_number_unsigned())
            return Error{where + ": files." + name + " needs a sha256 and a size"};
        manifest.m_files[name] = File{entry["sha256"].get<std::string>(), entry["size"].get<std::uint64_t>()};
    }
    for (const auto& required : requiredFiles()) {
        if (!manifest.m_files.contains(required))
            return Error{where + ": files." + required + " is missing"};
    }

    const auto packages = doc.find("packages");
    if (packages == doc.end() || !packages->is_array())
        return Error{where + ": field 'packages' is missing"};
    for (const auto& package : *packages) {
        if (!package.is_object() || !package.contains("name") || !package["name"].is_string() ||
            !package.contains("version") || !package["version"].is_string() ||
            package["version"].get<std::string>().empty())
            return Error{where + ": every entry of 'packages' needs a name and a version"};
        manifest.m_packages[package["name"].get<std::string>()] = package["version"].get<std::string>();
    }
    for (const auto& required : requiredPackages()) {
        if (!manifest.m_packages.contains(required))
            return Error{where + ": package " + required + " is not in the image"};
    }
    return manifest;
}

Status ImageManifest::verifyFiles() const
{
    for (const auto& [name, expected] : m_files) {
        const auto file = path(name);
        std::error_code ec;
        const auto size = std::filesystem::file_size(file, ec);
        if (ec)
            return Error{"image file " + file.string() + " is missing; rebuild the image"};
        if (size != expected.size)
            return Error{"image file " + file.string() + " has size " + std::to_string(size) +
                         ", the manifest says " + std::to_string(expected.size) + "; rebuild the image"};
        const auto digest = sha256File(file);
        if (!digest)
            return digest.error();
        if (digest.value() != expected.sha256)
            return Error{"image file " + file.string() +
                         " does not match its SHA-256 in the manifest; rebuild the image"};
    }
    return Ok{};
}

std::optional<std::string> ImageManifest::packageVersion(const std::string& name) const
{
    const auto it = m_packages.find(name);
    if (it == m_packages.end())
        return std::nullopt;
    return it->second;
}

} // namespace berth::vm
