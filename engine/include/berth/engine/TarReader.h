#pragma once

#include "berth/engine/Error.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace berth::engine {

// One member of a tar archive, as the engine's archive API sends it (GET
// /containers/{id}/archive): Go's archive/tar, ustar headers with PAX or GNU records for long
// names.
struct TarEntry
{
    enum class Type
    {
        File,
        Directory,
        Symlink,
        Hardlink,
        Other, // a device, a FIFO
    };
    std::string path; // as in the archive, without a leading "./" or a trailing "/"
    Type type = Type::File;
    std::uint64_t size = 0; // of a regular file's data
    std::uint32_t mode = 0; // permission bits
    std::int64_t mtime = 0; // seconds since the epoch
    std::string linkTarget;
};

// Reads a tar stream as it arrives: each member's header to `onEntry`, then its data, piece by
// piece, to `onData` (a member's claimed size never decides an allocation). Pieces may be split
// anywhere between feeds.
class TarReader final
{
public:
    using EntrySink = std::function<void(const TarEntry&)>;
    using DataSink = std::function<void(const TarEntry&, std::string_view)>;

    explicit TarReader(EntrySink onEntry, DataSink onData = {})
        : m_onEntry(std::move(onEntry)), m_onData(std::move(onData))
    {}

    // An error (a header whose checksum does not match, a number that is not one) is final.
    Status feed(std::string_view data);
    // The stream ended: an error if it ended inside a member.
    Status finish() const;
    // Members read so far.
    std::uint64_t entries() const { return m_entries; }

private:
    Status header();
    // A PAX or GNU long-name record has been read whole.
    Status record();
    Status fail(std::string message);

    EntrySink m_onEntry;
    DataSink m_onData;
    std::string m_block;  // a header block being filled
    std::string m_record; // a PAX or GNU long-name record being filled
    enum class Pending
    {
        None,
        Pax,
        LongName,
        LongLink,
    } m_pending = Pending::None;
    TarEntry m_entry; // the member whose data is being read
    std::string m_paxPath, m_paxLink, m_longName, m_longLink;
    std::optional<std::uint64_t> m_paxSize;
    std::optional<std::int64_t> m_paxMtime;
    std::uint64_t m_dataLeft = 0;    // of the member's data (or record)
    std::uint64_t m_paddingLeft = 0; // to the next 512-byte boundary
    std::uint64_t m_entries = 0;
    bool m_ended = false; // a zero block was read
    bool m_failed = false;
};

} // namespace berth::engine
