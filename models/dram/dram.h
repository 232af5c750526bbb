// LPDDR5 memory as a loosely-timed TLM-2.0 target (DESIGN.md §5).
//
// Addresses at `target_socket` are DRAM-local byte offsets in [0, capacity): the bus router subtracts the DRAM
// base before forwarding. b_transport accepts reads and writes of any length and alignment, splits them into
// bursts, schedules them on the channel controllers (DramScheduler, the same code dram-replay runs) with the
// arrival time sc_time_stamp() + delay, and returns with `delay` advanced to the request's completion time given
// all traffic queued before it — so initiators that share the DRAM slow each other down.
//
// DMI is granted (config `dmi`) for *functional* data access only: a DMI read or write takes no simulated time
// and is not seen by the scheduler or the statistics. Use it for loading images, checking results and similar
// zero-time work. An initiator that wants both speed and timing must not use DMI for timed transfers: it issues
// the b_transport (which also moves the data) and takes the returned delay.
//
// Errors (no crash): zero length -> TLM_GENERIC_ERROR_RESPONSE; any byte outside the capacity ->
// TLM_ADDRESS_ERROR_RESPONSE; streaming width < length -> TLM_BURST_ERROR_RESPONSE.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

#include "models/common/stats.h"
#include "models/dram/backing_store.h"
#include "models/dram/dram_config.h"
#include "models/dram/dram_scheduler.h"

namespace dacapo::dram {

class Lpddr5 : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Lpddr5> target_socket;
  // For VCD: true while a channel has data in flight (updated at request granularity), and the number of open
  // banks per channel after the last scheduled request.
  sc_core::sc_vector<sc_core::sc_signal<bool>> channel_busy;
  sc_core::sc_vector<sc_core::sc_signal<uint32_t>> channel_open_banks;

  // Throws ParamError when the config is inconsistent.
  Lpddr5(const sc_core::sc_module_name& name, const DramConfig& config);

  void report_stats(StatsReport& report) const { scheduler_.report_stats(report, name()); }
  DramSummary summary() const { return scheduler_.summary(); }
  // Writes the traffic trace (config `trace_out`) now; also done at end_of_simulation. Written once.
  void write_trace();
  // Pages of functional data actually allocated.
  uint64_t backing_pages() const { return store_.pages_allocated(); }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  unsigned transport_dbg(tlm::tlm_generic_payload& trans);
  void end_of_simulation() override;
  void update_signals();
  // Validates the payload's address range, length and attributes; sets the error response and returns false.
  bool accept(tlm::tlm_generic_payload& trans, bool timed);
  void copy_data(tlm::tlm_generic_payload& trans);

  const DramConfig config_;
  DramScheduler scheduler_;
  BackingStore store_;
  std::vector<int64_t> busy_until_ps_;
  std::vector<uint32_t> open_banks_;
  sc_core::sc_event signal_update_;
  bool trace_written_ = false;
  int ps_resolution_ = -1;  // 1: the kernel's time resolution is 1 ps (sc_time values are ps); -1: not known yet
};

}  // namespace dacapo::dram
