// Tile timing of the DPE array (DESIGN.md §2). Pure functions, no SystemC.
//
// An output tile of R' x C' DPEs (R' <= SA rows, C' <= array columns) reduces K elements, i.e. K' = ceil(K/16)
// MX blocks. Each DPE does one 16-element block dot product per c cycles (c = 1 / 4 / 16 for MX4 / MX6 / MX9),
// so the tile computes for K'·c cycles and takes (R'-1)+(C'-1) more to fill and drain the array (tiles do not
// overlap their skews). With the operand queues modelled, the authors' cycle simulator adds per tile
// (c-1)·min(max(0, K'-T0), max(0, d-T0)) cycles, d = the skew, T0 = floor(Q·c/(c-1)) with Q = 16 queue entries.
#pragma once

#include <cstdint>

#include "firmware/hal/dacapo_regs.h"

namespace dacapo::acc {

using regs::Precision;

// Cycles per 16-element block dot product: 1 / 4 / 16.
constexpr uint32_t cycles_per_block(Precision p) {
  return p == Precision::MX4 ? 1 : p == Precision::MX6 ? 4 : 16;
}
// MACs one DPE performs per cycle: 16 / 4 / 1.
constexpr uint32_t macs_per_dpe_cycle(Precision p) { return 16 / cycles_per_block(p); }

constexpr uint64_t k_blocks(uint64_t k) { return (k + 15) / 16; }

// Compute part of a tile: K'·c.
constexpr uint64_t tile_compute_cycles(uint64_t kb, Precision p) { return kb * cycles_per_block(p); }
// Fill + drain of an R' x C' tile.
constexpr uint64_t tile_skew_cycles(uint32_t tile_rows, uint32_t tile_cols) {
  return uint64_t(tile_rows - 1) + uint64_t(tile_cols - 1);
}
// Operand-queue threshold T0 = floor(Q·c/(c-1)); 0 means "never stalls" (MX4, c = 1).
constexpr uint64_t operand_queue_threshold(Precision p, uint32_t queue_depth) {
  const uint64_t c = cycles_per_block(p);
  return c <= 1 ? 0 : (uint64_t(queue_depth) * c) / (c - 1);
}
// Operand-queue stall of one tile: (c-1)·min(max(0, K'-T0), max(0, d-T0)).
constexpr uint64_t operand_queue_stall_cycles(uint64_t kb, uint64_t skew, Precision p, uint32_t queue_depth) {
  const uint64_t c = cycles_per_block(p);
  if (c <= 1) return 0;
  const uint64_t t0 = operand_queue_threshold(p, queue_depth);
  const uint64_t over_k = kb > t0 ? kb - t0 : 0;
  const uint64_t over_d = skew > t0 ? skew - t0 : 0;
  return (c - 1) * (over_k < over_d ? over_k : over_d);
}

struct TileCycles {
  uint64_t compute = 0;      // K'·c
  uint64_t skew = 0;         // (R'-1)+(C'-1)
  uint64_t queue_stall = 0;  // operand-queue term (0 when disabled)
  uint64_t total() const { return compute + skew + queue_stall; }
};
TileCycles tile_cycles(uint64_t k, uint32_t tile_rows, uint32_t tile_cols, Precision p, bool queue_stalls,
                       uint32_t queue_depth = 16);

// Cycles of a whole GEMM on an SA of `sa_rows` rows and `cols` columns with ideal memory: the sum of its tiles
// (M on the columns, N on the rows, the last tile in each direction ragged).
struct GemmCycles {
  uint64_t tiles = 0;
  uint64_t compute = 0;      // Σ K'·c + skews: what the descriptor reports as compute_cycles
  uint64_t queue_stall = 0;  // Σ operand-queue terms
  uint64_t total() const { return compute + queue_stall; }
};
GemmCycles gemm_ideal_cycles(uint64_t m, uint64_t n, uint64_t k, uint32_t sa_rows, uint32_t cols, Precision p,
                             bool queue_stalls, uint32_t queue_depth = 16);

}  // namespace dacapo::acc
