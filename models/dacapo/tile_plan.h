// Tiling and SRAM planning of one GEMM on one SA (pure C++).
//
// Output-stationary dataflow: the GEMM is cut into tiles of up to `cols` M values (array columns) x `sa_rows` N
// values (the SA's rows). K streams through in chunks of K blocks; a chunk of A (cols x chunk blocks) and of B
// (sa_rows x chunk blocks), in the SA's MX precision, must fit in half of the input / weight buffer (the other
// half is being filled by the DMA: double buffering). The loop order (M groups outer or N groups outer) is the one
// with less DRAM traffic; an operand panel that fits stays resident and is not re-fetched:
//  - the operand of the outer loop is reused across the inner tiles when its panel (whole K of one group) fits in
//    its whole buffer ("group resident"; with more than one chunk the next group's panel is loaded only after
//    the group's last tile has finished with the buffer);
//  - the operand of the inner loop is fetched once per job when all of it fits in its buffer, else per tile.
// Row-major MX results need 16 consecutive N values per block, so they force M groups outer.
#pragma once

#include <cstdint>

#include "models/dacapo/acc_config.h"
#include "models/dacapo/operand_io.h"
#include "models/dacapo/tile_timing.h"

namespace dacapo::acc {

struct TilePlan {
  uint32_t sa_rows = 0, cols = 0;
  uint64_t m_groups = 0, n_groups = 0;  // tiles along M and N
  uint64_t k_blocks = 0;                // K' = ceil(K/16)
  uint64_t chunk_blocks = 0;            // K blocks per chunk (<= K')
  uint64_t chunks = 0;                  // chunks per tile
  bool m_outer = true;                  // for m-group { for n-group } (else n outer)
  bool inner_resident = false;          // the inner-loop operand is fetched once per job
  bool outer_resident = false;          // the outer-loop operand's panel stays for all inner tiles of its group
  uint32_t block_bytes = 0;             // SRAM bytes of one MX block at the SA precision
  uint64_t est_operand_bytes = 0;       // operand bytes the DMA brings into SRAM for the chosen order

  uint64_t tiles() const { return m_groups * n_groups; }
  // Tile t (0 .. tiles-1) in execution order → its M and N group.
  void tile_groups(uint64_t t, uint64_t& mg, uint64_t& ng) const {
    if (m_outer) {
      mg = t / n_groups;
      ng = t % n_groups;
    } else {
      ng = t / m_groups;
      mg = t % m_groups;
    }
  }
};

TilePlan plan_tiles(uint64_t m, uint64_t n, uint64_t k, uint32_t sa_rows, uint32_t cols, Precision p,
                    const SramSplit& sram, bool force_m_outer);

}  // namespace dacapo::acc
