#include "models/dacapo/tile_timing.h"

namespace dacapo::acc {

TileCycles tile_cycles(uint64_t k, uint32_t tile_rows, uint32_t tile_cols, Precision p, bool queue_stalls,
                       uint32_t queue_depth) {
  TileCycles t;
  const uint64_t kb = k_blocks(k);
  t.compute = tile_compute_cycles(kb, p);
  t.skew = tile_skew_cycles(tile_rows, tile_cols);
  t.queue_stall = queue_stalls ? operand_queue_stall_cycles(kb, t.skew, p, queue_depth) : 0;
  return t;
}

GemmCycles gemm_ideal_cycles(uint64_t m, uint64_t n, uint64_t k, uint32_t sa_rows, uint32_t cols, Precision p,
                             bool queue_stalls, uint32_t queue_depth) {
  GemmCycles g;
  // Tiles come in at most 2 x 2 distinct shapes (full / ragged in each direction): count each shape once.
  const uint64_t full_n = n / sa_rows, full_m = m / cols;
  const uint32_t rag_n = static_cast<uint32_t>(n % sa_rows), rag_m = static_cast<uint32_t>(m % cols);
  const struct {
    uint64_t count;
    uint32_t r, c;
  } shapes[4] = {{full_n * full_m, sa_rows, cols},
                 {full_n * (rag_m ? 1 : 0), sa_rows, rag_m},
                 {(rag_n ? 1 : 0) * full_m, rag_n, cols},
                 {(rag_n && rag_m) ? 1u : 0u, rag_n, rag_m}};
  for (const auto& s : shapes) {
    if (s.count == 0) continue;
    const TileCycles t = tile_cycles(k, s.r, s.c, p, queue_stalls, queue_depth);
    g.tiles += s.count;
    g.compute += s.count * (t.compute + t.skew);
    g.queue_stall += s.count * t.queue_stall;
  }
  return g;
}

}  // namespace dacapo::acc
