// Requests simulated per second of host time by the LPDDR5 scheduler in replay mode (closed loop, 64 B reads,
// 16 channels, all-bank refresh), for a sequential and a uniformly random trace. The reference loop decodes
// every burst address with the same AddressMap and sums the fields: the least work any trace-driven model must
// do per request. Prints "replay/reference ratio" lines at the end.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "models/dram/dram_scheduler.h"

using namespace dacapo::dram;

namespace {

constexpr uint64_t kRequests = 200000;

std::vector<Request> make_trace(bool random) {
  const DramConfig cfg;
  std::mt19937_64 rng(42);
  std::vector<Request> out;
  out.reserve(kRequests);
  for (uint64_t i = 0; i < kRequests; ++i) {
    const uint64_t line = random ? rng() % (cfg.capacity_bytes() / 64) : i;
    out.push_back(Request{line * 64, 64, false, 0});
  }
  return out;
}

void replay(benchmark::State& state, bool random) {
  const auto trace = make_trace(random);
  double efficiency = 0;
  for (auto _ : state) {
    DramScheduler dram{DramConfig{}};
    int64_t next = 0;
    for (Request r : trace) {
      r.arrival = next;
      dram.submit(r);
      next = dram.last_admission();
    }
    dram.drain();
    const DramSummary s = dram.summary();
    efficiency = s.bandwidth_bytes_per_s / s.peak_bytes_per_s;
    benchmark::DoNotOptimize(efficiency);
  }
  state.counters["requests"] = benchmark::Counter(double(kRequests) * double(state.iterations()),
                                                  benchmark::Counter::kIsRate);
  state.counters["bw_efficiency"] = efficiency;
}

void reference(benchmark::State& state, bool random) {
  const auto trace = make_trace(random);
  const AddressMap map{DramConfig{}};
  for (auto _ : state) {
    uint64_t sum = 0;
    for (const Request& r : trace)
      for (uint64_t a = r.address; a < r.address + r.length; a += 32) {
        const DecodedAddress d = map.decode(a);
        sum += d.channel + d.bank + d.row + d.column;
      }
    benchmark::DoNotOptimize(sum);
  }
  state.counters["requests"] = benchmark::Counter(double(kRequests) * double(state.iterations()),
                                                  benchmark::Counter::kIsRate);
}

void BM_replay_sequential(benchmark::State& s) { replay(s, false); }
void BM_replay_random(benchmark::State& s) { replay(s, true); }
void BM_reference_sequential(benchmark::State& s) { reference(s, false); }
void BM_reference_random(benchmark::State& s) { reference(s, true); }

BENCHMARK(BM_replay_sequential)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_replay_random)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_reference_sequential)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_reference_random)->Unit(benchmark::kMillisecond);

// Prints as usual and remembers each run's requests/s for the ratio lines.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      const auto it = run.counters.find("requests");
      if (it != run.counters.end() && run.run_type == Run::RT_Iteration) rate_[run.benchmark_name()] = it->second;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    for (const char* kind : {"sequential", "random"}) {
      const auto replay = rate_.find(std::string("BM_replay_") + kind);
      const auto ref = rate_.find(std::string("BM_reference_") + kind);
      if (replay == rate_.end() || ref == rate_.end()) continue;
      std::printf("replay/reference ratio %s: %.4f (%.2f M requests/s replayed vs %.1f M requests/s decoded)\n", kind,
                  replay->second / ref->second, replay->second * 1e-6, ref->second * 1e-6);
    }
  }

 private:
  std::map<std::string, double> rate_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
