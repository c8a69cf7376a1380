#pragma once

#include "berth/engine/HijackedStream.h"
#include "berth/engine/detail/Transport.h"

#include <deque>
#include <optional>
#include <vector>

namespace berth::engine::detail {

// The connection behind a HijackedStream, kept alive by its pending reads and writes.
class HijackState final : public std::enable_shared_from_this<HijackState>
{
public:
    HijackState(std::unique_ptr<Socket> socket, std::string firstBytes, bool tty);

    void start(HijackedStream::OutputSink onOutput, std::function<void(Status)> onEnd);
    void write(std::string data);
    void closeStdin();
    void close();
    bool tty() const { return m_tty; }

private:
    void deliver(std::string_view data);
    void read();
    void pump();
    void end(Status status);

    std::unique_ptr<Socket> m_socket;
    std::string m_firstBytes;
    bool m_tty;
    std::optional<MultiplexDecoder> m_demux;
    HijackedStream::OutputSink m_onOutput;
    std::function<void(Status)> m_onEnd;
    std::vector<char> m_in;
    std::deque<std::string> m_queue;
    bool m_writing = false;
    bool m_stdinClosing = false;
    bool m_stdinClosed = false;
    bool m_started = false;
    bool m_closed = false;
};

} // namespace berth::engine::detail
