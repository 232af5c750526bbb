// Operand placement and reference results for accelerator GEMM tests. References come from the MX library
// (models/mx: to_mx + gemm), computed independently of the accelerator's memif/PCU/row code.
#pragma once

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "acc_testbench.h"
#include "models/mx/matrix.h"
#include "models/mx/mx.h"

namespace dacapo::acc::test {

inline std::vector<float> random_matrix(size_t count, uint64_t seed, bool positive = false) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_int_distribution<int> exp(-6, 4);
  std::vector<float> v(count);
  for (float& x : v) {
    x = std::ldexp(normal(rng), exp(rng));
    if (positive) x = std::fabs(x);
  }
  return v;
}

inline mx::Format mx_of(regs::Precision p) {
  return p == regs::Precision::MX4 ? mx::Format::MX4 : p == regs::Precision::MX6 ? mx::Format::MX6 : mx::Format::MX9;
}
inline uint8_t elem_of(mx::Format f) {
  return f == mx::Format::MX4 ? uint8_t(regs::ElemFormat::MX4)
         : f == mx::Format::MX6 ? uint8_t(regs::ElemFormat::MX6)
                                : uint8_t(regs::ElemFormat::MX9);
}

// Places A (M x K, given row-major in `a`) in DRAM in the requested format; sets a_addr/lda/a_format.
// Strides get `pad` spare bytes per line so that ld != line length is exercised.
inline void place_a(System& sys, regs::Descriptor& d, const std::vector<float>& a, int m, int k, uint8_t format,
                    uint32_t pad = 8) {
  d.a_format = format;
  if ((format & regs::kFormatMask) == 0) {
    const bool col = format & regs::kColMajor;
    const uint32_t line = 4u * (col ? m : k), lines = col ? k : m;
    d.lda = line + pad;
    d.a_addr = sys.alloc(uint64_t(d.lda) * lines);
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < k; ++j) {
        const uint64_t at = col ? uint64_t(j) * d.lda + 4u * i : uint64_t(i) * d.lda + 4u * j;
        sys.put(d.a_addr + at, &a[size_t(i) * k + j], 4);
      }
    return;
  }
  const mx::Format f = static_cast<mx::Format>((format & regs::kFormatMask) - 1);
  const mx::MxMatrix q = mx::to_mx(a.data(), m, k, k, mx::StorageOrder::RowMajor, mx::Blocking::RowBlocks, f);
  const uint32_t line = uint32_t(q.k_blocks()) * mx::packed_bytes(f);
  d.lda = line + 2 * pad;
  d.a_addr = sys.alloc(uint64_t(d.lda) * m);
  for (int i = 0; i < m; ++i) sys.put(d.a_addr + uint64_t(i) * d.lda, q.bytes.data() + q.block_offset(i, 0), line);
}

// Places B (K x N, given row-major in `b`); sets b_addr/ldb/b_format.
inline void place_b(System& sys, regs::Descriptor& d, const std::vector<float>& b, int k, int n, uint8_t format,
                    uint32_t pad = 12) {
  d.b_format = format;
  if ((format & regs::kFormatMask) == 0) {
    const bool col = format & regs::kColMajor;
    const uint32_t line = 4u * (col ? k : n), lines = col ? n : k;
    d.ldb = line + pad;
    d.b_addr = sys.alloc(uint64_t(d.ldb) * lines);
    for (int i = 0; i < k; ++i)
      for (int j = 0; j < n; ++j) {
        const uint64_t at = col ? uint64_t(j) * d.ldb + 4u * i : uint64_t(i) * d.ldb + 4u * j;
        sys.put(d.b_addr + at, &b[size_t(i) * n + j], 4);
      }
    return;
  }
  const mx::Format f = static_cast<mx::Format>((format & regs::kFormatMask) - 1);
  const mx::MxMatrix q = mx::to_mx(b.data(), k, n, n, mx::StorageOrder::RowMajor, mx::Blocking::ColumnBlocks, f);
  const uint32_t line = uint32_t(q.k_blocks()) * mx::packed_bytes(f);
  d.ldb = line + 2 * pad;
  d.b_addr = sys.alloc(uint64_t(d.ldb) * n);
  for (int j = 0; j < n; ++j) sys.put(d.b_addr + uint64_t(j) * d.ldb, q.bytes.data() + q.block_offset(j, 0), line);
}

