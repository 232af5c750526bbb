// gemm_selftest firmware against the accelerator fake. The fake's compute hook plays the accelerator: it reads the
// operands the firmware wrote, converts FP32 operands like the PCU, multiplies with the MX library, applies the
// epilogue and writes C. The self-test must pass on a correct device and fail on a faulty one.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <tuple>
#include <vector>

#include "firmware/apps/gemm_selftest.h"
#include "firmware/hal/fake_accelerator.h"
#include "firmware/hal/fake_board.h"
#include "firmware/hal/soc_map.h"
#include "models/mx/matrix.h"

using namespace dacapo;
using namespace dacapo::fw;

namespace {

mx::Format to_mx_format(regs::Precision p) {
  return p == regs::Precision::MX4 ? mx::Format::MX4 : p == regs::Precision::MX6 ? mx::Format::MX6 : mx::Format::MX9;
}

// Operand as an MxMatrix blocked along K, whatever its format in memory.
mx::MxMatrix load_operand(FakeBoard& board, uint64_t addr, uint8_t format, uint32_t ld, int rows, int cols,
                          bool is_a, mx::Format f) {
  const auto ef = static_cast<regs::ElemFormat>(format & regs::kFormatMask);
  const mx::Blocking blocking = is_a ? mx::Blocking::RowBlocks : mx::Blocking::ColumnBlocks;
  if (ef == regs::ElemFormat::FP32) {
    const bool col_major = format & regs::kColMajor;
    const int vectors = col_major ? cols : rows, len = col_major ? rows : cols;
    std::vector<float> v(size_t(vectors) * len);
    for (int i = 0; i < vectors; ++i) board.dram_read(addr + uint64_t(i) * ld, v.data() + size_t(i) * len, 4ull * len);
    return mx::to_mx(v.data(), rows, cols, len, col_major ? mx::StorageOrder::ColMajor : mx::StorageOrder::RowMajor,
                     blocking, f);
  }
  mx::MxMatrix m;
  m.format = f;
  m.blocking = blocking;
  m.rows = rows;
  m.cols = cols;
  const size_t vec_bytes = size_t(m.k_blocks()) * mx::packed_bytes(f);
  m.bytes.resize(size_t(m.vectors()) * vec_bytes);
  for (int i = 0; i < m.vectors(); ++i) board.dram_read(addr + uint64_t(i) * ld, m.bytes.data() + i * vec_bytes, vec_bytes);
  return m;
}

void reference_accelerator(const regs::Descriptor& d, regs::Precision p, FakeBoard& board) {
  const mx::Format f = to_mx_format(p);
  const mx::MxMatrix a = load_operand(board, d.a_addr, d.a_format, d.lda, int(d.m), int(d.k), true, f);
  const mx::MxMatrix b = load_operand(board, d.b_addr, d.b_format, d.ldb, int(d.k), int(d.n), false, f);
  std::vector<float> c(size_t(d.m) * d.n, 0.0f);
  const bool acc = d.flags & regs::kFlagAccumulate;
  if (acc)
    for (uint32_t i = 0; i < d.m; ++i) board.dram_read(d.c_addr + uint64_t(i) * d.ldc, c.data() + size_t(i) * d.n, 4ull * d.n);
  mx::gemm(a, b, c.data(), int(d.n), acc);
  std::vector<float> bias(d.n, 0.0f);
  if (d.flags & regs::kFlagBias) board.dram_read(d.bias_addr, bias.data(), 4ull * d.n);
  for (uint32_t i = 0; i < d.m; ++i)
    for (uint32_t j = 0; j < d.n; ++j) {
      float& v = c[size_t(i) * d.n + j];
      if (d.flags & regs::kFlagBias) v = v + bias[j];
      if ((d.flags & regs::kFlagRelu) && v < 0.0f) v = 0.0f;
    }
  for (uint32_t i = 0; i < d.m; ++i) board.dram_write(d.c_addr + uint64_t(i) * d.ldc, c.data() + size_t(i) * d.n, 4ull * d.n);
}

struct Rig {
  FakeBoard board{soc::kDramBase, 1ull << 30};
  FakeAccelerator acc;
  explicit Rig(FakeAccelerator::Options opt = {}) : acc(board, opt) {
    board.map_device(soc::kAccCsrBase, regs::kCsrBytes, soc::kIrqAccelerator, &acc);
  }
};

GemmSelftestConfig small_config() {
  GemmSelftestConfig cfg;
  cfg.partitions = "4,12";
  cfg.max_m = 20;
  cfg.max_n = 12;
  cfg.max_k = 40;
  return cfg;
}

}  // namespace

