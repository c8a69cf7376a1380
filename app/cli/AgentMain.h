#pragma once

#include <string>
#include <vector>

namespace berth::app {

// `berth agent --instance NAME [--accel NAME] [--ready-fd N]`: the background host agent that
// `berth start` launches (not for people to run). It reports on the ready descriptor, as one
// line, "ok", "locked" (another agent runs the instance) or "error MESSAGE", then runs until
// the VM has stopped.
int agentMain(const std::vector<std::string>& args);

} // namespace berth::app
