// The dacapo-vp front end: configuration, elaboration, simulation loop (progress, Ctrl-C, time limit), outputs.
#pragma once

#include "platform/cli_options.h"

namespace dacapo::platform {

// Runs one simulation; returns the process exit code (ExitCode). Errors are reported on stderr.
int run_dacapo_vp(int argc, const char* const* argv);

}  // namespace dacapo::platform
