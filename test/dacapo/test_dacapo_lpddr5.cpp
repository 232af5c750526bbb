// The accelerator on the LPDDR5 model (models/dram) through a trivial address-offset adapter (what the bus router
// does in the platform): weight streaming (M = 1) is DRAM-bound and tracks bytes / bandwidth; both SAs streaming
// at once slow each other down.
#include <catch2/catch.hpp>

#include "lpddr5_system.h"

using namespace dacapo;
using namespace dacapo::acc;
using namespace dacapo::acc::test;
using regs::Precision;


TEST_CASE("weight streaming on LPDDR5 is DRAM bound and tracks bytes over bandwidth") {
  // One x16 channel (12.8 GB/s peak) against the 16 rows' MX4 appetite of 128 B/cycle (64 GB/s).
  DramSystem one(1);
  regs::Descriptor small, large;
  one.host.body = [&](Host& h) {
    h.write32(System::g(regs::global::kPartition), 16);
    one.setup(0, Precision::MX4);
    one.submit(0, one.streaming(512, 2048));
    one.submit(0, one.streaming(1024, 2048));
    one.wait_completed(0, 2);
    small = one.peek_desc(0, 0);
    large = one.peek_desc(0, 1);
  };
  sc_start();
  REQUIRE(one.host.finished);
  const double peak = peak_bytes_per_cycle(one.dram_cfg);
  const double bytes_small = 512.0 * 128 * 8, bytes_large = 1024.0 * 128 * 8;
  INFO("small: " << small.total_cycles << " cycles (compute " << small.compute_cycles << ", bound "
                 << bytes_small / peak << "); large: " << large.total_cycles << " (bound " << bytes_large / peak << ")");
  CHECK(small.status == 1);
  CHECK(large.status == 1);
  CHECK(small.compute_cycles * 3 < small.total_cycles);    // far from compute bound
  CHECK(small.total_cycles > bytes_small / peak);          // never faster than the peak
  CHECK(small.total_cycles < bytes_small / (0.6 * peak));  // streaming reaches most of it
  const double ratio = double(large.total_cycles) / double(small.total_cycles);
  CHECK(ratio > 1.85);
  CHECK(ratio < 2.15);
}

TEST_CASE("two SAs streaming weights from LPDDR5 at once slow each other down") {
  DramSystem sys(2);
  regs::Descriptor alone[2], together[2];
  sys.host.body = [&](Host& h) {
    h.write32(System::g(regs::global::kPartition), 8);
    for (unsigned s = 0; s < 2; ++s) sys.setup(s, Precision::MX4);
    const regs::Descriptor d0 = sys.streaming(1024, 2048), d1 = sys.streaming(1024, 2048);
    sys.submit(0, d0);
    sys.wait_completed(0, 1);
    sys.submit(1, d1);
    sys.wait_completed(1, 1);
    sys.submit(0, d0);
    sys.submit(1, d1);
    sys.wait_completed(0, 2);
    sys.wait_completed(1, 2);
    for (unsigned s = 0; s < 2; ++s) {
      alone[s] = sys.peek_desc(s, 0);
      together[s] = sys.peek_desc(s, 1);
    }
  };
  sc_start();
  REQUIRE(sys.host.finished);
  for (unsigned s = 0; s < 2; ++s) {
    INFO("SA " << s << ": alone " << alone[s].total_cycles << " together " << together[s].total_cycles);
    CHECK(alone[s].status == 1);
    CHECK(together[s].status == 1);
    CHECK(together[s].total_cycles > 1.5 * alone[s].total_cycles);
  }
}