// Allocates C in the requested format (FP32 initial contents `init` if given); sets c_addr/ldc/c_format.
inline void place_c(System& sys, regs::Descriptor& d, int m, int n, uint8_t format, const std::vector<float>* init = nullptr) {
  d.c_format = format;
  const bool col = format & regs::kColMajor;
  if ((format & regs::kFormatMask) == 0) {
    d.ldc = 4u * (col ? m : n) + 4;
    d.c_addr = sys.alloc(uint64_t(d.ldc) * (col ? n : m));
    if (init)
      for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j)
          sys.put(d.c_addr + (col ? uint64_t(j) * d.ldc + 4u * i : uint64_t(i) * d.ldc + 4u * j), &(*init)[size_t(i) * n + j], 4);
    return;
  }
  const int bb = mx::packed_bytes(static_cast<mx::Format>((format & regs::kFormatMask) - 1));
  d.ldc = uint32_t(((col ? m : n) + 15) / 16 * bb + bb);  // one spare block per line
  d.c_addr = sys.alloc(uint64_t(d.ldc) * (col ? n : m));
}

// Reference C (row-major FP32) = epilogue(init + quantized A · quantized B) computed with mx::gemm.
inline std::vector<float> reference(const std::vector<float>& a, const std::vector<float>& b, int m, int n, int k,
                                    regs::Precision p, const std::vector<float>* init = nullptr,
                                    const std::vector<float>* bias = nullptr, bool relu = false) {
  const mx::Format f = mx_of(p);
  const mx::MxMatrix qa = mx::to_mx(a.data(), m, k, k, mx::StorageOrder::RowMajor, mx::Blocking::RowBlocks, f);
  const mx::MxMatrix qb = mx::to_mx(b.data(), k, n, n, mx::StorageOrder::RowMajor, mx::Blocking::ColumnBlocks, f);
  std::vector<float> c = init ? *init : std::vector<float>(size_t(m) * n, 0.0f);
  mx::gemm(qa, qb, c.data(), n, init != nullptr);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      float& v = c[size_t(i) * n + j];
      if (bias) v = v + (*bias)[j];
      if (relu && v < 0.0f) v = 0.0f;
    }
  return c;
}

// Number of C elements (or packed MX bytes) that differ from the reference.
inline size_t compare_c(System& sys, const regs::Descriptor& d, const std::vector<float>& ref, int m, int n) {
  const bool col = d.c_format & regs::kColMajor;
  size_t bad = 0;
  if ((d.c_format & regs::kFormatMask) == 0) {
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        float v;
        sys.get(d.c_addr + (col ? uint64_t(j) * d.ldc + 4u * i : uint64_t(i) * d.ldc + 4u * j), &v, 4);
        uint32_t x, y;
        std::memcpy(&x, &v, 4);
        std::memcpy(&y, &ref[size_t(i) * n + j], 4);
        bad += x != y;
      }
    return bad;
  }
  const mx::Format f = static_cast<mx::Format>((d.c_format & regs::kFormatMask) - 1);
  const mx::MxMatrix q = mx::to_mx(ref.data(), m, n, n, mx::StorageOrder::RowMajor,
                                   col ? mx::Blocking::ColumnBlocks : mx::Blocking::RowBlocks, f);
  const uint32_t line = uint32_t(q.k_blocks()) * mx::packed_bytes(f);
  std::vector<uint8_t> got(line);
  for (int v = 0; v < q.vectors(); ++v) {
    sys.get(d.c_addr + uint64_t(v) * d.ldc, got.data(), line);
    bad += std::memcmp(got.data(), q.bytes.data() + q.block_offset(v, 0), line) != 0;
  }
  return bad;
}

}  // namespace dacapo::acc::test
