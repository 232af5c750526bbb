// Simulation speed of the DaCapo accelerator model: a full ResNet18 batch-1 inference (the 21 GEMM layers of
// test/data/topologies/resnet18_gemm.csv, MX6 operands, MX6 results) on a 3-row B-SA, submitted through the
// registers and descriptor rings.
//  - timing_only/ideal_memory: no arithmetic, DMA costs no time (the model's own overhead)
//  - timing_only/lpddr5:       no arithmetic, 16-channel LPDDR5 model (what platform runs pay)
//  - functional/ideal_memory:  exact MX arithmetic in the DPE rows
// Reports simulated tiles per host second and host seconds per inference; prints the functional/timing-only and
// LPDDR5/ideal ratios at the end. sc_main runs Google Benchmark; each benchmark resumes the one elaborated design.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "acc_testbench.h"
#include "lpddr5_system.h"
#include "models/mx/mx.h"

using namespace dacapo;
using namespace dacapo::acc;
using namespace dacapo::acc::test;

namespace {

struct Layer {
  std::string name;
  uint32_t m, n, k;
};

std::vector<Layer> resnet18() {
  std::ifstream in(std::string(DACAPO_TEST_DATA_DIR) + "/topologies/resnet18_gemm.csv");
  if (!in) throw std::runtime_error("resnet18_gemm.csv missing");
  std::vector<Layer> layers;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string name, m, n, k;
    std::getline(ss, name, ',');
    std::getline(ss, m, ',');
    std::getline(ss, n, ',');
    std::getline(ss, k, ',');
    layers.push_back({name, uint32_t(std::stoul(m)), uint32_t(std::stoul(n)), uint32_t(std::stoul(k))});
  }
  return layers;
}

constexpr uint32_t kBlock = 12;  // MX6 block bytes
constexpr uint32_t kBottomRows = 3;

// Descriptors of the network with A, B and C in three regions large enough for every layer.
std::vector<regs::Descriptor> descriptors(const std::vector<Layer>& layers, uint64_t a, uint64_t b, uint64_t c) {
  std::vector<regs::Descriptor> out;
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    regs::Descriptor d;
    d.m = l.m;
    d.n = l.n;
    d.k = l.k;
    d.tag = uint32_t(i);
    d.flags = regs::kFlagIrqOnDone | regs::kFlagRelu;
    d.a_format = uint8_t(regs::ElemFormat::MX6);
    d.b_format = uint8_t(regs::ElemFormat::MX6) | regs::kColMajor;
    d.c_format = uint8_t(regs::ElemFormat::MX6);
    d.lda = d.ldb = (l.k + 15) / 16 * kBlock;
    d.ldc = (l.n + 15) / 16 * kBlock;
    d.a_addr = a;
    d.b_addr = b;
    d.c_addr = c;
    out.push_back(d);
  }
  return out;
}

void region_sizes(const std::vector<Layer>& layers, uint64_t& a, uint64_t& b, uint64_t& c) {
  a = b = c = 0;
  for (const Layer& l : layers) {
    a = std::max<uint64_t>(a, uint64_t(l.m) * ((l.k + 15) / 16) * kBlock);
    b = std::max<uint64_t>(b, uint64_t(l.n) * ((l.k + 15) / 16) * kBlock);
    c = std::max<uint64_t>(c, uint64_t(l.m) * ((l.n + 15) / 16) * kBlock);
  }
}

// Packed MX6 blocks of random values.
std::vector<uint8_t> random_blocks(uint64_t bytes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<uint8_t> out(bytes, 0);
  float x[16];
  for (uint64_t at = 0; at + kBlock <= bytes; at += kBlock) {
    for (float& v : x) v = normal(rng);
    mx::pack(mx::encode(x, mx::Format::MX6), mx::Format::MX6, out.data() + at);
  }
  return out;
}

// One runnable configuration: a host body that waits for `go`, runs the network once and pauses the kernel.
struct Runner {
  sc_event go;
  uint64_t tiles = 0, cycles = 0, jobs = 0, dram_bytes = 0;
  bool failed = false;
};

struct Bench {
  std::vector<Layer> layers = resnet18();
  std::vector<regs::Descriptor> descs;
  AccConfig timing_cfg, functional_cfg;
  std::unique_ptr<System> timing_ideal, functional_ideal;
  std::unique_ptr<DramSystem> timing_dram;
  Runner r_timing_ideal, r_functional_ideal, r_timing_dram;

