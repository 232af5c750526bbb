// Pure-logic tests of the accelerator model (no SystemC kernel): tile timing, SCALE-Sim comparison of the
// formula, tiling/SRAM plans, descriptor validation, burst splitting and the im2col address generation.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "models/dacapo/descriptor_check.h"
#include "models/dacapo/operand_io.h"
#include "models/dacapo/tile_plan.h"
#include "models/dacapo/tile_timing.h"

using namespace dacapo;
using namespace dacapo::acc;
using regs::ErrorCode;
using regs::Precision;

TEST_CASE("tile timing follows DESIGN section 2") {
  CHECK(cycles_per_block(Precision::MX4) == 1);
  CHECK(cycles_per_block(Precision::MX6) == 4);
  CHECK(cycles_per_block(Precision::MX9) == 16);
  // T0 = floor(16c/(c-1)): 21 for MX6, 17 for MX9, none for MX4.
  CHECK(operand_queue_threshold(Precision::MX6, 16) == 21);
  CHECK(operand_queue_threshold(Precision::MX9, 16) == 17);
  CHECK(operand_queue_threshold(Precision::MX4, 16) == 0);
  // Full 16x16 tile, K = 64 at MX9: 4 blocks x 16 + 15 + 15.
  TileCycles t = tile_cycles(64, 16, 16, Precision::MX9, true);
  CHECK(t.compute == 64);
  CHECK(t.skew == 30);
  CHECK(t.queue_stall == 0);  // K' = 4 < T0
  // K = 512 at MX9: K' = 32, d = 30 → 15 · min(32-17, 30-17) = 195.
  t = tile_cycles(512, 16, 16, Precision::MX9, true);
  CHECK(t.compute == 512);
  CHECK(t.queue_stall == 195);
  CHECK(tile_cycles(512, 16, 16, Precision::MX9, false).queue_stall == 0);
  // MX6, K = 4608: K' = 288, d = 30 → 3 · min(267, 9) = 27; MX4 never stalls.
  t = tile_cycles(4608, 16, 16, Precision::MX6, true);
  CHECK(t.compute == 288 * 4);
  CHECK(t.queue_stall == 27);
  CHECK(tile_cycles(4608, 16, 16, Precision::MX4, true).queue_stall == 0);
  // Ragged K and a ragged tile: ceil(K/16), own skew.
  t = tile_cycles(17, 3, 5, Precision::MX6, true);
  CHECK(t.compute == 8);
  CHECK(t.skew == 6);
  CHECK(t.total() == 14);
}

namespace {
std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}
}  // namespace

// SCALE-Sim OS (M on the array rows, N on the columns) charges folds·(K + R + C − 2) − 1 with the full R and C
// on ragged folds; DaCapo maps N to the rows and M to the columns and charges a ragged tile its own skew.
TEST_CASE("ideal GEMM cycles match SCALE-Sim OS cycles up to the documented differences") {
  const auto rows = read_csv(std::string(DACAPO_TEST_DATA_DIR) + "/scalesim/gemm_os_results.csv");
  REQUIRE(rows.size() == 13);
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const uint32_t arr_rows = std::stoul(r[0].substr(0, r[0].find('x')));
    const uint32_t arr_cols = std::stoul(r[0].substr(r[0].find('x') + 1));
    const uint64_t m = std::stoull(r[2]), n = std::stoull(r[3]), k = std::stoull(r[4]);
    const uint64_t scalesim = std::stoull(r[5]);
    REQUIRE(arr_cols == 16);
    // Ragged-edge correction: SCALE-Sim charges (R - R'_i) + (C - C'_j) more on fold (i, j).
    uint64_t ragged = 0;
    for (uint64_t fi = 0; fi * arr_rows < m; ++fi)
      for (uint64_t fj = 0; fj * arr_cols < n; ++fj)
        ragged += (arr_rows - std::min<uint64_t>(arr_rows, m - fi * arr_rows)) +
                  (arr_cols - std::min<uint64_t>(arr_cols, n - fj * arr_cols));
    // Ours: M ↔ N swapped, SA of arr_rows rows, MX9 (one MAC per DPE per cycle), no operand-queue stalls.
    const GemmCycles g = gemm_ideal_cycles(n, m, k, arr_rows, 16, Precision::MX9, false);
    INFO(r[0] << " " << r[1] << ": ours " << g.total() << " scalesim " << scalesim << " ragged " << ragged);
    CHECK(g.total() + ragged == scalesim + 1);
    CHECK(g.tiles == std::stoull(r[11]));
  }
}

