// Sub-accelerator controller (T-SA or B-SA): one SC_THREAD that fetches descriptors from its DRAM ring, validates
// them, runs the GEMM tile by tile on the rows it owns and writes status and cycle counts back.
//
// Timing (loosely timed, one wait per tile step): a step is one K chunk of one output tile. The DMA of step s+1
// is issued when the SRAM half used by step s-1 is free (double buffering); its bursts go out spaced by the DMA
// channel's issue rate and the data is ready when the slowest burst's annotated completion time is reached. Step s
// computes from max(end of step s-1, data ready) for chunk·c cycles; a tile's last step adds its skew and the
// operand-queue term. Results go out through the precision-conversion unit when the tile ends. Everything a job
// waits for besides compute and operand-queue stalls is counted as DRAM stall.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/common/stats.h"
#include "models/dacapo/acc_config.h"
#include "models/dacapo/acc_signals.h"
#include "models/dacapo/descriptor_check.h"
#include "models/dacapo/tile_plan.h"

namespace dacapo::acc {

// One executed (or rejected) descriptor; the platform writes these as jobs.csv.
struct JobRecord {
  unsigned sa = 0;  // 0 = T-SA, 1 = B-SA
  uint32_t slot = 0;
  uint32_t tag = 0;
  regs::Precision precision = regs::Precision::MX9;
  uint32_t opcode = 0;
  uint64_t m = 0, n = 0, k = 0;
  uint32_t rows = 0;
  uint64_t tiles = 0;
  uint64_t start_cycle = 0, end_cycle = 0;  // accelerator cycles (end = results and write-back visible)
  uint64_t compute_cycles = 0;              // tile formula (K'·c + skew per tile)
  uint64_t queue_stall_cycles = 0;          // operand-queue term
  uint64_t dram_stall_cycles = 0;           // everything else the job waited for (descriptor, operands, results)
  double utilisation = 0;                   // MACs / (cycles · rows · cols · MACs per DPE cycle)
  uint64_t macs = 0;
  uint64_t dram_read_bytes = 0, dram_write_bytes = 0;
  uint64_t sram_input_bytes = 0, sram_weight_bytes = 0, sram_output_bytes = 0;
  regs::ErrorCode error = regs::ErrorCode::None;
  JobActions actions;      // what the energy model charges (energy.h)
  EnergyBreakdown energy;  // actions x per-action energies + leakage of the job's rows and SRAM half over its cycles
};

class SaController : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<SaController> dma_socket;                 // → memif
  tlm_utils::multi_passthrough_initiator_socket<SaController> row_socket;      // → every DPE row, in row order
  sc_core::sc_in<QueueControl> control_in;
  sc_core::sc_out<QueueState> state_out;
  sc_core::sc_out<PerfState> perf_out;
  sc_core::sc_out<uint32_t> busy_rows_out;  // bit i = row i computes a tile of this SA

  // Trace signals.
  sc_core::sc_signal<uint32_t> job_tag;
  sc_core::sc_signal<uint32_t> job_precision;
  sc_core::sc_signal<bool> job_active;

  SaController(sc_core::sc_module_name name, unsigned sa, const AccConfig& cfg);

  const std::vector<JobRecord>& jobs() const { return jobs_; }
  void report_stats(StatsReport& report, const std::string& path) const;
  void trace(sc_core::sc_trace_file* tf) const;

 private:
  struct Aborted {};  // soft reset while a job runs

  // An operand chunk in SRAM (in the SA's MX precision); `key` names (group, chunk).
  struct Slot {
    uint64_t key = UINT64_MAX;
    uint64_t last_use = 0;
    std::vector<mx::Block> blocks;    // as converted by the memory interface
    std::vector<mx::DotBlock> dots;   // the same blocks in the DPEs' integer form (what the rows read)
  };
  // The SRAM contents of one operand: two slots (double buffer); or, when the plan keeps the whole operand
  // resident, one slot per key; or, for a group-resident panel, the chunks of the current group (key / chunks).
  struct OperandBuffer {
    bool resident = false;
    uint64_t group_chunks = 0;  // > 0: group resident with this many chunks per group
    uint64_t group = UINT64_MAX;
    std::array<Slot, 2> slots;
    std::map<uint64_t, Slot> all;
    uint64_t clock = 0;
    Slot* find(uint64_t key);
    Slot& claim(uint64_t key);  // evicts the least recently used slot (double buffer)
  };

  void run();
  void execute(const QueueControl& c, QueueState& st);
  void raise_error(QueueState& st, regs::ErrorCode code, uint32_t slot);
  void publish(const QueueState& st);
  void check_reset();
  // Fills rec.actions.dma_bytes and rec.energy from the counted actions and the cycles from the job's start to
  // `end_cycle` (at every job end: done, error, soft reset).
  void account_energy(JobRecord& rec, uint64_t end_cycle) const;

  // DMA of `segments` (bursts) no earlier than `earliest`; data to/from `buf` in segment order (nullptr: scratch).
  // Returns false on an error response. `done` = completion time of the last burst.
  bool dma(tlm::tlm_command cmd, const std::vector<Segment>& segments, uint8_t* buf, sc_core::sc_time earliest,
           sc_core::sc_time& done);
  static void to_dot_blocks(Slot& slot, mx::Format fmt);
  void sync_to(const sc_core::sc_time& t);
  uint64_t cycles(const sc_core::sc_time& t) const;

  const unsigned sa_;
  const AccConfig cfg_;
  const SramSplit sram_;
  const sc_core::sc_time period_;
  const bool functional_;

  PerfState perf_;
  uint32_t reset_seen_ = 0;
  sc_core::sc_time dma_free_;
  std::vector<Segment> bursts_;
  std::vector<Segment> merged_;  // dma_coalesce: the call's segments with contiguous runs merged
  std::vector<uint8_t> scratch_;
  tlm::tlm_generic_payload trans_;
  std::vector<JobRecord> jobs_;
  JobRecord* current_ = nullptr;
};

}  // namespace dacapo::acc
