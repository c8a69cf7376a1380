#pragma once

#include "berth/engine/Error.h"

#include <array>
#include <cstdint>
#include <functional>
#include <string_view>

namespace berth::engine {

// Which stream a piece of container output came from. Raw: a TTY container, whose output is
// one undivided stream.
enum class StreamKind
{
    Stdin = 0,
    Stdout = 1,
    Stderr = 2,
    Raw = 3,
};

// Decodes the engine's multiplexed stream (logs and attach of a container without a TTY):
// frames of an 8-byte header — stream byte (0, 1 or 2), three zero bytes, big-endian uint32
// length — then that many bytes. Frames may be split anywhere between feeds; payload is passed
// on as it arrives, so a frame's claimed size never decides an allocation.
class MultiplexDecoder final
{
public:
    using Sink = std::function<void(StreamKind, std::string_view)>;

    explicit MultiplexDecoder(Sink sink) : m_sink(std::move(sink)) {}

    // Decodes `data`; an error (a header that is not a frame header) is final.
    Status feed(std::string_view data);
    // The stream ended: an error if it ended inside a frame.
    Status finish() const;

private:
    Sink m_sink;
    std::array<unsigned char, 8> m_header{};
    std::size_t m_headerFill = 0;
    std::uint64_t m_payloadLeft = 0;
    StreamKind m_kind = StreamKind::Stdout;
    bool m_failed = false;
};

} // namespace berth::engine
