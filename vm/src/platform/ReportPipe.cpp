#include "berth/vm/Process.h"

#include <utility>

namespace berth::vm {

// What is the same on every system; each one's Process.cpp makes the pipe and closes its ends.

ReportPipe::ReportPipe(ReportPipe&& other) noexcept
    : m_read(std::exchange(other.m_read, -1)), m_write(std::exchange(other.m_write, -1))
{}

ReportPipe& ReportPipe::operator=(ReportPipe&& other) noexcept
{
    if (this != &other) {
        closeChildEnd();
        closeReadEnd();
        m_read = std::exchange(other.m_read, -1);
        m_write = std::exchange(other.m_write, -1);
    }
    return *this;
}

ReportPipe::~ReportPipe()
{
    closeChildEnd();
    closeReadEnd();
}

} // namespace berth::vm
