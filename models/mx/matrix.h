// MX matrices and the MX GEMM (DESIGN.md §3): what the precision-conversion units produce (FP32 → packed MX
// blocks along the reduction axis) and what a grid of DPEs computes from them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/mx/mx.h"

namespace dacapo::mx {

// Element order of an FP32 matrix in memory; `ld` is the distance between consecutive rows (row-major) or
// columns (column-major), in elements.
enum class StorageOrder : uint8_t { RowMajor, ColMajor };

// Which way the 16-value blocks run (always along the GEMM reduction axis K).
//  RowBlocks:    each row is cut into blocks of 16 consecutive columns — the A operand A[M×K] (K = cols).
//  ColumnBlocks: each column is cut into blocks of 16 consecutive rows — the B operand B[K×N] (K = rows).
// A "vector" is one row (RowBlocks) or one column (ColumnBlocks). A short last block is padded with zeros.
enum class Blocking : uint8_t { RowBlocks, ColumnBlocks };

// A packed MX matrix. Blocks are stored vector after vector, each vector's blocks in K order:
// block (v, j) starts at byte (v · k_blocks() + j) · packed_bytes(format).
struct MxMatrix {
  Format format = Format::MX9;
  Blocking blocking = Blocking::RowBlocks;
  int rows = 0;
  int cols = 0;
  std::vector<uint8_t> bytes;

  int vectors() const { return blocking == Blocking::RowBlocks ? rows : cols; }
  int reduction_length() const { return blocking == Blocking::RowBlocks ? cols : rows; }
  int k_blocks() const { return (reduction_length() + kBlock - 1) / kBlock; }
  size_t block_offset(int vector, int block) const {
    return (size_t(vector) * size_t(k_blocks()) + size_t(block)) * size_t(packed_bytes(format));
  }
  Block block(int vector, int block_index) const { return unpack(bytes.data() + block_offset(vector, block_index), format); }
};

// FP32 matrix (rows × cols, given order and leading dimension) → packed MX matrix. Throws std::invalid_argument
// on negative sizes or ld smaller than the stored dimension. The rounder is advanced block by block in storage
// order (vector-major), so stochastic results depend only on the seed and the shapes.
MxMatrix to_mx(const float* src, int rows, int cols, int ld, StorageOrder order, Blocking blocking, Format f,
               ConversionStats* stats = nullptr);
MxMatrix to_mx(const float* src, int rows, int cols, int ld, StorageOrder order, Blocking blocking, Format f,
               Rounder& rounder, ConversionStats* stats = nullptr);

// Packed MX matrix → FP32 (dequantized values; the zero padding is dropped).
void from_mx(const MxMatrix& m, float* dst, int ld, StorageOrder order);

// Which GEMM inner kernel to use. Both give bit-identical results; Portable exists for machines without
// AVX-512 VNNI and so that tests can check one against the other.
enum class GemmKernel : uint8_t { Auto, Portable, Avx512Vnni };
const char* to_string(GemmKernel k);
GemmKernel resolve_kernel(GemmKernel requested);  // Auto → the best one this CPU supports

// C[M×N] (row-major, leading dimension ldc) = A·B, or C += A·B with accumulate = true, where A is M×K in
// RowBlocks and B is K×N in ColumnBlocks (any formats). For every (m, n) this is exactly what a DPE computes:
// acc = (accumulate ? C[m][n] : 0); for j in 0..K/16−1: acc = fp32(acc + block_dot(A block (m, j), B block (n, j))).
// Throws std::invalid_argument on mismatched shapes or blockings.
void gemm(const MxMatrix& a, const MxMatrix& b, float* c, int ldc, bool accumulate = false,
          GemmKernel kernel = GemmKernel::Auto);

// The same on raw packed operands: a holds m vectors of k_blocks packed blocks each (vector-major, as in
// MxMatrix), b holds n vectors; C is row-major m × n with leading dimension ldc.
void gemm_packed(const uint8_t* a, Format fa, int m, const uint8_t* b, Format fb, int n, int k_blocks, float* c,
                 int ldc, bool accumulate = false, GemmKernel kernel = GemmKernel::Auto);

}  // namespace dacapo::mx
