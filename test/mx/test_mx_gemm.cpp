// MX matrices (precision-conversion units) and the MX GEMM against an independent reference built from
// decode() and per-block double sums (DESIGN.md §3.8).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "models/mx/matrix.h"

using namespace dacapo::mx;

namespace {

std::vector<float> random_matrix(std::mt19937_64& rng, size_t count, int base_exp, int spread) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_int_distribution<int> shift(0, spread);
  std::vector<float> v(count);
  for (auto& x : v) x = std::ldexp(normal(rng), base_exp - shift(rng));
  return v;
}

// Dequantized K-vector v of an MxMatrix, zero-padded to whole blocks, via decode().
std::vector<float> decoded_vector(const MxMatrix& m, int v) {
  std::vector<float> out(size_t(m.k_blocks()) * kBlock);
  for (int j = 0; j < m.k_blocks(); ++j) decode(m.block(v, j), m.format, &out[size_t(j) * kBlock]);
  return out;
}

// Reference: for each (i, n), per block the double sum of products of decoded values (exact: one block pair's
// products are ≤ 14-bit integers over 3 adjacent powers of two), rounded to float, accumulated in float.
std::vector<float> reference_gemm(const MxMatrix& a, const MxMatrix& b, const std::vector<float>& c_init,
                                  bool accumulate) {
  const int M = a.rows, N = b.cols, KB = a.k_blocks();
  std::vector<std::vector<float>> rows, cols;
  for (int i = 0; i < M; ++i) rows.push_back(decoded_vector(a, i));
  for (int n = 0; n < N; ++n) cols.push_back(decoded_vector(b, n));
  std::vector<float> c(size_t(M) * size_t(N));
  for (int i = 0; i < M; ++i) {
    for (int n = 0; n < N; ++n) {
      float acc = accumulate ? c_init[size_t(i) * size_t(N) + size_t(n)] : 0.0f;
      for (int j = 0; j < KB; ++j) {
        double block_sum = 0.0;
        for (int e = j * kBlock; e < (j + 1) * kBlock; ++e)
          block_sum += double(rows[size_t(i)][size_t(e)]) * double(cols[size_t(n)][size_t(e)]);
        acc += float(block_sum);
      }
      c[size_t(i) * size_t(N) + size_t(n)] = acc;
    }
  }
  return c;
}

bool same_value(float x, float y) { return (std::isnan(x) && std::isnan(y)) || x == y; }

void check_gemm(const MxMatrix& a, const MxMatrix& b, std::mt19937_64& rng) {
  const int M = a.rows, N = b.cols;
  const auto c_init = random_matrix(rng, size_t(M) * size_t(N), 0, 4);
  for (bool accumulate : {false, true}) {
    const auto expected = reference_gemm(a, b, c_init, accumulate);
    for (GemmKernel kernel : {GemmKernel::Auto, GemmKernel::Portable}) {
      INFO("kernel " << to_string(resolve_kernel(kernel)) << " accumulate " << accumulate << " M=" << M
                     << " N=" << N << " K=" << a.cols << " " << to_string(a.format) << "x" << to_string(b.format));
      auto c = c_init;
      gemm(a, b, c.data(), N, accumulate, kernel);
      size_t mismatches = 0;
      for (size_t i = 0; i < c.size(); ++i) mismatches += same_value(c[i], expected[i]) ? 0 : 1;
      REQUIRE(mismatches == 0);
    }
  }
}

constexpr Format kFormats[] = {Format::MX4, Format::MX6, Format::MX9};
}  // namespace

TEST_CASE("to_mx/from_mx: odd shapes are padded to whole blocks, both orders and blockings", "[mx][matrix]") {
  std::mt19937_64 rng(5);
  const int rows = 5, cols = 37, ld_pad = 3;
  const auto dense = random_matrix(rng, size_t(rows) * size_t(cols), 2, 6);  // row-major, ld = cols
  // The same matrix column-major with a larger leading dimension.
  std::vector<float> colmajor(size_t(cols) * size_t(rows + ld_pad), -1.0f);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) colmajor[size_t(c) * size_t(rows + ld_pad) + size_t(r)] = dense[size_t(r) * cols + size_t(c)];

  for (Format f : kFormats) {
    // RowBlocks: each row is 37 values → 3 blocks, the last with 11 zeros of padding.
    const MxMatrix a = to_mx(dense.data(), rows, cols, cols, StorageOrder::RowMajor, Blocking::RowBlocks, f);
    CHECK(a.k_blocks() == 3);
    CHECK(a.bytes.size() == size_t(rows * 3 * packed_bytes(f)));
    const MxMatrix a2 = to_mx(colmajor.data(), rows, cols, rows + ld_pad, StorageOrder::ColMajor, Blocking::RowBlocks, f);
    CHECK(a2.bytes == a.bytes);
    for (int r = 0; r < rows; ++r) {
      for (int j = 0; j < 3; ++j) {
        float x[kBlock] = {};
        for (int i = 0; i < kBlock && j * kBlock + i < cols; ++i) x[i] = dense[size_t(r) * cols + size_t(j * kBlock + i)];
        REQUIRE(a.block(r, j) == encode(x, f));
      }
    }
    std::vector<float> back(size_t(rows) * size_t(cols));
    from_mx(a, back.data(), cols, StorageOrder::RowMajor);
    for (int r = 0; r < rows; ++r) {
      float x[kBlock] = {}, y[kBlock];
      for (int i = 0; i < kBlock && 32 + i < cols; ++i) x[i] = dense[size_t(r) * cols + size_t(32 + i)];
      quantize(x, f, y);
      for (int i = 0; 32 + i < cols; ++i) REQUIRE(back[size_t(r) * cols + size_t(32 + i)] == y[i]);
    }

    // ColumnBlocks over the transposed view: vector c = column c of the 5-row matrix → 1 block, 11 zeros.
    const MxMatrix b = to_mx(dense.data(), rows, cols, cols, StorageOrder::RowMajor, Blocking::ColumnBlocks, f);
    CHECK(b.vectors() == cols);
    CHECK(b.k_blocks() == 1);
    for (int c = 0; c < cols; ++c) {
      float x[kBlock] = {};
      for (int r = 0; r < rows; ++r) x[r] = dense[size_t(r) * cols + size_t(c)];
      REQUIRE(b.block(c, 0) == encode(x, f));
    }
    std::vector<float> back_cm(size_t(cols) * size_t(rows + ld_pad), -1.0f);
    from_mx(b, back_cm.data(), rows + ld_pad, StorageOrder::ColMajor);
    for (int c = 0; c < cols; ++c)
      for (int r = rows; r < rows + ld_pad; ++r) REQUIRE(back_cm[size_t(c) * size_t(rows + ld_pad) + size_t(r)] == -1.0f);
  }
  CHECK_THROWS_AS(to_mx(dense.data(), rows, cols, cols - 1, StorageOrder::RowMajor, Blocking::RowBlocks, Format::MX9),
                  std::invalid_argument);
}

