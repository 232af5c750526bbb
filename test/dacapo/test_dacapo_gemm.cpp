// Functional correctness of the accelerator through its registers and descriptors: every operand format and
// order, every precision, odd shapes, accumulate, epilogue, both SAs at once, K chunking, and the implicit im2col
// convolution. References come from the MX library (gemm_reference.h).
#include <catch2/catch.hpp>

#include "gemm_reference.h"

using namespace dacapo;
using namespace dacapo::acc;
using namespace dacapo::acc::test;
using regs::Precision;

namespace {

const uint8_t kFp32Row = 0, kFp32Col = regs::kColMajor;

struct Case {
  int m, n, k;
  uint8_t a_fmt, b_fmt, c_fmt;
  Precision p;
};

// Runs every case on `sa` (setting the queue precision as needed) and returns the number of mismatching cases.
size_t run_cases(System& sys, unsigned sa, const std::vector<Case>& cases, uint64_t seed) {
  size_t failures = 0;
  Precision current = Precision::MX4;
  bool first = true;
  for (const Case& c : cases) {
    if (first || c.p != current) {
      sys.setup_queue(sa, c.p);
      current = c.p;
      first = false;
    }
    const auto a = random_matrix(size_t(c.m) * c.k, seed++);
    const auto b = random_matrix(size_t(c.k) * c.n, seed++);
    regs::Descriptor d;
    d.m = c.m;
    d.n = c.n;
    d.k = c.k;
    d.tag = static_cast<uint32_t>(seed);
    place_a(sys, d, a, c.m, c.k, c.a_fmt);
    place_b(sys, d, b, c.k, c.n, c.b_fmt);
    place_c(sys, d, c.m, c.n, c.c_fmt);
    const regs::Descriptor out = sys.run(sa, d);
    INFO("status " << out.status << " error reg " << sys.host.read32(System::q(sa, regs::queue::kError)));
    const auto ref = reference(a, b, c.m, c.n, c.k, c.p);
    const size_t bad = compare_c(sys, out, ref, c.m, c.n);
    INFO("case m=" << c.m << " n=" << c.n << " k=" << c.k << " a=" << int(c.a_fmt) << " b=" << int(c.b_fmt)
                   << " c=" << int(c.c_fmt) << " p=" << int(c.p));
    CHECK(out.status == static_cast<uint32_t>(regs::DescStatus::Done));
    CHECK(bad == 0);
    failures += (bad != 0) || out.status != static_cast<uint32_t>(regs::DescStatus::Done);
  }
  return failures;
}

uint8_t mx_elem(Precision p) { return elem_of(mx_of(p)); }

}  // namespace

TEST_CASE("FP32 operands in both orders give bit-exact MX GEMM results in every precision") {
  AccConfig cfg;
  System sys(cfg);
  std::vector<Case> cases;
  for (Precision p : {Precision::MX4, Precision::MX6, Precision::MX9})
    for (uint8_t a_fmt : {kFp32Row, kFp32Col})
      for (uint8_t b_fmt : {kFp32Col, kFp32Row})
        for (uint8_t c_fmt : {kFp32Row, kFp32Col}) cases.push_back({37, 21, 53, a_fmt, b_fmt, c_fmt, p});
  size_t failures = 1;
  sys.host.body = [&](Host&) {
    sys.host.write32(System::g(regs::global::kPartition), 8);
    failures = run_cases(sys, 1, cases, 100);
  };
  sc_start();
  REQUIRE(sys.host.finished);
  CHECK(failures == 0);
  CHECK(sys.acc.jobs().size() == cases.size());
}

TEST_CASE("packed MX operands and MX results are bit-exact in every precision") {
  AccConfig cfg;
  System sys(cfg);
  std::vector<Case> cases;
  for (Precision p : {Precision::MX4, Precision::MX6, Precision::MX9}) {
    const uint8_t e = mx_elem(p);
    const uint8_t other = mx_elem(p == Precision::MX9 ? Precision::MX4 : Precision::MX9);
    cases.push_back({19, 35, 48, e, uint8_t(e | regs::kColMajor), kFp32Row, p});
    cases.push_back({33, 7, 45, e, uint8_t(e | regs::kColMajor), e, p});                   // MX row-major C
    cases.push_back({40, 13, 16, kFp32Row, uint8_t(e | regs::kColMajor), uint8_t(e | regs::kColMajor), p});
    cases.push_back({5, 50, 70, e, kFp32Col, other, p});                                      // C in another MX format
    cases.push_back({16, 17, 33, kFp32Col, uint8_t(e | regs::kColMajor), uint8_t(other | regs::kColMajor), p});
  }
  size_t failures = 1;
  sys.host.body = [&](Host&) {
    sys.host.write32(System::g(regs::global::kPartition), 3);  // T-SA: 3 rows (ragged N tiles, MX staging)
    failures = run_cases(sys, 0, cases, 200);
  };
  sc_start();
  REQUIRE(sys.host.finished);
  CHECK(failures == 0);
}

