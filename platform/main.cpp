// dacapo-vp: the board's command-line front end (docs/platform.md).
#include <cstdlib>

#include <systemc>

#include "platform/run.h"

namespace {
// No SystemC banner: stdout carries the firmware console and the run summary only. libsystemc prints the banner
// before sc_main, so the variable is set during static initialisation.
const bool kBannerOff = (setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0), true);
}  // namespace

int sc_main(int argc, char* argv[]) {
  (void)kBannerOff;
  return dacapo::platform::run_dacapo_vp(argc, argv);
}
