// Tensors in DRAM for the firmware's NN code: a 2-D matrix view (rows × cols, FP32 or packed MX, row- or
// column-major) with its descriptor format byte, an allocator over the driver's DramArena, and host-side
// FP32 read/write through the Hal. Plain C++17.
//
// Layout (dacapo_regs.h, "Element formats"):
//  FP32 row-major:    element (i, j) at addr + i·ld + 4·j
//  FP32 column-major: element (i, j) at addr + j·ld + 4·i
//  MX row-major:      blocks of 16 along j; row i's blocks are contiguous at addr + i·ld
//  MX column-major:   blocks of 16 along i; column j's blocks are contiguous at addr + j·ld
// ld is in bytes. Activation tensors of a batch are FP32 row-major [B·h·w × c] = B images in HWC order.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "firmware/driver/dram_arena.h"
#include "firmware/hal/dacapo_regs.h"
#include "firmware/hal/hal.h"

namespace dacapo::nn {

// Every error of the NN layer (bad model definition, bad inputs, failed accelerator job, arena exhausted).
class NnError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Tensor {
  uint64_t addr = 0;
  uint32_t rows = 0, cols = 0;
  regs::ElemFormat format = regs::ElemFormat::FP32;
  bool col_major = false;
  uint32_t ld = 0;  // bytes between consecutive rows (row-major) or columns (column-major)

  bool is_mx() const { return format != regs::ElemFormat::FP32; }
  uint64_t elements() const { return uint64_t(rows) * cols; }
  // Bytes spanned in DRAM.
  uint64_t bytes() const { return uint64_t(col_major ? cols : rows) * ld; }
  // The descriptor's format byte (ElemFormat | kColMajor).
  uint8_t desc_format() const {
    return static_cast<uint8_t>(static_cast<uint8_t>(format) | (col_major ? regs::kColMajor : 0));
  }
  // Address of FP32 element (i, j) (FP32 tensors only).
  uint64_t at(uint32_t i, uint32_t j) const {
    return col_major ? addr + uint64_t(j) * ld + 4ull * i : addr + uint64_t(i) * ld + 4ull * j;
  }
  // The same bytes seen as the transposed matrix (cols × rows, the other storage order).
  Tensor transposed() const {
    Tensor t = *this;
    t.rows = cols;
    t.cols = rows;
    t.col_major = !col_major;
    return t;
  }
};

// Bytes of one vector (row or column) of `length` values in `format`, as the allocator lays it out.
uint32_t vector_bytes(regs::ElemFormat format, uint32_t length);

// Allocates tensors from a DramArena (a bump allocator: tensors live until the arena is reset). Every tensor is
// 64-byte aligned (a DRAM burst), which also satisfies the accelerator's element/block alignment.
class TensorAllocator {
 public:
  explicit TensorAllocator(fw::DramArena& arena) : arena_(arena) {}
  // A rows × cols tensor; MX tensors are blocked along the stored vector (row-major: along cols).
  Tensor alloc(uint32_t rows, uint32_t cols, regs::ElemFormat format = regs::ElemFormat::FP32,
               bool col_major = false);
  Tensor fp32(uint32_t rows, uint32_t cols) { return alloc(rows, cols); }
  uint64_t used() const { return arena_.used(); }

 private:
  fw::DramArena& arena_;
};

// Host access to FP32 tensors through the bus (Hal::mem_read/mem_write). `values` is row-major rows × cols.
// Throws NnError for MX tensors or a size mismatch.
void write_fp32(fw::Hal& hal, const Tensor& t, const float* values, size_t count);
void write_fp32(fw::Hal& hal, const Tensor& t, const std::vector<float>& values);
std::vector<float> read_fp32(fw::Hal& hal, const Tensor& t);

}  // namespace dacapo::nn
