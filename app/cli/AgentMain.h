#pragma once

#include <string>
#include <vector>

namespace berth::app {

// `berth agent --instance NAME [--accel NAME] [--ready-fd END]`: the background host agent that
// `berth start` launches (not for people to run). It reports through the ReportPipe end END, as one
// line, "ok", "locked" (another agent runs the instance) or "error MESSAGE", then runs until
// the VM has stopped.
int agentMain(const std::vector<std::string>& args);

} // namespace berth::app