TEST_CASE("tile plan chunks K by the half buffers and keeps fitting panels resident") {
  AccConfig cfg;
  const SramSplit s = sram_split(cfg, 1);
  CHECK(s.input + s.weight + s.output == 48 * 1024);
  CHECK(s.input == 18432);
  // MX9, 16 columns: a K block column of A is 16 x 18 = 288 B; half the input buffer (9216 B) holds 32 blocks.
  TilePlan p = plan_tiles(64, 64, 4608, 16, 16, Precision::MX9, s, false);
  CHECK(p.k_blocks == 288);
  CHECK(p.chunk_blocks == 32);
  CHECK(p.chunks == 9);
  // Small K: one chunk; a 64x64 B at MX6 (64 x 4 blocks x 12 B = 3 KiB) fits the weight buffer.
  p = plan_tiles(1000, 64, 64, 4, 16, Precision::MX6, s, false);
  CHECK(p.chunks == 1);
  CHECK(p.m_outer);
  CHECK(p.inner_resident);
  CHECK(p.tiles() == 63 * 16);
  // Row-major MX results force M groups outer.
  p = plan_tiles(16, 4096, 4096, 8, 16, Precision::MX6, s, true);
  CHECK(p.m_outer);
}

TEST_CASE("descriptor validation returns the documented error codes") {
  CheckContext ctx{Precision::MX6, 8, 16, 0x8000'0000ull, 1ull << 24};
  regs::Descriptor ok;
  ok.m = 20;
  ok.n = 10;
  ok.k = 40;
  ok.a_addr = 0x8000'1000;
  ok.lda = 4 * 40;
  ok.b_addr = 0x8001'0000;
  ok.b_format = regs::kColMajor;  // FP32 column-major K x N
  ok.ldb = 4 * 40;
  ok.c_addr = 0x8002'0000;
  ok.ldc = 4 * 10;
  Job job;
  REQUIRE(check_descriptor(ok, ctx, job) == ErrorCode::None);
  CHECK(job.b.k_contiguous);
  auto with = [&](auto change) {
    regs::Descriptor d = ok;
    change(d);
    return check_descriptor(d, ctx, job);
  };
  CHECK(with([](auto& d) { d.opcode = 7; }) == ErrorCode::BadOpcode);
  CHECK(with([](auto& d) { d.m = 0; }) == ErrorCode::BadDims);
  CHECK(with([](auto& d) { d.k = regs::kMaxDim + 1; }) == ErrorCode::BadDims);
  CHECK(with([](auto& d) { d.a_format = 7; }) == ErrorCode::BadFormat);
  CHECK(with([](auto& d) { d.a_format = 0x40; }) == ErrorCode::BadFormat);
  // MX A must be in the queue precision and blocked along K (row-major); MX B column-major.
  CHECK(with([](auto& d) { d.a_format = uint8_t(regs::ElemFormat::MX9); }) == ErrorCode::BadFormat);
  CHECK(with([](auto& d) { d.a_format = uint8_t(regs::ElemFormat::MX6) | regs::kColMajor; }) == ErrorCode::BadFormat);
  CHECK(with([](auto& d) { d.b_format = uint8_t(regs::ElemFormat::MX6); }) == ErrorCode::BadFormat);
  CHECK(with([](auto& d) {
          d.flags = regs::kFlagAccumulate;
          d.c_format = uint8_t(regs::ElemFormat::MX6);
        }) == ErrorCode::BadFormat);
  CHECK(with([](auto& d) { d.a_addr += 2; }) == ErrorCode::BadAlignment);
  CHECK(with([](auto& d) { d.ldc = 42; }) == ErrorCode::BadAlignment);
  CHECK(with([](auto& d) { d.lda = 4 * 39; }) == ErrorCode::BadStride);
  CHECK(with([](auto& d) { d.ldb = 0; }) == ErrorCode::BadStride);
  CHECK(with([](auto& d) { d.b_addr = 0x7000'0000; }) == ErrorCode::BadAddress);
  CHECK(with([](auto& d) { d.c_addr = 0x8000'0000ull + (1ull << 24) - 64; }) == ErrorCode::BadAddress);
  CHECK(with([](auto& d) { d.c_addr = UINT64_MAX - 3; }) == ErrorCode::BadAddress);
  CHECK(with([](auto& d) {
          d.flags = regs::kFlagBias;
          d.bias_addr = 0x9000'0000;
        }) == ErrorCode::BadAddress);
  CheckContext no_rows = ctx;
  no_rows.sa_rows = 0;
  CHECK(check_descriptor(ok, no_rows, job) == ErrorCode::NoRows);
  // CONV: M must equal batch·out_h·out_w and K = kh·kw·c.
  regs::Descriptor conv = ok;
  conv.opcode = uint8_t(regs::Opcode::Conv);
  conv.batch = 1;
  conv.in_h = 6;
  conv.in_w = 5;
  conv.in_c = 3;
  conv.kernel_h = conv.kernel_w = 3;
  conv.stride = 1;
  conv.pad = 1;
  conv.m = 30;
  conv.k = 27;
  conv.lda = 12;
  conv.ldb = 4 * 27;
  REQUIRE(check_descriptor(conv, ctx, job) == ErrorCode::None);
  conv.m = 31;
  CHECK(check_descriptor(conv, ctx, job) == ErrorCode::BadDims);
  conv.m = 30;
  conv.stride = 0;
  CHECK(check_descriptor(conv, ctx, job) == ErrorCode::BadDims);
  conv.stride = 1;
  conv.a_format = uint8_t(regs::ElemFormat::MX6);  // 3 channels cannot be MX blocks of one pixel
  CHECK(check_descriptor(conv, ctx, job) == ErrorCode::BadFormat);
}

TEST_CASE("bursts never exceed the burst size nor cross its boundary") {
  std::vector<Segment> out;
  split_bursts({{100, 1000}, {4096, 256}, {5000, 4}}, 256, out);
  uint64_t total = 0;
  for (const Segment& s : out) {
    CHECK(s.bytes <= 256);
    CHECK((s.addr / 256) == ((s.addr + s.bytes - 1) / 256));
    total += s.bytes;
  }
  CHECK(total == 1260);
  CHECK(out.front().addr == 100);
  CHECK(out.front().bytes == 156);
  CHECK(out.size() == 7);
}

// The byte addresses a list of segments covers, in transfer order.
static std::vector<uint64_t> byte_addresses(const std::vector<Segment>& segs) {
  std::vector<uint64_t> bytes;
  for (const Segment& s : segs)
    for (uint32_t i = 0; i < s.bytes; ++i) bytes.push_back(s.addr + i);
  return bytes;
}

TEST_CASE("coalescing merges only back-to-back segments and keeps the byte order") {
  const std::vector<Segment> in = {{0, 18}, {18, 18}, {36, 18}, {100, 4}, {104, 0}, {104, 8}, {50, 4}, {54, 4}};
  std::vector<Segment> out;
  coalesce_segments(in, out);
  REQUIRE(out.size() == 3);
  CHECK(out[0].addr == 0);
  CHECK(out[0].bytes == 54);
  CHECK(out[1].addr == 100);
  CHECK(out[1].bytes == 12);  // the empty segment between them neither splits nor adds anything
  CHECK(out[2].addr == 50);   // a segment that goes back in memory starts a new transfer
  CHECK(out[2].bytes == 8);
  CHECK(byte_addresses(out) == byte_addresses(in));
}

TEST_CASE("an operand whose rows lie back to back becomes one transfer when coalesced") {
  KOperand a;
  a.addr = 0x4000;
  a.elem = regs::ElemFormat::MX9;
  a.k = 64;      // 4 blocks of 18 B per row
  a.ld = 4 * 18;  // rows packed back to back
  std::vector<Segment> rows, merged, bursts;
  k_operand_segments(a, 0, 16, 0, 4, rows);
  CHECK(rows.size() == 16);
  coalesce_segments(rows, merged);
  REQUIRE(merged.size() == 1);
  CHECK(merged[0].bytes == 16 * 4 * 18);
  split_bursts(merged, 256, bursts);
  CHECK(bursts.size() == 5);  // 1152 B from a 256-aligned base: 4 full bursts and one of 128 B
  a.ld = 5 * 18;              // a gap after every row: nothing to merge
  rows.clear();
  merged.clear();
  k_operand_segments(a, 0, 16, 0, 4, rows);
  coalesce_segments(rows, merged);
  CHECK(merged.size() == 16);
}

// Every im2col element the gather needs lies inside a fetched span, every span byte is inside the tensor, and no
// input row is fetched twice for one tile.
TEST_CASE("im2col spans cover exactly the windows of a tile") {
  ConvGeometry g;
  g.addr = 0x1000;
  g.elem = regs::ElemFormat::FP32;
  g.batch = 2;
  g.in_h = 9;
  g.in_w = 7;
  g.in_c = 3;
  g.lda = 16;
  g.kernel_h = 3;
  g.kernel_w = 2;
  g.stride = 2;
  g.pad = 1;
  const uint64_t m_total = uint64_t(g.batch) * g.out_h() * g.out_w();
  const uint64_t k_total = uint64_t(g.kernel_h) * g.kernel_w * g.in_c;
  for (uint64_t m0 = 0; m0 < m_total; m0 += 16) {
    const uint32_t nm = static_cast<uint32_t>(std::min<uint64_t>(16, m_total - m0));
    std::vector<ConvRowSpan> spans;
    std::vector<Segment> segs;
    conv_a_spans(g, m0, nm, 0, static_cast<uint32_t>((k_total + 15) / 16), spans, segs);
    std::set<std::pair<uint32_t, uint32_t>> keys;
    for (const auto& s : spans) CHECK(keys.insert({s.b, s.ih}).second);
    for (const Segment& s : segs) {
      CHECK(s.addr >= g.addr);
      CHECK(s.addr + s.bytes <= g.addr + uint64_t(g.batch) * g.in_h * g.in_w * g.lda);
    }
    for (uint64_t m = m0; m < m0 + nm; ++m) {
      const uint32_t b = m / (g.out_h() * g.out_w());
      const uint32_t oh = (m % (g.out_h() * g.out_w())) / g.out_w(), ow = m % g.out_w();
      for (uint32_t kh = 0; kh < g.kernel_h; ++kh)
        for (uint32_t kw = 0; kw < g.kernel_w; ++kw) {
          const int ih = int(oh * g.stride) - int(g.pad) + int(kh), iw = int(ow * g.stride) - int(g.pad) + int(kw);
          if (ih < 0 || iw < 0 || ih >= int(g.in_h) || iw >= int(g.in_w)) continue;
          bool covered = false;
          for (const auto& s : spans)
            covered |= s.b == b && s.ih == uint32_t(ih) && uint32_t(iw) >= s.iw_lo && uint32_t(iw) <= s.iw_hi;
          CHECK(covered);
        }
    }
  }
}

TEST_CASE("accelerator parameters load under soc.acc and reject bad values naming the key") {
  ParamStore store;
  store.set("soc.acc.fidelity", "timing_only");
  store.set("soc.acc.rows", "16");
  store.set("soc.acc.dma_burst_bytes", "512");
  const AccConfig cfg = load_config<AccConfig>(store, "soc.acc");
  CHECK(cfg.fidelity == Fidelity::TimingOnly);
  CHECK(cfg.dma_burst_bytes == 512);
  CHECK(store.unconsumed().empty());
  ParamStore bad;
  bad.set("soc.acc.fidelity", "exact");
  CHECK_THROWS_WITH(load_config<AccConfig>(bad, "soc.acc"), Catch::Contains("soc.acc.fidelity"));
  ParamStore tiny;
  tiny.set("soc.acc.sram_bytes", "1024");
  CHECK_THROWS_WITH(load_config<AccConfig>(tiny, "soc.acc"), Catch::Contains("sram_bytes"));
  ParamStore part;
  part.set("soc.acc.partition_reset", "17");
  CHECK_THROWS_WITH(load_config<AccConfig>(part, "soc.acc"), Catch::Contains("partition_reset"));
  const auto docs = describe_config<AccConfig>("soc.acc");
  CHECK(docs.size() == 17);
  CHECK(docs.front().key == "soc.acc.rows");
}

// docs/accelerator.md restates the register map of firmware/hal/dacapo_regs.h: every offset in its tables must be
// the header's.
TEST_CASE("the register tables in docs/accelerator.md match dacapo_regs.h") {
  std::ifstream in(std::string(DACAPO_SOURCE_DIR) + "/docs/accelerator.md");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  const size_t global_at = doc.find("### Global page"), queue_at = doc.find("### Queue pages"),
               perf_at = doc.find("### Perf page");
  REQUIRE(global_at != std::string::npos);
  REQUIRE(queue_at != std::string::npos);
  REQUIRE(perf_at != std::string::npos);
  auto hex = [](uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%02X", v);
    return std::string(b);
  };
  auto row = [&](uint32_t off, const char* name) { return "| " + hex(off) + " | " + name + " |"; };
  auto pair = [&](uint32_t lo, uint32_t hi, const char* name) { return "| " + hex(lo) + "/" + hex(hi) + " | " + name + " |"; };
  const std::string global = doc.substr(global_at, queue_at - global_at);
  const std::string queue = doc.substr(queue_at, perf_at - queue_at);
  namespace g = regs::global;
  namespace q = regs::queue;
  for (const std::string& r : {row(regs::kCaps, "CAPS"), row(g::kSramKib, "SRAM_KIB"), row(g::kCtrl, "CTRL"),
                               row(g::kStatus, "STATUS"), row(g::kPartition, "PARTITION"), row(g::kIrqRaw, "IRQ_RAW"),
                               row(g::kIrqEnable, "IRQ_ENABLE"), row(g::kIrqStatus, "IRQ_STATUS"),
                               pair(g::kCycleLo, g::kCycleHi, "CYCLE_LO/HI")}) {
    INFO(r);
    CHECK(global.find(r) != std::string::npos);
  }
  for (const std::string& r : {row(q::kCtrl, "CTRL"), row(q::kStatus, "STATUS"), row(q::kPrecision, "PRECISION"),
                               pair(q::kRingBaseLo, q::kRingBaseHi, "RING_BASE_LO/HI"), row(q::kRingSize, "RING_SIZE"),
                               row(q::kHead, "HEAD"), row(q::kTail, "TAIL"), row(q::kError, "ERROR"),
                               row(q::kCompleted, "COMPLETED")}) {
    INFO(r);
    CHECK(queue.find(r) != std::string::npos);
  }
  CHECK(doc.find("(T-SA " + hex(uint32_t(regs::kQueuePage[0])) + ", B-SA " + hex(uint32_t(regs::kQueuePage[1]))) !=
        std::string::npos);
  CHECK(doc.find("(" + hex(uint32_t(regs::kPerfPage)) + ", ID") != std::string::npos);
  CHECK(doc.find("`" + hex(regs::kPerfSaBase) + " + sa·" + hex(regs::kPerfSaStride) + " + 8·c`") != std::string::npos);
  CHECK(doc.find("| " + hex(regs::kDescStatusOffset) + " | status u32") != std::string::npos);
  CHECK(doc.find("| 0x68, 0x70, 0x78 | start_cycle, compute_cycles, total_cycles") != std::string::npos);
  static_assert(offsetof(regs::Descriptor, start_cycle) == 0x68 && offsetof(regs::Descriptor, compute_cycles) == 0x70);
}
