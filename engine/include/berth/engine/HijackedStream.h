#pragma once

#include "berth/engine/Error.h"
#include "berth/engine/MultiplexDecoder.h"

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace berth::engine {

namespace detail {
class HijackState;
}

// The bidirectional stream of an exec or attach after the engine switched protocols
// (101 UPGRADED). Output that arrived together with the engine's answer is the stream's start
// and comes first. Output is split into stdout and stderr unless the process has a TTY, when it
// is StreamKind::Raw. Use on the client's io_context thread.
class HijackedStream final
{
public:
    using OutputSink = std::function<void(StreamKind, std::string_view)>;

    explicit HijackedStream(std::shared_ptr<detail::HijackState> state);
    ~HijackedStream(); // closes the stream

    HijackedStream(const HijackedStream&) = delete;
    HijackedStream& operator=(const HijackedStream&) = delete;

    // Starts reading. `onEnd` runs once: Ok when the process closed its output, or an error.
    void start(OutputSink onOutput, std::function<void(Status)> onEnd);
    // Queues bytes for the process's stdin, written in order.
    void write(std::string data);
    // After the queued bytes, half-closes the connection: the process reads end-of-file on
    // stdin while its output keeps coming.
    void closeStdin();
    // Closes both directions at once; onEnd is not called afterwards.
    void close();
    bool tty() const;

private:
    std::shared_ptr<detail::HijackState> m_state;
};

} // namespace berth::engine
