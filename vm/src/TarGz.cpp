#include "berth/vm/TarGz.h"

#include "berth/vm/PrivateFiles.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <optional>
#include <utility>
#include <zlib.h>

namespace berth::vm {

namespace {

constexpr std::size_t kBlock = 512;

// Writes `value` as zero-padded octal digits filling `width - 1` bytes, then a NUL; false when
// it does not fit.
bool putOctal(std::array<char, kBlock>& header, std::size_t offset, std::size_t width,
              unsigned long long value)
{
    char digits[32];
    const int n = std::snprintf(digits, sizeof digits, "%0*llo", static_cast<int>(width - 1), value);
    if (n < 0 || static_cast<std::size_t>(n) != width - 1)
        return false;
    std::memcpy(header.data() + offset, digits, width); // the digits and their NUL
    return true;
}

void putText(std::array<char, kBlock>& header, std::size_t offset, std::string_view text)
{
    // An empty view may hold a null pointer, which memcpy must not get even for no bytes.
    if (!text.empty())
        std::memcpy(header.data() + offset, text.data(), text.size());
}

struct SplitName
{
    std::string_view prefix;
    std::string_view name;
};

// ustar keeps up to 100 bytes in `name` and 155 more in `prefix`, joined by a '/' that is not
// stored; a longer name, or one with no '/' at a usable place, has no ustar form.
std::optional<SplitName> splitName(std::string_view path)
{
    if (path.size() <= 100)
        return SplitName{{}, path};
    // The last '/' that leaves a prefix of at most 155 bytes; a directory's trailing '/' stays
    // with its name.
    const auto searchEnd = std::min<std::size_t>(155, path.size() - 2);
    for (std::size_t slash = searchEnd + 1; slash-- > 0;) {
        if (path[slash] != '/')
            continue;
        if (path.size() - slash - 1 > 100)
            return std::nullopt;
        return SplitName{path.substr(0, slash), path.substr(slash + 1)};
    }
    return std::nullopt;
}

bool safeName(std::string_view name)
{
    if (name.empty() || name.front() == '/' || name.find('\0') != std::string_view::npos)
        return false;
    for (std::size_t start = 0; start <= name.size();) {
        const auto end = std::min(name.find('/', start), name.size());
        if (name.substr(start, end - start) == "..")
            return false;
        start = end + 1;
    }
    return true;
}

} // namespace

struct TarGzWriter::Impl
{
    std::filesystem::path file;
    std::optional<NewFile> output;
    z_stream zs{};
    bool zsReady = false;
    bool finished = false;
    std::string failure; // set once a write failed: the archive is unusable

    ~Impl()
    {
        if (zsReady)
            deflateEnd(&zs);
    }

    Status fail(const std::string& what)
    {
        failure = "cannot write the archive " + file.string() + ": " + what;
        return Error{failure};
    }

    Status writeOut(const unsigned char* data, std::size_t size)
    {
        auto written = output->write({reinterpret_cast<const char*>(data), size});
        if (!written)
            failure = written.error().message; // it names the file
        return written;
    }

    // Compresses `bytes` into the file; `flush` is Z_NO_FLUSH, or Z_FINISH at the end.
    Status deflateInto(std::string_view bytes, int flush)
    {
        if (!failure.empty())
            return Error{failure};
        std::array<unsigned char, 64 * 1024> out;
        // zlib takes at most 4 GiB per call; feed it in slices.
        do {
            const auto slice = std::min<std::size_t>(bytes.size(), 1u << 30);
            zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
            zs.avail_in = static_cast<uInt>(slice);
            bytes.remove_prefix(slice);
            const int mode = bytes.empty() ? flush : Z_NO_FLUSH;
            int rc = Z_OK;
            do {
                zs.next_out = out.data();
                zs.avail_out = static_cast<uInt>(out.size());
                rc = deflate(&zs, mode);
                if (rc == Z_STREAM_ERROR)
                    return fail("zlib refused the data");
                if (auto written = writeOut(out.data(), out.size() - zs.avail_out); !written)
                    return written;
            } while (zs.avail_out == 0 || (mode == Z_FINISH && rc != Z_STREAM_END));
        } while (!bytes.empty());
        return Ok{};
    }

