#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace berth::engine {

// One line of a pull, push or load stream: per-layer progress ("Downloading", current/total
// bytes), a status line, a build-style "stream" text, or an error. An error line arrives inside
// an HTTP 200 answer; Client ends the operation with ErrorKind::Stream and its message.
struct ProgressMessage
{
    std::string id;       // the layer (or tag) the line is about; empty for overall status
    std::string status;   // "Pulling fs layer", "Downloading", "Pull complete", "Digest: …"
    std::string progress; // the engine's own progress bar text
    std::int64_t current = 0;
    std::int64_t total = 0;
    std::string stream; // load's "Loaded image: bb:1\n"
    std::string error;  // non-empty on an error line
    nlohmann::json raw;

    static ProgressMessage fromJson(const nlohmann::json& json);
};

} // namespace berth::engine
