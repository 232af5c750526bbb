// Command line of dacapo-vp (Boost.Program_options). Exit codes are part of the interface (docs/platform.md).
#pragma once

#include <cstdint>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace dacapo::platform {

enum ExitCode : int {
  kExitOk = 0,            // firmware returned 0
  kExitFirmwareFail = 1,  // firmware returned non-zero (e.g. a self-test check failed)
  kExitUsage = 2,         // bad command line, unknown key, bad value, unreadable config/scenario
  kExitSimError = 3,      // firmware ended with an exception (driver/bus error) or the time limit was hit
  kExitOutputError = 4,   // outputs could not be written
  kExitInterrupted = 130  // Ctrl-C: the simulation stopped at a safe point, outputs were written
};

class CliError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CliOptions {
  std::vector<std::string> configs;  // INI files, in order
  std::vector<std::string> sets;     // key=value, in order (after the files: last wins)
  std::string firmware = "gemm_selftest";
  std::string outdir = "dacapo-out";
  uint64_t seed = 1;
  std::string vcd;         // empty = no VCD
  std::string vcd_window;  // start:end
  std::vector<std::string> trace;  // module groups to trace (empty = all)
  bool list_params = false;
  bool quiet = false;
  bool help = false;
};

// Throws CliError with a message naming the offending option.
CliOptions parse_cli(int argc, const char* const* argv);
void print_help(std::ostream& os);

}  // namespace dacapo::platform