TEST_CASE("long K streams through the SRAM in chunks and stays exact") {
  AccConfig cfg;
  cfg.sram_bytes = 24 * 1024;  // small buffers: several K chunks per tile, operands re-fetched
  System sys(cfg);
  const std::vector<Case> cases = {{24, 20, 1000, kFp32Row, kFp32Col, kFp32Row, Precision::MX9},
                                   {40, 9, 700, mx_elem(Precision::MX6), uint8_t(mx_elem(Precision::MX6) | regs::kColMajor),
                                    mx_elem(Precision::MX6), Precision::MX6}};
  size_t failures = 1;
  sys.host.body = [&](Host&) {
    sys.host.write32(System::g(regs::global::kPartition), 16);
    failures = run_cases(sys, 0, cases, 300);
  };
  sc_start();
  REQUIRE(sys.host.finished);
  CHECK(failures == 0);
  REQUIRE(sys.acc.jobs().size() == 2);
  // More SRAM traffic than one pass over the operands: the chunks were re-fetched per tile.
  CHECK(sys.acc.jobs()[0].dram_read_bytes > 4ull * (24 * 1000 + 1000 * 20));
}

TEST_CASE("accumulate adds to C then bias and ReLU apply") {
  AccConfig cfg;
  System sys(cfg);
  const int m = 29, n = 18, k = 40;
  size_t bad = 1, bad2 = 1;
  sys.host.body = [&](Host&) {
    sys.setup_queue(1, Precision::MX6);
    const auto a = random_matrix(size_t(m) * k, 1), b = random_matrix(size_t(k) * n, 2);
    const auto c0 = random_matrix(size_t(m) * n, 3), bias = random_matrix(n, 4);
    regs::Descriptor d;
    d.m = m;
    d.n = n;
    d.k = k;
    d.flags = regs::kFlagAccumulate | regs::kFlagBias | regs::kFlagRelu;
    place_a(sys, d, a, m, k, kFp32Row);
    place_b(sys, d, b, k, n, kFp32Col);
    place_c(sys, d, m, n, kFp32Col, &c0);
    d.bias_addr = sys.put_floats(bias);
    const auto out = sys.run(1, d);
    CHECK(out.status == 1);
    bad = compare_c(sys, out, reference(a, b, m, n, k, Precision::MX6, &c0, &bias, true), m, n);
    // Epilogue without accumulate into an MX6 row-major result.
    regs::Descriptor e = d;
    e.flags = regs::kFlagBias | regs::kFlagRelu;
    place_c(sys, e, m, n, mx_elem(Precision::MX6));
    const auto out2 = sys.run(1, e);
    bad2 = compare_c(sys, out2, reference(a, b, m, n, k, Precision::MX6, nullptr, &bias, true), m, n);
  };
  sc_start();
  REQUIRE(sys.host.finished);
  CHECK(bad == 0);
  CHECK(bad2 == 0);
}