    Status addEntry(std::string_view name, char type, std::string_view contents,
                    std::chrono::system_clock::time_point mtime, unsigned mode)
    {
        if (finished)
            return Error{"the archive " + file.string() + " is finished already; nothing more can be added"};
        if (!safeName(name))
            return Error{"'" + std::string(name) +
                         "' cannot be a name in an archive (empty, absolute or with ..)"};
        const auto split = splitName(name);
        if (!split)
            return Error{"'" + std::string(name) +
                         "' is too long for a ustar archive (at most 100 bytes after "
                         "the last '/' and 155 before it)"};
        const auto seconds =
            std::chrono::duration_cast<std::chrono::seconds>(mtime.time_since_epoch()).count();
        std::array<char, kBlock> header{};
        putText(header, 0, split->name);
        putOctal(header, 100, 8, mode & 07777);
        putOctal(header, 108, 8, 0); // uid
        putOctal(header, 116, 8, 0); // gid
        if (!putOctal(header, 124, 12, contents.size()))
            return Error{"'" + std::string(name) + "' is too large for a ustar archive (8 GiB at most)"};
        putOctal(header, 136, 12, static_cast<unsigned long long>(std::max<long long>(seconds, 0)));
        std::memset(header.data() + 148, ' ', 8); // the checksum counts its own field as spaces
        header[156] = type;
        putText(header, 257, std::string_view("ustar\0", 6));
        putText(header, 263, "00");
        putText(header, 345, split->prefix);
        unsigned sum = 0;
        for (const char c : header)
            sum += static_cast<unsigned char>(c);
        std::snprintf(header.data() + 148, 8, "%06o", sum); // six digits, a NUL, then the space kept
        header[155] = ' ';

        if (auto written = deflateInto({header.data(), header.size()}, Z_NO_FLUSH); !written)
            return written;
        if (auto written = deflateInto(contents, Z_NO_FLUSH); !written)
            return written;
        static constexpr std::array<char, kBlock> zeros{};
        const auto padding = (kBlock - contents.size() % kBlock) % kBlock;
        return deflateInto({zeros.data(), padding}, Z_NO_FLUSH);
    }
};

TarGzWriter::TarGzWriter(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
TarGzWriter::TarGzWriter(TarGzWriter&& other) noexcept = default;
TarGzWriter& TarGzWriter::operator=(TarGzWriter&& other) noexcept = default;
TarGzWriter::~TarGzWriter() = default;

Result<TarGzWriter> TarGzWriter::create(const std::filesystem::path& file)
{
    auto impl = std::make_unique<Impl>();
    impl->file = file;
    auto out = NewFile::create(file);
    if (!out)
        return out.error();
    impl->output = std::move(*out);
    // windowBits 15 + 16: a gzip header and trailer around the deflate stream.
    if (deflateInit2(&impl->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return Error{"cannot start compressing " + file.string() + ": zlib did not initialise"};
    impl->zsReady = true;
    return TarGzWriter(std::move(impl));
}

Status TarGzWriter::addFile(std::string_view name, std::string_view contents,
                            std::chrono::system_clock::time_point mtime, unsigned mode)
{
    return m_impl->addEntry(name, '0', contents, mtime, mode);
}

Status TarGzWriter::addDirectory(std::string_view name, std::chrono::system_clock::time_point mtime,
                                 unsigned mode)
{
    std::string withSlash(name);
    if (withSlash.empty() || withSlash.back() != '/')
        withSlash += '/';
    return m_impl->addEntry(withSlash, '5', {}, mtime, mode);
}

Status TarGzWriter::finish()
{
    auto& d = *m_impl;
    if (d.finished)
        return Error{"the archive " + d.file.string() + " is finished already"};
    static constexpr std::array<char, 2 * kBlock> end{};
    if (auto written = d.deflateInto({end.data(), end.size()}, Z_FINISH); !written)
        return written;
    d.finished = true;
    auto closed = d.output->close();
    if (!closed)
        d.failure = closed.error().message;
    return closed;
}

} // namespace berth::vm
