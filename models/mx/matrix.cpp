#include "models/mx/matrix.h"

#include <stdexcept>
#include <string>

namespace dacapo::mx {
namespace {

void check_shape(int rows, int cols, int ld, StorageOrder order) {
  if (rows < 0 || cols < 0)
    throw std::invalid_argument("MX matrix: negative size " + std::to_string(rows) + "x" + std::to_string(cols));
  const int needed = order == StorageOrder::RowMajor ? cols : rows;
  if (ld < needed || ld < 1)
    throw std::invalid_argument("MX matrix: leading dimension " + std::to_string(ld) + " is smaller than " +
                                std::to_string(needed));
}

size_t element_index(int r, int c, int ld, StorageOrder order) {
  return order == StorageOrder::RowMajor ? size_t(r) * size_t(ld) + size_t(c) : size_t(c) * size_t(ld) + size_t(r);
}

}  // namespace

MxMatrix to_mx(const float* src, int rows, int cols, int ld, StorageOrder order, Blocking blocking, Format f,
               ConversionStats* stats) {
  Rounder truncate = Rounder::truncate();
  return to_mx(src, rows, cols, ld, order, blocking, f, truncate, stats);
}

MxMatrix to_mx(const float* src, int rows, int cols, int ld, StorageOrder order, Blocking blocking, Format f,
               Rounder& rounder, ConversionStats* stats) {
  check_shape(rows, cols, ld, order);
  MxMatrix out;
  out.format = f;
  out.blocking = blocking;
  out.rows = rows;
  out.cols = cols;
  const int n_vectors = out.vectors();
  const int length = out.reduction_length();
  const int n_blocks = out.k_blocks();
  out.bytes.assign(size_t(n_vectors) * size_t(n_blocks) * size_t(packed_bytes(f)), 0);
  float x[kBlock];
  for (int v = 0; v < n_vectors; ++v) {
    for (int j = 0; j < n_blocks; ++j) {
      for (int i = 0; i < kBlock; ++i) {
        const int k = j * kBlock + i;
        if (k >= length) {
          x[i] = 0.0f;  // padding of a short last block
        } else {
          const int r = blocking == Blocking::RowBlocks ? v : k;
          const int c = blocking == Blocking::RowBlocks ? k : v;
          x[i] = src[element_index(r, c, ld, order)];
        }
      }
      pack(encode(x, f, rounder, stats), f, out.bytes.data() + out.block_offset(v, j));
    }
  }
  return out;
}

void from_mx(const MxMatrix& m, float* dst, int ld, StorageOrder order) {
  check_shape(m.rows, m.cols, ld, order);
  const int length = m.reduction_length();
  float y[kBlock];
  for (int v = 0; v < m.vectors(); ++v) {
    for (int j = 0; j < m.k_blocks(); ++j) {
      decode(m.block(v, j), m.format, y);
      for (int i = 0; i < kBlock && j * kBlock + i < length; ++i) {
        const int k = j * kBlock + i;
        const int r = m.blocking == Blocking::RowBlocks ? v : k;
        const int c = m.blocking == Blocking::RowBlocks ? k : v;
        dst[element_index(r, c, ld, order)] = y[i];
      }
    }
  }
}

void gemm(const MxMatrix& a, const MxMatrix& b, float* c, int ldc, bool accumulate, GemmKernel kernel) {
  if (a.blocking != Blocking::RowBlocks || b.blocking != Blocking::ColumnBlocks)
    throw std::invalid_argument("MX GEMM: A must be in RowBlocks and B in ColumnBlocks (blocks along K)");
  if (a.cols != b.rows)
    throw std::invalid_argument("MX GEMM: inner dimensions differ: A is " + std::to_string(a.rows) + "x" +
                                std::to_string(a.cols) + ", B is " + std::to_string(b.rows) + "x" +
                                std::to_string(b.cols));
  if (ldc < b.cols || ldc < 1)
    throw std::invalid_argument("MX GEMM: ldc " + std::to_string(ldc) + " is smaller than N = " +
                                std::to_string(b.cols));
  gemm_packed(a.bytes.data(), a.format, a.rows, b.bytes.data(), b.format, b.cols, a.k_blocks(), c, ldc, accumulate,
              kernel);
}

}  // namespace dacapo::mx