TEST_CASE("both SAs run concurrently on their own rows") {
  AccConfig cfg;
  System sys(cfg);
  const int m = 48, k = 96;
  size_t bad[2] = {1, 1};
  sys.host.body = [&](Host&) {
    sys.host.write32(System::g(regs::global::kPartition), 5);
    sys.setup_queue(0, Precision::MX9);
    sys.setup_queue(1, Precision::MX6);
    std::vector<float> a[2], b[2];
    regs::Descriptor d[2];
    uint32_t slot[2];
    const int n[2] = {23, 40};
    for (unsigned s = 0; s < 2; ++s) {
      a[s] = random_matrix(size_t(m) * k, 10 + s);
      b[s] = random_matrix(size_t(k) * n[s], 20 + s);
      d[s].m = m;
      d[s].n = n[s];
      d[s].k = k;
      d[s].flags = regs::kFlagIrqOnDone;
      place_a(sys, d[s], a[s], m, k, kFp32Row);
      place_b(sys, d[s], b[s], k, n[s], kFp32Col);
      place_c(sys, d[s], m, n[s], kFp32Row);
    }
    for (unsigned s = 0; s < 2; ++s) slot[s] = sys.submit(s, d[s]);
    // Both queues busy at once; PARTITION is refused meanwhile.
    const uint32_t status = sys.host.read32(System::g(regs::global::kStatus));
    CHECK((status & regs::kStatusTopBusy));
    CHECK((status & regs::kStatusBottomBusy));
    const uint32_t all_done = regs::kIrqDone(regs::Sa::Top) | regs::kIrqDone(regs::Sa::Bottom);
    while ((sys.host.read32(System::g(regs::global::kIrqRaw)) & all_done) != all_done)
      sys.host.wait_irq(all_done, sc_time(10, SC_US));
    for (unsigned s = 0; s < 2; ++s) {
      const auto out = sys.descriptor(s, slot[s]);
      CHECK(out.status == 1);
      bad[s] = compare_c(sys, out, reference(a[s], b[s], m, n[s], k, s == 0 ? Precision::MX9 : Precision::MX6), m,
                         n[s]);
    }
  };
  sc_start();
  REQUIRE(sys.host.finished);
  CHECK(bad[0] == 0);
  CHECK(bad[1] == 0);
  const auto jobs = sys.acc.jobs();
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].rows == 5);
  CHECK(jobs[1].rows == 11);
  // The two jobs overlap in time.
  CHECK(jobs[0].start_cycle < jobs[1].end_cycle);
  CHECK(jobs[1].start_cycle < jobs[0].end_cycle);
}

// FP32 NHWC input: the gathered, quantized im2col matrix must equal the explicit im2col matrix quantized by the
// MX library (bit-exact).
TEST_CASE("implicit im2col convolution equals the explicit im2col GEMM") {
  AccConfig cfg;
  System sys(cfg);
  const int batch = 2, h = 9, w = 8, c = 3, kh = 3, kw = 3, stride = 2, pad = 1, filters = 10;
  const int oh = (h + 2 * pad - kh) / stride + 1, ow = (w + 2 * pad - kw) / stride + 1;
  const int m = batch * oh * ow, k = kh * kw * c;
  size_t bad = 1;
  sys.host.body = [&](Host&) {
    sys.setup_queue(0, Precision::MX6);
    const auto input = random_matrix(size_t(batch) * h * w * c, 7);
    const auto weights = random_matrix(size_t(k) * filters, 8);
    regs::Descriptor d;
    d.opcode = uint8_t(regs::Opcode::Conv);
    d.m = m;
    d.n = filters;
    d.k = k;
    d.batch = batch;
    d.in_h = h;
    d.in_w = w;
    d.in_c = c;
    d.kernel_h = kh;
    d.kernel_w = kw;
    d.stride = stride;
    d.pad = pad;
    d.lda = 4 * c + 4;  // pixel stride with a spare word
    d.a_addr = sys.alloc(uint64_t(d.lda) * batch * h * w);
    for (int p = 0; p < batch * h * w; ++p) sys.put(d.a_addr + uint64_t(p) * d.lda, &input[size_t(p) * c], 4 * c);
    place_b(sys, d, weights, k, filters, kFp32Col);
    place_c(sys, d, m, filters, kFp32Row);
    const auto out = sys.run(0, d);
    CHECK(out.status == 1);
    // Explicit im2col, K ordered (kh, kw, c).
    std::vector<float> cols(size_t(m) * k, 0.0f);
    for (int b = 0; b < batch; ++b)
      for (int y = 0; y < oh; ++y)
        for (int x = 0; x < ow; ++x)
          for (int i = 0; i < kh; ++i)
            for (int j = 0; j < kw; ++j)
              for (int ch = 0; ch < c; ++ch) {
                const int iy = y * stride - pad + i, ix = x * stride - pad + j;
                if (iy < 0 || ix < 0 || iy >= h || ix >= w) continue;
                cols[size_t((b * oh + y) * ow + x) * k + (i * kw + j) * c + ch] =
                    input[size_t((b * h + iy) * w + ix) * c + ch];
              }
    bad = compare_c(sys, out, reference(cols, weights, m, filters, k, Precision::MX6), m, filters);
  };
  sc_start();
  REQUIRE(sys.host.finished);
  CHECK(bad == 0);
}

