// The DaCapo accelerator (DESIGN.md §1): register block, two sub-accelerator controllers (T-SA over rows
// [0, r), B-SA over rows [r, rows)), the DPE rows, and the memory-interface port to DRAM.
//
//   mmio_target_socket  → csr (register window, addresses relative to the window)
//   dram_initiator_socket ← memif ← sa[0], sa[1] (SoC bus addresses; DRAM at AccConfig::dram_base)
//   irq_out               level: OR(IRQ_RAW & IRQ_ENABLE)
// Children talk only through sockets and signals.
#pragma once

#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/common/stats.h"
#include "models/dacapo/acc_config.h"
#include "models/dacapo/acc_signals.h"
#include "models/dacapo/csr.h"
#include "models/dacapo/dpe_row.h"
#include "models/dacapo/memif.h"
#include "models/dacapo/sa_controller.h"

namespace dacapo::acc {

class Accelerator : public sc_core::sc_module {
 public:
  tlm::tlm_target_socket<> mmio_target_socket;
  tlm::tlm_initiator_socket<> dram_initiator_socket;
  sc_core::sc_out<bool> irq_out;

  Accelerator(sc_core::sc_module_name name, const AccConfig& cfg);

  // Every descriptor both SAs executed or rejected, T-SA first, each in execution order.
  std::vector<JobRecord> jobs() const;
  // Writes the job records as CSV (header + one line per job).
  static void write_jobs_csv(std::ostream& os, const std::vector<JobRecord>& jobs);
  // Stats under `path` (normally "soc.acc"), including energy and average power (<path>.energy, per SA
  // energy_pj). Powers are averages over the simulated time so far (sc_time_stamp()).
  void report_stats(StatsReport& report, const std::string& path) const;
  // Per-row owner/busy/precision, per-SA job tag/precision, DMA busy, IRQ line.
  void trace(sc_core::sc_trace_file* tf) const;

  const AccConfig& config() const { return cfg_; }

 private:
  const AccConfig cfg_;
  void report_energy(StatsReport& report, const std::string& path) const;

 public:
  Csr csr;
  Memif memif;
  sc_core::sc_vector<SaController> sa;
  sc_core::sc_vector<DpeRow> rows;

 private:
  sc_core::sc_signal<uint32_t> partition_;
  sc_core::sc_vector<sc_core::sc_signal<QueueControl>> control_;
  sc_core::sc_vector<sc_core::sc_signal<QueueState>> state_;
  sc_core::sc_vector<sc_core::sc_signal<PerfState>> perf_;
  sc_core::sc_vector<sc_core::sc_signal<uint32_t>> busy_rows_;
  sc_core::sc_vector<sc_core::sc_signal<uint32_t>> precision_;  // per SA, from the control signal
  sc_core::sc_signal<bool> irq_;                                 // trace copy of irq_out
  void project_precision();
};

}  // namespace dacapo::acc
