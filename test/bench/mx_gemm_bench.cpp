// MX6 / MX9 GEMM (models/mx, bit-exact DPE semantics) vs OpenBLAS sgemm, single thread, square shapes.
// The MX timings include decoding the packed operands (done per call) but not the FP32 → MX conversion, which
// the precision-conversion units do once per operand. Prints "MX/sgemm throughput ratio" lines at the end.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "models/mx/matrix.h"

extern "C" void openblas_set_num_threads(int num_threads);

using namespace dacapo::mx;

namespace {

std::vector<float> random_matrix(size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(count);
  for (auto& x : v) x = normal(rng);
  return v;
}

void set_flops(benchmark::State& state, int n) {
  state.counters["GFLOP"] = benchmark::Counter(2.0 * n * double(n) * n * double(state.iterations()) * 1e-9,
                                                 benchmark::Counter::kIsRate);
}

void BM_sgemm(benchmark::State& state) {
  const int n = int(state.range(0));
  const auto a = random_matrix(size_t(n) * n, 1), b = random_matrix(size_t(n) * n, 2);
  std::vector<float> c(size_t(n) * n);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, n);
}

void BM_mx_gemm(benchmark::State& state, Format f) {
  const int n = int(state.range(0));
  const auto av = random_matrix(size_t(n) * n, 1), bv = random_matrix(size_t(n) * n, 2);
  const MxMatrix a = to_mx(av.data(), n, n, n, StorageOrder::RowMajor, Blocking::RowBlocks, f);
  const MxMatrix b = to_mx(bv.data(), n, n, n, StorageOrder::RowMajor, Blocking::ColumnBlocks, f);
  std::vector<float> c(size_t(n) * n);
  for (auto _ : state) {
    gemm(a, b, c.data(), n);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, n);
  state.SetLabel(to_string(resolve_kernel(GemmKernel::Auto)));
}

// FP32 → packed MX conversion (what a PCU does) of an n×n operand in ColumnBlocks, and back.
void BM_to_mx(benchmark::State& state, Format f) {
  const int n = int(state.range(0));
  const auto v = random_matrix(size_t(n) * n, 3);
  for (auto _ : state) {
    MxMatrix m = to_mx(v.data(), n, n, n, StorageOrder::RowMajor, Blocking::ColumnBlocks, f);
    benchmark::DoNotOptimize(m.bytes.data());
  }
  state.counters["values"] = benchmark::Counter(double(n) * n * double(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_from_mx(benchmark::State& state, Format f) {
  const int n = int(state.range(0));
  const auto v = random_matrix(size_t(n) * n, 3);
  const MxMatrix m = to_mx(v.data(), n, n, n, StorageOrder::RowMajor, Blocking::ColumnBlocks, f);
  std::vector<float> out(size_t(n) * n);
  for (auto _ : state) {
    from_mx(m, out.data(), n, StorageOrder::RowMajor);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["values"] = benchmark::Counter(double(n) * n * double(state.iterations()), benchmark::Counter::kIsRate);
}

// Collects every run's GFLOP/s while printing as usual, then prints the ratios.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& run : runs) {
      const auto it = run.counters.find("GFLOP");
      if (it != run.counters.end() && run.run_type == Run::RT_Iteration) gflops_[run.benchmark_name()] = it->second;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    for (int n : {256, 1024}) {
      const auto ref = gflops_.find("BM_sgemm/" + std::to_string(n));
      if (ref == gflops_.end()) continue;
      for (const char* fmt : {"MX6", "MX9"}) {
        const auto mx = gflops_.find(std::string("BM_mx_gemm/") + fmt + "/" + std::to_string(n));
        if (mx == gflops_.end()) continue;
        std::printf("MX/sgemm throughput ratio %s %dx%dx%d: %.3f (%.1f vs %.1f GFLOP/s)\n", fmt, n, n, n,
                    mx->second / ref->second, double(mx->second), double(ref->second));
      }
    }
  }

 private:
  std::map<std::string, double> gflops_;
};

}  // namespace

BENCHMARK(BM_sgemm)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_mx_gemm, MX6, Format::MX6)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_mx_gemm, MX9, Format::MX9)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond);

BENCHMARK_CAPTURE(BM_to_mx, MX6, Format::MX6)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_to_mx, MX9, Format::MX9)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_from_mx, MX9, Format::MX9)->Arg(1024)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  openblas_set_num_threads(1);  // single thread on both sides
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
