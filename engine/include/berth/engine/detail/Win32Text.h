#pragma once

#ifdef _WIN32

#include <string>

namespace berth::engine::detail {

// Text to and from Windows' own terms (Windows builds only).

// What Windows says about an error code (GetLastError()), in one line without the final period.
std::string systemMessage(unsigned long code);

// UTF-8 as the UTF-16 that Windows' W functions take.
std::wstring widen(const std::string& text);

} // namespace berth::engine::detail

#endif
