#pragma once

#include "berth/engine/Error.h"

#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace berth::engine {

// Splits a stream of JSON documents, one per line ("\n" or "\r\n"), as /events, pull, push and
// load send them, into parsed values. Lines may be split anywhere between feeds. A line longer
// than the limit or one that is not JSON is a clear, final error.
class JsonLineDecoder final
{
public:
    using Sink = std::function<void(nlohmann::json)>;
    static constexpr std::size_t kDefaultLineLimit = 8 * 1024 * 1024;

    explicit JsonLineDecoder(Sink sink, std::size_t lineLimit = kDefaultLineLimit)
        : m_sink(std::move(sink)), m_lineLimit(lineLimit)
    {}

    Status feed(std::string_view data);
    // The stream ended: a last line without a newline is decoded too.
    Status finish();

private:
    Status emit(std::string_view line);

    Sink m_sink;
    std::size_t m_lineLimit;
    std::string m_line;
    bool m_failed = false;
};

} // namespace berth::engine
