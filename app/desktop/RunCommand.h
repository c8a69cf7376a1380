#pragma once

#include "berth/engine/Container.h"

#include <QString>

namespace berth::app {

// A `docker run` line that makes a container like `inspected` (an inspect answer, read from its
// `raw` JSON): name, ports, environment, binds, restart policy, --rm, -i/-t, network, entrypoint,
// image and command, each argument quoted for a POSIX shell where it needs it. Labels are left
// out. Never throws: fields of an unexpected shape are skipped.
QString dockerRunCommand(const engine::Container& inspected);

// `word` as one POSIX shell word: unchanged when it has only characters no shell treats
// specially, else in single quotes, with each ' written as '\''.
QString shellQuote(const QString& word);

} // namespace berth::app
