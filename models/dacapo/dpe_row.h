// One row of 16 DPEs. The row belongs to T-SA or B-SA per PARTITION and computes at its owner's precision.
//
// Functional mode: the owning SA controller sends the row one K chunk of a tile through `work_socket` (a
// RowWork in the payload's data pointer); each DPE of the row reduces its column's A blocks with the row's B
// blocks exactly (mx::dot, FP32 accumulate). Timing is the controller's (per tile, DESIGN.md §2), so the row
// adds no delay. A request from the SA that does not own the row is answered with TLM_COMMAND_ERROR_RESPONSE.
// Trace signals: owner (0 = T-SA, 1 = B-SA), busy, precision.
#pragma once

#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "models/mx/mx.h"

namespace dacapo::acc {

// One K chunk of one tile row: for each column c < cols: acc[c] = dot(a[c*blocks ..], b[0 .. blocks], acc[c]).
// The operands are the SRAM blocks in the integer form of mx::DotBlock (converted once when a chunk is loaded,
// in the SA's precision), which gives exactly mx::dot's result on the blocks.
struct RowWork {
  const mx::DotBlock* a = nullptr;  // cols x blocks, column-major by tile column
  const mx::DotBlock* b = nullptr;  // blocks (this row's N index)
  float* acc = nullptr;             // cols accumulators
  uint32_t cols = 0;
  uint32_t blocks = 0;
  uint32_t sa = 0;                  // requesting SA
};

class DpeRow : public sc_core::sc_module {
 public:
  // Bound to both SA controllers (index 0 = T-SA, 1 = B-SA).
  tlm_utils::multi_passthrough_target_socket<DpeRow> work_socket;
  sc_core::sc_in<uint32_t> partition_in;
  sc_core::sc_in<uint32_t> top_precision_in, bottom_precision_in;
  sc_core::sc_in<uint32_t> top_busy_rows_in, bottom_busy_rows_in;  // bit i = row i is computing

  // Trace signals.
  sc_core::sc_signal<uint32_t> owner;
  sc_core::sc_signal<bool> busy;
  sc_core::sc_signal<uint32_t> precision;

  DpeRow(sc_core::sc_module_name name, unsigned index);
  void trace(sc_core::sc_trace_file* tf) const;

 private:
  void b_transport(int from, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void update();
  unsigned owner_of(uint32_t partition) const { return index_ < partition ? 0u : 1u; }
  const unsigned index_;
};

}  // namespace dacapo::acc
