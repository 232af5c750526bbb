// dacapo-vp: the board's command-line front end (docs/platform.md).
#include <cstdlib>

#include <systemc>

#include "platform/run.h"

int sc_main(int argc, char* argv[]) {
  // No SystemC banner: stdout carries the firmware console and the run summary only.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return dacapo::platform::run_dacapo_vp(argc, argv);
}
