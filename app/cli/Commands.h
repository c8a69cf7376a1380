#pragma once

#include <string>
#include <vector>

namespace berth::app {

// One `berth` subcommand: its arguments after the command name; returns the exit status.
// Every command accepts --help and --instance NAME (default: $BERTH_INSTANCE, else "default").
int startCommand(const std::vector<std::string>& args);
int stopCommand(const std::vector<std::string>& args);
int restartCommand(const std::vector<std::string>& args);
int statusCommand(const std::vector<std::string>& args);
int logsCommand(const std::vector<std::string>& args);
int shellCommand(const std::vector<std::string>& args);
int resetCommand(const std::vector<std::string>& args);
int versionCommand(const std::vector<std::string>& args);
int contextCommand(const std::vector<std::string>& args);
int defaultSocketCommand(const std::vector<std::string>& args);
int portsCommand(const std::vector<std::string>& args);
int sharesCommand(const std::vector<std::string>& args);
int imageStoreCommand(const std::vector<std::string>& args);
int diagnoseCommand(const std::vector<std::string>& args);

} // namespace berth::app
