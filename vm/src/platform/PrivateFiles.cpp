#include "berth/vm/PrivateFiles.h"

#include "PlatformDetail.h"
#include "berth/vm/Process.h"

#include <atomic>
#include <string>
#include <utility>

namespace berth::vm {

namespace fs = std::filesystem;

NewFile::NewFile(fs::path path, std::intptr_t handle) : m_path(std::move(path)), m_handle(handle) {}

NewFile::NewFile(NewFile&& other) noexcept
    : m_path(std::move(other.m_path)), m_handle(std::exchange(other.m_handle, -1))
{}

NewFile& NewFile::operator=(NewFile&& other) noexcept
{
    if (this != &other) {
        release();
        m_path = std::move(other.m_path);
        m_handle = std::exchange(other.m_handle, -1);
    }
    return *this;
}

NewFile::~NewFile()
{
    release();
}

Status writeFileAtomically(const fs::path& file, const std::string& contents, unsigned mode)
{
    // A name of this write's own: two writers of one file (two agents, the CLI and an agent) must
    // not write into, or rename, each other's temporary file.
    static std::atomic<unsigned> writes{0};
    const auto tmp =
        file.parent_path() / ("." + file.filename().string() + ".tmp-" + std::to_string(currentProcessId()) +
                              "-" + std::to_string(++writes));
    const auto unchanged = [&](const Error& error) -> Status {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        return Error{error.message + "; " + file.string() + " was not changed"};
    };
    std::error_code ec;
    auto out = NewFile::create(tmp, mode);
    if (!out)
        return unchanged(out.error());
    if (auto written = out->write(contents); !written)
        return unchanged(written.error());
    if (auto closed = out->close(); !closed)
        return unchanged(closed.error());
    if (auto replaced = replaceFile(tmp, file); !replaced) {
        fs::remove(tmp, ec);
        return replaced;
    }
    return Ok{};
}

Status makePrivateFolder(const fs::path& dir)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return Error{"cannot create " + dir.string() + ": " + ec.message()};
    return detail::restrictToUser(dir);
}

} // namespace berth::vm
