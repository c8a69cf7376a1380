#include "berth/vm/Settings.h"

#include <algorithm>
#include <thread>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace berth::vm {

namespace {

struct Field
{
    const char* name;
    int Settings::*member;
    int Settings::Limits::*min;
    int Settings::Limits::*max;
    const char* unit;
};

constexpr Field kFields[] = {
    {"cpus", &Settings::cpus, &Settings::Limits::minCpus, &Settings::Limits::maxCpus, ""},
    {"memory_mib", &Settings::memoryMiB, &Settings::Limits::minMemoryMiB, &Settings::Limits::maxMemoryMiB, " MiB"},
    {"disk_gib", &Settings::diskGiB, &Settings::Limits::minDiskGiB, &Settings::Limits::maxDiskGiB, " GiB"},
};

std::string knownFields()
{
    std::string names;
    for (const auto& f : kFields)
        names += (names.empty() ? "" : ", ") + std::string(f.name);
    return names;
}

} // namespace

Settings::Limits Settings::limits()
{
    Limits l;
    l.maxCpus = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long pageSize = ::sysconf(_SC_PAGESIZE);
    const long long hostMiB = pages > 0 && pageSize > 0 ? static_cast<long long>(pages) * pageSize / (1 << 20) : 2048;
    l.maxMemoryMiB = static_cast<int>(std::max<long long>(l.minMemoryMiB, hostMiB - 1024));
    return l;
}

Status Settings::validate() const
{
    const auto l = limits();
    for (const auto& f : kFields) {
        const int value = this->*f.member;
        if (value < l.*f.min || value > l.*f.max)
            return Error{"'" + std::string(f.name) + "' is " + std::to_string(value) + f.unit + "; it must be from " +
                         std::to_string(l.*f.min) + " to " + std::to_string(l.*f.max) + f.unit + " on this computer"};
    }
    return Ok{};
}

Result<Settings> Settings::parse(const std::string& json, const std::string& source)
{
    const auto doc = nlohmann::json::parse(json, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return Error{source + " is not a JSON object; fix it or delete it to go back to the defaults"};
    Settings s;
    for (const auto& [key, value] : doc.items()) {
        const auto* field = std::find_if(std::begin(kFields), std::end(kFields),
                                         [&key](const Field& f) { return key == f.name; });
        if (field == std::end(kFields))
            return Error{source + ": unknown setting '" + key + "' (known: " + knownFields() + ")"};
        if (!value.is_number_integer())
            return Error{source + ": '" + key + "' must be a whole number, not " + value.dump()};
        const auto number = value.get<long long>();
        s.*field->member = static_cast<int>(std::clamp<long long>(number, -1, 1LL << 30));
    }
    if (auto valid = s.validate(); !valid)
        return Error{source + ": " + valid.error().message};
    return s;
}

std::string Settings::toJson() const
{
    nlohmann::json doc;
    for (const auto& f : kFields)
        doc[f.name] = this->*f.member;
    return doc.dump(2) + "\n";
}

} // namespace berth::vm
