#pragma once

// Where a fuzz target cuts its input before feeding an incremental decoder. The cuts come from
// a 16-bit seed the fuzzer controls (the input's last two bytes, see FuzzedDataProvider), so a
// seed made from a real capture keeps every byte of the capture as data, and mutating the seed
// alone tries new cuts of the same bytes.

#include "Check.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

namespace berth::fuzz {

class Pieces final
{
public:
    explicit Pieces(std::uint16_t seed) : m_state(0x9e3779b97f4a7c15ull ^ seed), m_mode(seed & 3u) {}

    // Cuts `bytes` into pieces that cover it in order. The seed's low bits pick the sizes: single
    // bytes, up to 16, up to 512, or up to 64 KiB (a whole socket read).
    std::vector<std::string_view> cut(std::string_view bytes)
    {
        static constexpr std::size_t kLargest[] = {1, 16, 512, 64 * 1024};
        std::vector<std::string_view> pieces;
        while (!bytes.empty()) {
            const auto size = std::min<std::size_t>(bytes.size(), 1 + next() % kLargest[m_mode]);
            pieces.push_back(bytes.substr(0, size));
            bytes.remove_prefix(size);
        }
        return pieces;
    }

private:
    // xorshift64: any generator would do, it only has to be the same on every run.
    std::uint64_t next()
    {
        m_state ^= m_state << 13;
        m_state ^= m_state >> 7;
        m_state ^= m_state << 17;
        return m_state;
    }

    std::uint64_t m_state;
    unsigned m_mode;
};

// The incremental decoders' entry point: the input's first two bytes seed the cut, and
// `decode(pieces, inputSize)` must give the same result for the rest whole and in pieces.
template <typename Decode>
void checkWholeEqualsSplit(const std::uint8_t* data, std::size_t size, Decode decode)
{
    FuzzedDataProvider input(data, size);
    const auto seed = input.ConsumeIntegral<std::uint16_t>();
    const auto bytes = input.ConsumeRemainingBytesAsString();
    const auto whole = decode(std::vector<std::string_view>{std::string_view(bytes)}, bytes.size());
    const auto split = decode(Pieces(seed).cut(bytes), bytes.size());
    BERTH_FUZZ_CHECK(whole == split);
}

} // namespace berth::fuzz
