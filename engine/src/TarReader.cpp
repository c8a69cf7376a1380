#include "berth/engine/TarReader.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace berth::engine {

namespace {

constexpr std::size_t kBlock = 512;
// A PAX or GNU long-name record larger than this is refused rather than held.
constexpr std::uint64_t kMaxRecord = 1u << 20;

std::string_view field(std::string_view block, std::size_t offset, std::size_t length)
{
    auto value = block.substr(offset, length);
    return value.substr(0, std::min(value.find('\0'), value.size()));
}

// An octal field (spaces and NULs around it), or GNU's base-256 form for large values.
bool number(std::string_view block, std::size_t offset, std::size_t length, std::uint64_t& out)
{
    const auto raw = block.substr(offset, length);
    if (!raw.empty() && (static_cast<unsigned char>(raw[0]) & 0x80) != 0) {
        if ((static_cast<unsigned char>(raw[0]) & 0x40) != 0)
            return false; // negative
        std::uint64_t value = static_cast<unsigned char>(raw[0]) & 0x3f;
        for (std::size_t i = 1; i < raw.size(); ++i) {
            if (value >> 56 != 0)
                return false;
            value = value << 8 | static_cast<unsigned char>(raw[i]);
        }
        out = value;
        return true;
    }
    std::size_t begin = 0;
    while (begin < raw.size() && (raw[begin] == ' ' || raw[begin] == '\0'))
        ++begin;
    std::size_t end = begin;
    while (end < raw.size() && raw[end] >= '0' && raw[end] <= '7')
        ++end;
    for (std::size_t rest = end; rest < raw.size(); ++rest)
        if (raw[rest] != ' ' && raw[rest] != '\0')
            return false;
    out = 0;
    if (begin == end)
        return true; // an empty field is zero
    return std::from_chars(raw.data() + begin, raw.data() + end, out, 8).ec == std::errc{};
}

std::string cleanPath(std::string path)
{
    while (path.size() >= 2 && path.compare(0, 2, "./") == 0)
        path.erase(0, 2);
    while (!path.empty() && path.front() == '/')
        path.erase(0, 1);
    while (!path.empty() && path.back() == '/')
        path.pop_back();
    return path.empty() ? "." : path;
}

} // namespace

Status TarReader::fail(std::string message)
{
    m_failed = true;
    return Error{ErrorKind::Malformed, "tar stream: " + message};
}

Status TarReader::feed(std::string_view data)
{
    if (m_failed)
        return Error{ErrorKind::Malformed, "tar stream: fed after an error"};
    while (!data.empty() && !m_ended) {
        if (m_dataLeft > 0) {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(m_dataLeft, data.size()));
            const auto piece = data.substr(0, n);
            data.remove_prefix(n);
            m_dataLeft -= n;
            if (m_pending != Pending::None) {
                m_record.append(piece);
                if (m_dataLeft == 0) {
                    auto status = record();
                    if (!status)
                        return status;
                }
            } else if (m_onData) {
                m_onData(m_entry, piece);
            }
            continue;
        }
        if (m_paddingLeft > 0) {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(m_paddingLeft, data.size()));
            data.remove_prefix(n);
            m_paddingLeft -= n;
            continue;
        }
        const auto n = std::min(kBlock - m_block.size(), data.size());
        m_block.append(data.substr(0, n));
        data.remove_prefix(n);
        if (m_block.size() == kBlock) {
            auto status = header();
            m_block.clear();
            if (!status)
                return status;
        }
    }
    return Ok{};
}

Status TarReader::finish() const
{
    if (m_failed)
        return Error{ErrorKind::Malformed, "tar stream: ended after an error"};
    if (m_ended)
        return Ok{};
    if (!m_block.empty() || m_dataLeft > 0 || m_paddingLeft > 0 || m_pending != Pending::None)
        return Error{ErrorKind::Malformed, "tar stream: ended inside a member"};
    return Ok{};
}

Status TarReader::record()
{
    const auto kind = m_pending;
    m_pending = Pending::None;
    std::string text;
    text.swap(m_record);
    if (kind == Pending::LongName || kind == Pending::LongLink) {
        // A GNU long name ends with a NUL.
        const std::string_view name(text.data(), std::min(text.find('\0'), text.size()));
        (kind == Pending::LongName ? m_longName : m_longLink) = std::string(name);
        return Ok{};
    }
    // PAX: "LENGTH KEY=VALUE\n", one after the other; LENGTH counts the whole record.
    std::string_view rest = text;
    while (!rest.empty()) {
        const auto space = rest.find(' ');
        std::size_t length = 0;
        if (space == std::string_view::npos ||
            std::from_chars(rest.data(), rest.data() + space, length).ec != std::errc{} ||
            length <= space + 1 || length > rest.size() || rest[length - 1] != '\n')
            return fail("a PAX record is malformed");
        const auto entry = rest.substr(space + 1, length - space - 2);
        rest.remove_prefix(length);
        const auto equals = entry.find('=');
        if (equals == std::string_view::npos)
            return fail("a PAX record has no '='");
        const auto key = entry.substr(0, equals);
        const auto value = entry.substr(equals + 1);
        if (key == "path")
            m_paxPath = value;
        else if (key == "linkpath")
            m_paxLink = value;
        else if (key == "size") {
            std::uint64_t size = 0;
            if (std::from_chars(value.data(), value.data() + value.size(), size).ec != std::errc{})
                return fail("a PAX size is not a number");
            m_paxSize = size;
        } else if (key == "mtime") {
            std::int64_t seconds = 0;
            std::from_chars(value.data(), value.data() + value.size(), seconds); // "SECONDS[.FRACTION]"
            m_paxMtime = seconds;
        }
    }
    return Ok{};
}

