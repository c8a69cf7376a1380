#include "berth/engine/MultiplexDecoder.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace berth::engine {

Status MultiplexDecoder::feed(std::string_view data)
{
    if (m_failed)
        return Error{ErrorKind::Malformed, "the multiplexed stream already failed"};
    while (!data.empty()) {
        if (m_payloadLeft == 0) {
            const auto take = std::min(m_header.size() - m_headerFill, data.size());
            std::memcpy(m_header.data() + m_headerFill, data.data(), take);
            m_headerFill += take;
            data.remove_prefix(take);
            if (m_headerFill < m_header.size())
                break;
            m_headerFill = 0;
            if (m_header[0] > 2 || m_header[1] != 0 || m_header[2] != 0 || m_header[3] != 0) {
                m_failed = true;
                char bytes[32];
                std::snprintf(bytes, sizeof bytes, "%02x %02x %02x %02x", m_header[0], m_header[1],
                              m_header[2], m_header[3]);
                return Error{ErrorKind::Malformed,
                             std::string("the engine's output stream has a frame header that is not one (") +
                                 bytes + "); a container with a TTY sends raw output, not frames"};
            }
            m_kind = static_cast<StreamKind>(m_header[0]);
            m_payloadLeft = (std::uint64_t(m_header[4]) << 24) | (std::uint64_t(m_header[5]) << 16) |
                            (std::uint64_t(m_header[6]) << 8) | std::uint64_t(m_header[7]);
            continue;
        }
        const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(m_payloadLeft, data.size()));
        m_payloadLeft -= take;
        m_sink(m_kind, data.substr(0, take));
        data.remove_prefix(take);
    }
    return Ok{};
}

Status MultiplexDecoder::finish() const
{
    if (m_failed)
        return Error{ErrorKind::Malformed, "the multiplexed stream already failed"};
    if (m_payloadLeft > 0)
        return Error{ErrorKind::Malformed, "the output stream ended inside a frame: " +
                                               std::to_string(m_payloadLeft) + " of its bytes never came"};
    if (m_headerFill > 0)
        return Error{ErrorKind::Malformed, "the output stream ended inside a frame header (" +
                                               std::to_string(m_headerFill) + " of its 8 bytes came)"};
    return Ok{};
}

} // namespace berth::engine
