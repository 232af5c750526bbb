#include "models/dacapo/tile_plan.h"

#include <algorithm>

namespace dacapo::acc {

TilePlan plan_tiles(uint64_t m, uint64_t n, uint64_t k, uint32_t sa_rows, uint32_t cols, Precision p,
                    const SramSplit& sram, bool force_m_outer) {
  TilePlan t;
  t.sa_rows = sa_rows;
  t.cols = cols;
  t.m_groups = (m + cols - 1) / cols;
  t.n_groups = (n + sa_rows - 1) / sa_rows;
  t.k_blocks = k_blocks(k);
  t.block_bytes = regs::mx_block_bytes(to_elem(p));
  // SRAM bytes of one K block of a tile's A (its columns) and B (its rows); a GEMM smaller than the array uses
  // only part of it.
  const uint64_t a_col = std::min<uint64_t>(cols, m) * t.block_bytes;
  const uint64_t b_row = std::min<uint64_t>(sa_rows, n) * t.block_bytes;
  const uint64_t by_input = (sram.input / 2) / a_col, by_weight = (sram.weight / 2) / b_row;
  t.chunk_blocks = std::max<uint64_t>(1, std::min({t.k_blocks, by_input, by_weight}));
  t.chunks = (t.k_blocks + t.chunk_blocks - 1) / t.chunk_blocks;

  const uint64_t a_bytes = m * t.k_blocks * t.block_bytes, b_bytes = n * t.k_blocks * t.block_bytes;
  // M outer: the A panel of an M group is reused across the N tiles if it fits the input buffer; B is fetched
  // once per job if all of it fits the weight buffer, else once per M group. N outer: the mirror image.
  const bool a_panel = a_col * t.k_blocks <= sram.input, b_panel = b_row * t.k_blocks <= sram.weight;
  const bool a_fits = a_bytes <= sram.input, b_fits = b_bytes <= sram.weight;
  const uint64_t m_outer_bytes = a_bytes * (a_panel ? 1 : t.n_groups) + b_bytes * (b_fits ? 1 : t.m_groups);
  const uint64_t n_outer_bytes = b_bytes * (b_panel ? 1 : t.m_groups) + a_bytes * (a_fits ? 1 : t.n_groups);
  t.m_outer = force_m_outer || m_outer_bytes <= n_outer_bytes;
  t.inner_resident = t.m_outer ? b_fits : a_fits;
  t.outer_resident = t.m_outer ? a_panel : b_panel;
  t.est_operand_bytes = t.m_outer ? m_outer_bytes : n_outer_bytes;
  return t;
}

}  // namespace dacapo::acc
