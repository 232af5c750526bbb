// Configuration of the DaCapo accelerator model (object path prefix "soc.acc"). Defaults follow DESIGN.md §2.
#pragma once

#include <cstdint>

#include "firmware/hal/soc_map.h"
#include "models/common/params.h"
#include "models/dacapo/energy.h"

namespace dacapo::acc {

// functional: payloads carry data, the rows compute MX dot products bit-exactly.
// timing_only: the same transactions and timing, no arithmetic; operand payloads are a scratch buffer whose
// contents are ignored (reads) or zero (writes). Descriptor fetch and write-back always carry real data.
enum class Fidelity { Functional, TimingOnly };

struct AccConfig {
  uint32_t rows = 16;                 // DPE rows (split between T-SA and B-SA by PARTITION)
  uint32_t cols = 16;                 // DPE columns (M of a tile)
  double clock_mhz = 500.0;
  uint32_t partition_reset = 8;       // PARTITION after power-on: T-SA rows [0, r)
  uint32_t sram_bytes = 96 * 1024;    // all on-chip operand/output buffers
  double sram_top_share = 0.5;        // fraction of the SRAM at the top (T-SA); the rest is at the bottom (B-SA)
  double sram_input_share = 0.375;    // of each half: input (A) buffer
  double sram_weight_share = 0.375;   // of each half: weight (B) buffer; the output buffer gets the rest
  Fidelity fidelity = Fidelity::Functional;
  bool operand_queue_stalls = true;   // DESIGN.md §2 operand-queue stall term
  uint32_t operand_queue_depth = 16;  // entries per DPE operand queue (the 16 in T0 = floor(16c/(c-1)))
  uint32_t dma_burst_bytes = 2048;    // largest single DRAM transaction of the memory interface
  uint32_t dma_bytes_per_cycle = 512; // issue rate of one SA's DMA channel (bursts are spaced by size/rate)
  bool ideal_memory = false;          // tests: DMA transactions still happen but cost no time
  // Off (the published results): one DRAM transaction per operand row segment (per outer index / input row),
  // split at dma_burst_bytes. On: contiguous segments are merged first, so a tile whose rows lie back to back in
  // DRAM goes out as few long bursts — what a streaming address generator does; fewer, fuller DRAM requests.
  bool dma_coalesce = false;
  uint64_t dram_base = soc::kDramBase;
  uint64_t dram_bytes = 0x8'0000'0000ull;  // 32 GiB (16 channels x 16 Gb); descriptors outside are BadAddress
  // Per-action energies, keys under soc.acc.energy (not visited by visit_params below: the platform loads them
  // with load_energy_config, which layers the data file).
  EnergyConfig energy = default_energy_config();

  template <class V>
  void visit_params(V& v) {
    v("rows", rows, "", "DPE rows of the array (split between T-SA and B-SA)");
    v("cols", cols, "", "DPE columns of the array (the M extent of a tile)");
    v("clock_mhz", clock_mhz, "MHz", "accelerator clock");
    v("partition_reset", partition_reset, "rows", "PARTITION register after power-on (T-SA rows)");
    v("sram_bytes", sram_bytes, "B", "total on-chip buffer SRAM (input + weight + output, top + bottom)");
    v("sram_top_share", sram_top_share, "", "fraction of the SRAM in the top (T-SA) buffers");
    v("sram_input_share", sram_input_share, "", "fraction of each half used as input (A) buffer");
    v("sram_weight_share", sram_weight_share, "", "fraction of each half used as weight (B) buffer");
    v("fidelity", fidelity, "", "functional (real data, exact MX arithmetic) or timing_only (no arithmetic)");
    v("operand_queue_stalls", operand_queue_stalls, "", "model the operand-queue stall term (DESIGN.md 2)");
    v("operand_queue_depth", operand_queue_depth, "entries", "operand queue entries per DPE");
    v("dma_burst_bytes", dma_burst_bytes, "B", "largest DRAM transaction issued by the memory interface");
    v("dma_bytes_per_cycle", dma_bytes_per_cycle, "B/cycle", "issue rate of one SA's DMA channel");
    v("ideal_memory", ideal_memory, "", "DMA costs no time (test configuration)");
    v("dma_coalesce", dma_coalesce, "", "merge contiguous operand segments into long bursts (off: one per row)");
    v("dram_base", dram_base, "", "bus address of DRAM (descriptor address checks)");
    v("dram_bytes", dram_bytes, "B", "size of DRAM (descriptor address checks)");
  }
  // Throws ParamError naming the key.
  void validate() const;

  double period_ns() const { return 1000.0 / clock_mhz; }
};

// SRAM bytes of one SA's buffers (top for T-SA, bottom for B-SA).
struct SramSplit {
  uint64_t input = 0;
  uint64_t weight = 0;
  uint64_t output = 0;
};
SramSplit sram_split(const AccConfig& cfg, unsigned sa);

}  // namespace dacapo::acc

DACAPO_PARAM_ENUM(dacapo::acc::Fidelity, {dacapo::acc::Fidelity::Functional, "functional"},
                  {dacapo::acc::Fidelity::TimingOnly, "timing_only"});
