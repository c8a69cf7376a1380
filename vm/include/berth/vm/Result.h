#pragma once

#include "berth/engine/Expected.h"

#include <string>

namespace berth::vm {

// An error a person can act on: what went wrong and, where known, what to do about it.
struct Error
{
    std::string message;
};

template <typename T> using Result = Expected<T, Error>;
using berth::Ok;
using Status = Result<Ok>;

} // namespace berth::vm
