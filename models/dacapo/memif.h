// Memory interface port: merges the two SA controllers' DMA channels onto the accelerator's single DRAM initiator
// socket (SoC bus addresses), forwards each burst with its annotated issue time, and returns the target's delay,
// so both SAs contend for the same DRAM. It counts transactions and bytes per channel and drives a busy trace
// signal per channel. Address generation, MX decoding/packing and the im2col gather are in operand_io.h.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/common/stats.h"

namespace dacapo::acc {

class Memif : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<Memif> sa_socket;  // index 0 = T-SA, 1 = B-SA
  tlm_utils::simple_initiator_socket<Memif> dram_initiator_socket;
  sc_core::sc_vector<sc_core::sc_signal<bool>> channel_busy;  // trace: a burst of this channel is in flight

  explicit Memif(sc_core::sc_module_name name);
  void trace(sc_core::sc_trace_file* tf) const;
  void report_stats(StatsReport& report, const std::string& path) const;

 private:
  void b_transport(int channel, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void end_busy(unsigned channel);
  void end_busy_top() { end_busy(0); }
  void end_busy_bottom() { end_busy(1); }

  struct Counters {
    uint64_t reads = 0, writes = 0, read_bytes = 0, write_bytes = 0, errors = 0;
  };
  std::array<Counters, 2> counters_{};
  std::array<sc_core::sc_time, 2> busy_until_{};
  std::array<sc_core::sc_event, 2> busy_end_event_;
};

}  // namespace dacapo::acc
