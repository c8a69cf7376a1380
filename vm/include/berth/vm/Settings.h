#pragma once

#include "berth/vm/Result.h"

#include <string>

namespace berth::vm {

// An instance's settings (settings.json in its folder). Invariant of a value returned by
// parse(): every field is within the range limits() gives for this host.
struct Settings
{
    int cpus = 2;
    int memoryMiB = 2048;
    int diskGiB = 64; // the data disk's size; it only ever grows

    struct Limits
    {
        int minCpus = 1, maxCpus = 1;
        int minMemoryMiB = 1024, maxMemoryMiB = 1024;
        int minDiskGiB = 8, maxDiskGiB = 4096;
    };
    // The ranges on this host: CPUs up to the host's count, memory up to the host's physical
    // memory less 1 GiB for the host itself.
    static Limits limits();

    // Parses and validates settings JSON. Missing fields keep their defaults; an unknown field,
    // a wrong type or a value out of range is an error naming the field, the value and the
    // allowed range. `source` names the file in messages.
    static Result<Settings> parse(const std::string& json, const std::string& source);
    // The same checks on a value (e.g. from command-line flags).
    Status validate() const;
    std::string toJson() const;

    friend bool operator==(const Settings&, const Settings&) = default;
};

} // namespace berth::vm