  Bench() {
    timing_cfg.fidelity = Fidelity::TimingOnly;
    timing_cfg.ideal_memory = true;
    functional_cfg.ideal_memory = true;
    timing_ideal = std::make_unique<System>(timing_cfg, 0, 0, "ti_");
    functional_ideal = std::make_unique<System>(functional_cfg, 0, 0, "fi_");
    timing_dram = std::make_unique<DramSystem>(16);
    uint64_t sa, sb, sc;
    region_sizes(layers, sa, sb, sc);
    for (System* s : {timing_ideal.get(), functional_ideal.get()}) {
      const uint64_t a = s->alloc(sa), b = s->alloc(sb), c = s->alloc(sc);
      descs = descriptors(layers, a, b, c);
      if (s == functional_ideal.get()) {
        const auto ra = random_blocks(sa, 1), rb = random_blocks(sb, 2);
        s->put(a, ra.data(), ra.size());
        s->put(b, rb.data(), rb.size());
      }
      hook(*s, s == timing_ideal.get() ? r_timing_ideal : r_functional_ideal);
    }
    hook_dram(*timing_dram, r_timing_dram, sa, sb, sc);
  }

  void hook(System& s, Runner& r) {
    s.host.body = [&s, &r, this](Host& h) {
      h.write32(System::g(regs::global::kPartition), s.cfg.rows - kBottomRows);
      s.setup_queue(1, regs::Precision::MX6);
      while (true) {
        wait(r.go);
        const size_t before = s.acc.jobs().size();
        for (const regs::Descriptor& d : descs) r.failed |= s.run(1, d).status != 1;
        account(s.acc, before, r);
        sc_pause();
      }
    };
  }
  void hook_dram(DramSystem& s, Runner& r, uint64_t sa, uint64_t sb, uint64_t sc) {
    const uint64_t a = s.alloc(sa), b = s.alloc(sb), c = s.alloc(sc);
    const auto d = descriptors(layers, a, b, c);
    s.host.body = [&s, &r, d, this](Host& h) {
      h.write32(System::g(regs::global::kPartition), 16 - kBottomRows);
      s.setup(1, regs::Precision::MX6);
      h.write32(System::g(regs::global::kIrqEnable), regs::kIrqAll);
      while (true) {
        wait(r.go);
        const size_t before = s.acc.jobs().size();
        for (const regs::Descriptor& desc : d) {
          const uint32_t slot = s.submit(1, desc);
          h.wait_irq(regs::kIrqDone(regs::Sa::Bottom) | regs::kIrqError(regs::Sa::Bottom));
          h.write32(System::g(regs::global::kIrqStatus), regs::kIrqAll);
          r.failed |= s.peek_desc(1, slot).status != 1;
        }
        account(s.acc, before, r);
        sc_pause();
      }
    };
  }
  static void account(const Accelerator& acc, size_t before, Runner& r) {
    const auto jobs = acc.jobs();
    r.tiles = r.cycles = r.dram_bytes = 0;
    for (size_t i = before; i < jobs.size(); ++i) {
      r.dram_bytes += jobs[i].dram_read_bytes + jobs[i].dram_write_bytes;
      r.tiles += jobs[i].tiles;
      r.cycles += jobs[i].end_cycle - jobs[i].start_cycle;
    }
    r.jobs = jobs.size() - before;
  }
};

Bench* g_bench = nullptr;
std::map<std::string, double> g_tiles_per_s;

void run_network(benchmark::State& state, Runner Bench::*runner, const char* key) {
  Runner& r = g_bench->*runner;
  double wall = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    r.go.notify(SC_ZERO_TIME);
    sc_start();
    wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  if (r.failed) state.SkipWithError("a job failed");
  const double iters = double(state.iterations());
  state.counters["tiles_per_s"] = double(r.tiles) * iters / wall;
  state.counters["host_s_per_inference"] = wall / iters;
  state.counters["sim_ms_per_inference"] = double(r.cycles) / 500e3;
  state.counters["tiles"] = double(r.tiles);
  state.counters["jobs"] = double(r.jobs);
  state.counters["dram_MB_per_inference"] = double(r.dram_bytes) / 1e6;
  g_tiles_per_s[key] = double(r.tiles) * iters / wall;
}

void BM_Resnet18_TimingOnly_IdealMemory(benchmark::State& s) {
  run_network(s, &Bench::r_timing_ideal, "timing_ideal");
}
void BM_Resnet18_TimingOnly_Lpddr5(benchmark::State& s) { run_network(s, &Bench::r_timing_dram, "timing_lpddr5"); }
void BM_Resnet18_Functional_IdealMemory(benchmark::State& s) {
  run_network(s, &Bench::r_functional_ideal, "functional_ideal");
}
BENCHMARK(BM_Resnet18_TimingOnly_IdealMemory)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_Resnet18_TimingOnly_Lpddr5)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_Resnet18_Functional_IdealMemory)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

int sc_main(int argc, char* argv[]) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  Bench bench;
  g_bench = &bench;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  auto ratio = [](const char* a, const char* b) {
    if (g_tiles_per_s.count(a) && g_tiles_per_s.count(b) && g_tiles_per_s[b] > 0)
      std::printf("%s/%s tiles-per-second ratio: %.4f\n", a, b, g_tiles_per_s[a] / g_tiles_per_s[b]);
  };
  ratio("functional_ideal", "timing_ideal");
  ratio("timing_lpddr5", "timing_ideal");
  return 0;
}
