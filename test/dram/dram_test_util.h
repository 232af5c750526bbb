// Helpers shared by the DRAM tests: configs and request streams built from the parameters, not from the model.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/dram/address_map.h"
#include "models/dram/dram_config.h"
#include "models/dram/dram_scheduler.h"

namespace dram_test {

using namespace dacapo::dram;

inline DramConfig config(uint32_t channels, RefreshMode refresh) {
  DramConfig c;
  c.channels = channels;
  c.refresh = refresh;
  return c;
}

// Replays requests closed-loop (each request enters as soon as its channel queue has room), as dram-replay does.
inline DramSummary run_closed_loop(DramScheduler& dram, const std::vector<Request>& requests) {
  int64_t next = 0;
  for (Request r : requests) {
    r.arrival = next;
    dram.submit(r);
    next = dram.last_admission();
  }
  dram.drain();
  return dram.summary();
}

inline std::vector<Request> sequential_reads(uint64_t count, uint64_t line = 64) {
  std::vector<Request> out;
  for (uint64_t i = 0; i < count; ++i) out.push_back(Request{i * line, line, false, 0});
  return out;
}

}  // namespace dram_test