TEST_CASE("gemm_selftest passes on a correct accelerator and covers every precision on both SAs") {
  Rig rig;
  rig.acc.compute = reference_accelerator;
  const GemmSelftestConfig cfg = small_config();
  CHECK(run_gemm_selftest(rig.board, cfg, 42) == 0);
  INFO(rig.board.console());
  CHECK_THAT(rig.board.console(), Catch::Contains("gemm_selftest: PASS"));
  // Every (SA, precision) pair ran, for both partitions, with all three kinds of job, plus rejected descriptors.
  std::set<std::tuple<unsigned, regs::Precision, uint32_t>> seen;
  size_t fp32_in = 0, epilogue = 0, invalid = 0;
  for (const auto& e : rig.acc.executed()) {
    if (e.desc.m == 0) {
      ++invalid;
      continue;
    }
    seen.insert({e.sa, e.precision, e.rows});
    fp32_in += e.desc.a_format == static_cast<uint8_t>(regs::ElemFormat::FP32);
    epilogue += (e.desc.flags & regs::kFlagRelu) != 0;
  }
  CHECK(seen.size() == 2 * 3 * 2);
  CHECK(fp32_in > 0);
  CHECK(epilogue > 0);
  CHECK(invalid == 2 * 3 * 2);  // one per SA per round per partition
  CHECK(rig.board.charged_cycles() > 0);
}

TEST_CASE("gemm_selftest fails when one result value is wrong") {
  Rig rig;
  int calls = 0;
  rig.acc.compute = [&](const regs::Descriptor& d, regs::Precision p, FakeBoard& board) {
    reference_accelerator(d, p, board);
    if (++calls == 5) {  // flip the lowest mantissa bit of C[0][0] of the fifth job
      uint32_t bits = 0;
      board.dram_read(d.c_addr, &bits, 4);
      bits ^= 1u;
      board.dram_write(d.c_addr, &bits, 4);
    }
  };
  CHECK(run_gemm_selftest(rig.board, small_config(), 42) == 1);
  CHECK_THAT(rig.board.console(), Catch::Contains("gemm_selftest: FAIL"));
  CHECK_THAT(rig.board.console(), Catch::Contains("1 of"));
}

TEST_CASE("gemm_selftest fails when the accelerator computes nothing") {
  Rig rig;  // no compute hook: C keeps what the firmware wrote (zeros or the accumulate input)
  CHECK(run_gemm_selftest(rig.board, small_config(), 1) == 1);
}

TEST_CASE("gemm_selftest on a timing-only accelerator checks everything but the values") {
  FakeAccelerator::Options opt;
  opt.functional = false;
  Rig rig(opt);
  CHECK(run_gemm_selftest(rig.board, small_config(), 3) == 0);
  CHECK_THAT(rig.board.console(), Catch::Contains("timing-only model"));
  CHECK_THAT(rig.board.console(), Catch::Contains("0 checked bit-exact"));
}

TEST_CASE("gemm_selftest rejects a bad partition list") {
  Rig rig;
  GemmSelftestConfig cfg = small_config();
  cfg.partitions = "4,x";
  CHECK_THROWS_WITH(run_gemm_selftest(rig.board, cfg, 1), Catch::Contains("bad partition 'x'"));
  cfg.partitions = "17";
  CHECK_THROWS_WITH(run_gemm_selftest(rig.board, cfg, 1), Catch::Contains("0..16"));
}

TEST_CASE("gemm_selftest output is the same for the same seed and differs for another") {
  Rig a, b, c;
  a.acc.compute = b.acc.compute = c.acc.compute = reference_accelerator;
  run_gemm_selftest(a.board, small_config(), 5);
  run_gemm_selftest(b.board, small_config(), 5);
  run_gemm_selftest(c.board, small_config(), 6);
  CHECK(a.board.console() == b.board.console());
  CHECK(a.board.console() != c.board.console());
}
