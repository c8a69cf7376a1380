#include "berth/vm/PrivateFiles.h"

#include "../PlatformDetail.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace berth::vm {

namespace fs = std::filesystem;

namespace {

std::string failure(const char* what, const fs::path& file, int code)
{
    return std::string(what) + " " + file.string() + ": " + std::strerror(code) +
           (code == ENOSPC ? " (free some disk space, or write elsewhere)" : "");
}

void syncFolder(const fs::path& dir)
{
    if (const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

} // namespace

void NewFile::release() noexcept
{
    if (m_handle >= 0)
        ::close(static_cast<int>(std::exchange(m_handle, -1)));
}

Result<NewFile> NewFile::create(const fs::path& file, unsigned mode)
{
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return Error{failure("cannot create", file, errno)};
    ::fchmod(fd, mode); // the umask may have taken bits away
    return NewFile(file, fd);
}

Status NewFile::write(std::string_view bytes)
{
    if (m_handle < 0)
        return Error{"cannot write " + m_path.string() + ": it is closed already"};
    while (!bytes.empty()) {
        const auto n = ::write(static_cast<int>(m_handle), bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return Error{failure("cannot write", m_path, n < 0 ? errno : EIO)};
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return Ok{};
}

Status NewFile::close()
{
    if (m_handle < 0)
        return Error{"cannot write " + m_path.string() + ": it is closed already"};
    const int fd = static_cast<int>(std::exchange(m_handle, -1));
    const bool synced = ::fsync(fd) == 0;
    const int syncError = errno;
    if (::close(fd) != 0 && synced)
        return Error{failure("cannot write", m_path, errno)};
    if (!synced)
        return Error{failure("cannot write", m_path, syncError)};
    return Ok{};
}

Status replaceFile(const fs::path& from, const fs::path& to)
{
    if (::rename(from.c_str(), to.c_str()) != 0)
        return Error{failure("cannot replace", to, errno)};
    syncFolder(to.parent_path());
    return Ok{};
}

Result<std::uint64_t> growSparseFile(const fs::path& file, std::uint64_t size)
{
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return Error{failure("cannot open", file, errno)};
    struct stat st
    {
    };
    Result<std::uint64_t> before = std::uint64_t{0};
    if (::fstat(fd, &st) != 0)
        before = Error{failure("cannot read the size of", file, errno)};
    else {
        before = static_cast<std::uint64_t>(st.st_size);
        if (*before < size && ::ftruncate(fd, static_cast<off_t>(size)) != 0)
            before = Error{failure("cannot grow", file, errno)};
    }
    ::close(fd);
    return before;
}

namespace detail {

Status restrictToUser(const fs::path& dir)
{
    if (::chmod(dir.c_str(), 0700) != 0)
        return Error{"cannot make " + dir.string() + " private (mode 0700): " + std::strerror(errno)};
    return Ok{};
}

} // namespace detail

} // namespace berth::vm
