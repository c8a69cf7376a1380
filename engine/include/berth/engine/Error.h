#pragma once

#include "berth/engine/Expected.h"

#include <string>

namespace berth::engine {

// Why an engine operation failed. The message always says it in words a person can act on.
enum class ErrorKind
{
    SocketMissing, // the endpoint does not exist: the engine is not running
    Unreachable,   // it exists but nothing answers (refused, permission denied, reset)
    Timeout,       // no answer within the operation's time limit
    Http,          // the daemon answered with an HTTP error; message is the daemon's own
    Malformed,     // the answer broke HTTP, the stream framing or the JSON it should carry
    Stream,        // a stream the daemon accepted failed midway (e.g. a pull's error line)
    Cancelled,     // the caller cancelled it
    Unsupported,   // the engine's API is too old, or the endpoint kind is not built here
};

struct Error
{
    ErrorKind kind = ErrorKind::Malformed;
    std::string message;
    int httpStatus = 0; // set for ErrorKind::Http

    bool notFound() const { return kind == ErrorKind::Http && httpStatus == 404; }
    bool conflict() const { return kind == ErrorKind::Http && httpStatus == 409; }
};

template <typename T> using Result = Expected<T, Error>;
using berth::Ok;
using Status = Result<Ok>;

const char* toString(ErrorKind kind);

} // namespace berth::engine