// Packed MX6 NHWC input (channel blocks per pixel): the accelerator's result equals a direct convolution over the
// dequantized input and weights (double accumulation; FP32 rounding per block allows a small relative error).
TEST_CASE("im2col convolution on an MX input equals a direct convolution") {
  AccConfig cfg;
  System sys(cfg);
  const int batch = 1, h = 7, w = 6, c = 32, kh = 3, kw = 2, stride = 1, pad = 1, filters = 9;
  const int oh = (h + 2 * pad - kh) / stride + 1, ow = (w + 2 * pad - kw) / stride + 1;
  const int m = batch * oh * ow, k = kh * kw * c;
  double worst = 1;
  sys.host.body = [&](Host&) {
    sys.setup_queue(1, Precision::MX6);
    const auto input = random_matrix(size_t(batch) * h * w * c, 17);
    const auto weights = random_matrix(size_t(k) * filters, 18);
    // Input pixels as rows of c channels, blocked along channels.
    const mx::MxMatrix qin = mx::to_mx(input.data(), batch * h * w, c, c, mx::StorageOrder::RowMajor,
                                       mx::Blocking::RowBlocks, mx::Format::MX6);
    regs::Descriptor d;
    d.opcode = uint8_t(regs::Opcode::Conv);
    d.a_format = uint8_t(regs::ElemFormat::MX6);
    d.m = m;
    d.n = filters;
    d.k = k;
    d.batch = batch;
    d.in_h = h;
    d.in_w = w;
    d.in_c = c;
    d.kernel_h = kh;
    d.kernel_w = kw;
    d.stride = stride;
    d.pad = pad;
    d.lda = 2 * 12;
    d.a_addr = sys.put_bytes(qin.bytes);
    place_b(sys, d, weights, k, filters, uint8_t(regs::ElemFormat::MX6) | regs::kColMajor);
    place_c(sys, d, m, filters, kFp32Row);
    const auto out = sys.run(1, d);
    CHECK(out.status == 1);
    std::vector<float> in_q(input.size()), w_q(weights.size());
    mx::from_mx(qin, in_q.data(), c, mx::StorageOrder::RowMajor);
    const mx::MxMatrix qw = mx::to_mx(weights.data(), k, filters, filters, mx::StorageOrder::RowMajor,
                                      mx::Blocking::ColumnBlocks, mx::Format::MX6);
    mx::from_mx(qw, w_q.data(), filters, mx::StorageOrder::RowMajor);
    worst = 0;
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x)
        for (int f = 0; f < filters; ++f) {
          double sum = 0, mag = 0;
          for (int i = 0; i < kh; ++i)
            for (int j = 0; j < kw; ++j)
              for (int ch = 0; ch < c; ++ch) {
                const int iy = y * stride - pad + i, ix = x * stride - pad + j;
                if (iy < 0 || ix < 0 || iy >= h || ix >= w) continue;
                const double t = double(in_q[size_t(iy * w + ix) * c + ch]) * w_q[size_t((i * kw + j) * c + ch) * filters + f];
                sum += t;
                mag += std::fabs(t);
              }
          float got;
          sys.get(out.c_addr + uint64_t(y * ow + x) * out.ldc + 4u * f, &got, 4);
          worst = std::max(worst, std::fabs(got - sum) / (mag + 1e-30));
        }
  };
  sc_start();
  REQUIRE(sys.host.finished);
  CHECK(worst < 1e-6);
}

// K = 1152 at MX6 needs two chunks per tile, but the A panel of an M group (16 x 72 blocks x 12 B) fits the
// 18 KiB input buffer and all of B (21 x 72 x 12 B) the weight buffer: each is read from DRAM exactly once.
TEST_CASE("operand panels that fit the SRAM are fetched once and stay exact") {
  AccConfig cfg;
  System sys(cfg);
  const std::vector<Case> cases = {{37, 21, 1152, kFp32Row, kFp32Col, kFp32Row, Precision::MX6}};
  size_t failures = 1;
  sys.host.body = [&](Host&) { failures = run_cases(sys, 1, cases, 400); };
  sc_start();
  REQUIRE(sys.host.finished);
  CHECK(failures == 0);
  const std::vector<JobRecord> jobs = sys.acc.jobs();
  REQUIRE(jobs.size() == 1);
  const JobRecord& j = jobs[0];
  CHECK(j.dram_read_bytes == 4ull * 37 * 1152 + 4ull * 1152 * 21 + regs::kDescriptorBytes);
  CHECK(j.dram_write_bytes == 4ull * 37 * 21 + regs::kDescWritebackBytes);
}