Status TarReader::header()
{
    const std::string_view block = m_block;
    if (std::all_of(block.begin(), block.end(), [](char c) { return c == '\0'; })) {
        if (m_pending != Pending::None || !m_paxPath.empty() || !m_longName.empty())
            return fail("the archive ends after an extended header");
        m_ended = true;
        return Ok{};
    }
    std::uint64_t checksum = 0;
    if (!number(block, 148, 8, checksum))
        return fail("a header's checksum is not a number");
    std::uint64_t unsignedSum = 0;
    std::int64_t signedSum = 0;
    for (std::size_t i = 0; i < kBlock; ++i) {
        const char c = (i >= 148 && i < 156) ? ' ' : block[i];
        unsignedSum += static_cast<unsigned char>(c);
        signedSum += static_cast<signed char>(c);
    }
    if (checksum != unsignedSum && static_cast<std::int64_t>(checksum) != signedSum)
        return fail("a header's checksum does not match (not a tar stream, or a damaged one)");

    std::uint64_t size = 0, mode = 0, mtime = 0;
    if (!number(block, 124, 12, size) || !number(block, 100, 8, mode) || !number(block, 136, 12, mtime))
        return fail("a header's size, mode or time is not a number");
    const char type = block[156];
    if (m_paxSize)
        size = *m_paxSize;

    auto extended = [&](Pending kind) -> Status {
        if (size > kMaxRecord)
            return fail("an extended header of " + std::to_string(size) + " bytes is too large");
        m_pending = kind;
        m_record.clear();
        m_dataLeft = size;
        m_paddingLeft = (kBlock - size % kBlock) % kBlock;
        m_paxSize.reset();
        if (size == 0)
            return record();
        return Ok{};
    };
    switch (type) {
    case 'x':
        return extended(Pending::Pax);
    case 'L':
        return extended(Pending::LongName);
    case 'K':
        return extended(Pending::LongLink);
    case 'g': // global PAX header: nothing Berth needs
        m_paxSize.reset();
        m_dataLeft = 0;
        m_paddingLeft = (size + kBlock - 1) / kBlock * kBlock;
        return Ok{};
    default:
        break;
    }

    TarEntry entry;
    switch (type) {
    case '0':
    case '\0':
    case '7':
        entry.type = TarEntry::Type::File;
        break;
    case '1':
        entry.type = TarEntry::Type::Hardlink;
        break;
    case '2':
        entry.type = TarEntry::Type::Symlink;
        break;
    case '5':
        entry.type = TarEntry::Type::Directory;
        break;
    default:
        entry.type = TarEntry::Type::Other;
        break;
    }
    // Links, directories, devices and FIFOs have no data, whatever the size field says.
    if (type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6')
        size = 0;

    std::string name;
    if (!m_paxPath.empty())
        name = std::move(m_paxPath);
    else if (!m_longName.empty())
        name = std::move(m_longName);
    else {
        name = std::string(field(block, 0, 100));
        const bool ustar = block.substr(257, 6) == std::string_view("ustar\0", 6);
        if (const auto prefix = field(block, 345, 155); ustar && !prefix.empty())
            name = std::string(prefix) + "/" + name;
    }
    if (!m_paxLink.empty())
        entry.linkTarget = std::move(m_paxLink);
    else if (!m_longLink.empty())
        entry.linkTarget = std::move(m_longLink);
    else
        entry.linkTarget = std::string(field(block, 157, 100));
    entry.path = cleanPath(std::move(name));
    entry.size = size;
    entry.mode = static_cast<std::uint32_t>(mode & 07777);
    entry.mtime = m_paxMtime ? *m_paxMtime : static_cast<std::int64_t>(mtime);
    m_paxPath.clear();
    m_paxLink.clear();
    m_longName.clear();
    m_longLink.clear();
    m_paxSize.reset();
    m_paxMtime.reset();

    ++m_entries;
    m_entry = std::move(entry);
    m_dataLeft = size;
    m_paddingLeft = (kBlock - size % kBlock) % kBlock;
    m_onEntry(m_entry);
    return Ok{};
}

} // namespace berth::engine
