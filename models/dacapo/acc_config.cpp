#include "models/dacapo/acc_config.h"

#include <cmath>
#include <string>

namespace dacapo::acc {
namespace {
void require(bool ok, const char* key, const std::string& what) {
  if (!ok) throw ParamError(std::string("soc.acc.") + key + ": " + what);
}
}  // namespace

SramSplit sram_split(const AccConfig& cfg, unsigned sa) {
  const double half = sa == 0 ? cfg.sram_bytes * cfg.sram_top_share : cfg.sram_bytes * (1.0 - cfg.sram_top_share);
  SramSplit s;
  s.input = static_cast<uint64_t>(std::floor(half * cfg.sram_input_share));
  s.weight = static_cast<uint64_t>(std::floor(half * cfg.sram_weight_share));
  const uint64_t total = static_cast<uint64_t>(std::floor(half));
  s.output = total > s.input + s.weight ? total - s.input - s.weight : 0;
  return s;
}

void AccConfig::validate() const {
  require(rows >= 1 && rows <= 32, "rows", "must be 1..32 (busy masks are 32 bits)");
  require(cols >= 1 && cols <= 255, "cols", "must be 1..255");
  require(clock_mhz > 0 && std::isfinite(clock_mhz), "clock_mhz", "must be positive");
  require(partition_reset <= rows, "partition_reset", "must be <= rows");
  require(sram_top_share > 0 && sram_top_share < 1, "sram_top_share", "must be in (0, 1)");
  require(sram_input_share > 0 && sram_weight_share > 0 && sram_input_share + sram_weight_share < 1,
          "sram_input_share", "input and weight shares must be positive and leave room for the output buffer");
  require(operand_queue_depth >= 1, "operand_queue_depth", "must be >= 1");
  require(dma_burst_bytes >= 4 && dma_burst_bytes % 4 == 0, "dma_burst_bytes", "must be a multiple of 4, >= 4");
  require(dma_bytes_per_cycle >= 1, "dma_bytes_per_cycle", "must be >= 1");
  require(dram_bytes > 0, "dram_bytes", "must be positive");
  energy.validate();
  // Each SA must hold, double-buffered, one MX9 block (18 B) per column and per row, and two FP32 output tiles
  // plus the row-major MX staging of the PCU (cols x 32 FP32).
  for (unsigned sa = 0; sa < 2; ++sa) {
    const SramSplit s = sram_split(*this, sa);
    require(s.input >= 2ull * cols * 18, "sram_bytes", "input buffer too small for one MX9 block per column");
    require(s.weight >= 2ull * rows * 18, "sram_bytes", "weight buffer too small for one MX9 block per row");
    require(s.output >= 2ull * cols * rows * 4, "sram_bytes", "output buffer too small for two FP32 tiles");
  }
}

}  // namespace dacapo::acc