TEST_CASE("MX GEMM equals the decode-based reference bit for bit (all format pairs, odd shapes)", "[mx][gemm]") {
  std::mt19937_64 rng(9);
  const int shapes[][3] = {{1, 1, 1}, {7, 45, 50}, {13, 33, 16}, {6, 64, 300}, {19, 70, 129}};
  for (Format fa : kFormats) {
    for (Format fb : kFormats) {
      for (const auto& s : shapes) {
        const int M = s[0], N = s[1], K = s[2];
        const auto av = random_matrix(rng, size_t(M) * size_t(K), 0, 10);
        const auto bv = random_matrix(rng, size_t(K) * size_t(N), -3, 10);
        const MxMatrix a = to_mx(av.data(), M, K, K, StorageOrder::RowMajor, Blocking::RowBlocks, fa);
        const MxMatrix b = to_mx(bv.data(), K, N, N, StorageOrder::RowMajor, Blocking::ColumnBlocks, fb);
        check_gemm(a, b, rng);
      }
    }
  }
}

TEST_CASE("MX GEMM: subnormal and huge block results, NaN blocks", "[mx][gemm]") {
  std::mt19937_64 rng(21);
  const int M = 9, N = 40, K = 80;
  // Tiny operands: block products near 2^-140 round in FP32's subnormal range; huge ones reach 2^120.
  for (int base : {-68, -75, 60}) {
    auto av = random_matrix(rng, size_t(M) * size_t(K), base, 20);
    auto bv = random_matrix(rng, size_t(K) * size_t(N), base, 20);
    av[3 * K + 20] = std::numeric_limits<float>::quiet_NaN();  // row 3, block 1
    bv[50 * N + 7] = std::numeric_limits<float>::infinity();   // column 7, block 3
    ConversionStats stats;
    const MxMatrix a = to_mx(av.data(), M, K, K, StorageOrder::RowMajor, Blocking::RowBlocks, Format::MX9, &stats);
    const MxMatrix b = to_mx(bv.data(), K, N, N, StorageOrder::RowMajor, Blocking::ColumnBlocks, Format::MX6, &stats);
    CHECK(stats.nan_blocks == 2);
    CHECK(stats.blocks == uint64_t(M * 5 + N * 5));
    check_gemm(a, b, rng);
    std::vector<float> c(size_t(M) * size_t(N));
    gemm(a, b, c.data(), N);
    for (int n = 0; n < N; ++n) CHECK(std::isnan(c[size_t(3 * N + n)]));
    for (int i = 0; i < M; ++i) CHECK(std::isnan(c[size_t(i * N + 7)]));
    CHECK_FALSE(std::isnan(c[0]));
  }
}

TEST_CASE("MX GEMM: shape checks and leading dimension of C", "[mx][gemm]") {
  std::mt19937_64 rng(2);
  const auto av = random_matrix(rng, 4 * 20, 0, 3);
  const auto bv = random_matrix(rng, 20 * 3, 0, 3);
  const MxMatrix a = to_mx(av.data(), 4, 20, 20, StorageOrder::RowMajor, Blocking::RowBlocks, Format::MX6);
  const MxMatrix b = to_mx(bv.data(), 20, 3, 3, StorageOrder::RowMajor, Blocking::ColumnBlocks, Format::MX9);
  const MxMatrix wrong = to_mx(bv.data(), 20, 3, 3, StorageOrder::RowMajor, Blocking::RowBlocks, Format::MX9);
  std::vector<float> c(4 * 5, 123.0f);
  CHECK_THROWS_AS(gemm(a, wrong, c.data(), 5), std::invalid_argument);
  CHECK_THROWS_AS(gemm(b, a, c.data(), 5), std::invalid_argument);
  CHECK_THROWS_AS(gemm(a, b, c.data(), 2), std::invalid_argument);
  gemm(a, b, c.data(), 5);
  for (int i = 0; i < 4; ++i) {
    for (int n = 0; n < 3; ++n) {
      const std::array<Block, 2> row{a.block(i, 0), a.block(i, 1)}, col{b.block(n, 0), b.block(n, 1)};
      CHECK(c[size_t(i * 5 + n)] == dot(row.data(), Format::MX6, col.data(), Format::MX9, 2));
    }
    CHECK(c[size_t(i * 5 + 3)] == 123.0f);  // columns beyond N untouched
    CHECK(c[size_t(i * 5 + 4)] == 123.0f);
  }
}
