#pragma once

#ifdef _WIN32

#include <string>

namespace berth::engine::detail {

// What Windows says about an error code (GetLastError()), in one line without the final period.
std::string systemMessage(unsigned long code);

} // namespace berth::engine::detail

#endif
