// mx-demo: quantize random FP32 matrices to MX, multiply them with the bit-exact MX GEMM (what the DPE grid
// computes) and report the error against the exact product of the FP32 inputs, per format and rounding mode.
// Deterministic for a given seed; prints no wall-clock figures (see test/bench/mx_gemm_bench for speed).
#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <random>
#include <vector>

#include "models/mx/matrix.h"

namespace po = boost::program_options;
using namespace dacapo::mx;

namespace {

struct ErrorStats {
  double rel_fro = 0, max_abs = 0, mean = 0, sqnr_db = 0;
};

ErrorStats compare(const std::vector<float>& c, const std::vector<double>& exact) {
  double err2 = 0, ref2 = 0, sum = 0, max_abs = 0;
  for (size_t i = 0; i < c.size(); ++i) {
    const double e = double(c[i]) - exact[i];
    err2 += e * e;
    ref2 += exact[i] * exact[i];
    sum += e;
    max_abs = std::max(max_abs, std::fabs(e));
  }
  ErrorStats s;
  s.rel_fro = std::sqrt(err2 / ref2);
  s.max_abs = max_abs;
  s.mean = sum / double(c.size());
  s.sqnr_db = 10.0 * std::log10(ref2 / err2);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int m = 128, n = 128, k = 1024;
  uint64_t seed = 1;
  po::options_description options(
      "mx-demo: MX GEMM vs FP32 on random matrices (activations: ReLU'd normal; weights: normal with outliers)\n\n"
      "Options");
  options.add_options()("help,h", "print this help")("m", po::value(&m)->default_value(m), "rows of A and C")(
      "n", po::value(&n)->default_value(n), "columns of B and C")("k", po::value(&k)->default_value(k),
                                                                  "reduction length")(
      "seed", po::value(&seed)->default_value(seed), "random seed (data and stochastic rounding)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, options), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "mx-demo: %s (see --help)\n", e.what());
    return 2;
  }
  if (vm.count("help")) {
    std::cout << options << "\n";
    return 0;
  }
  if (m < 1 || n < 1 || k < 1 || m > 4096 || n > 4096 || k > 65536) {
    std::fprintf(stderr, "mx-demo: sizes must be in 1..4096 (m, n) and 1..65536 (k)\n");
    return 2;
  }

  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<float> a(size_t(m) * size_t(k)), b(size_t(k) * size_t(n));
  for (auto& x : a) x = std::max(0.0f, normal(rng));                       // activations after ReLU
  for (auto& x : b) x = 0.05f * normal(rng) * (uniform(rng) < 0.01f ? 20.0f : 1.0f);  // weights, 1% outliers

  std::vector<double> exact(size_t(m) * size_t(n), 0.0);
  for (int i = 0; i < m; ++i)
    for (int p = 0; p < k; ++p) {
      const double av = a[size_t(i) * size_t(k) + size_t(p)];
      if (av == 0.0) continue;
      for (int j = 0; j < n; ++j) exact[size_t(i) * size_t(n) + size_t(j)] += av * double(b[size_t(p) * size_t(n) + size_t(j)]);
    }

  std::printf("MX GEMM C[%dx%d] = A[%dx%d] * B[%dx%d], seed %llu, kernel %s\n", m, n, m, k, k, n,
              (unsigned long long)seed, to_string(resolve_kernel(GemmKernel::Auto)));
  std::printf("error vs the exact product of the FP32 inputs (FP32 accumulation per block, as the DPEs do)\n\n");
  std::printf("%-5s %-5s %-13s %9s %12s %12s %12s %10s\n", "A", "B", "rounding", "SQNR dB", "rel. error",
              "max |err|", "mean err", "bytes/val");

  // Plain FP32 for scale: single-precision dot products in K order.
  {
    std::vector<float> c(size_t(m) * size_t(n), 0.0f);
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        float acc = 0.0f;
        for (int p = 0; p < k; ++p) acc += a[size_t(i) * size_t(k) + size_t(p)] * b[size_t(p) * size_t(n) + size_t(j)];
        c[size_t(i) * size_t(n) + size_t(j)] = acc;
      }
    const ErrorStats s = compare(c, exact);
    std::printf("%-5s %-5s %-13s %9.1f %12.3e %12.3e %12.3e %10.3f\n", "FP32", "FP32", "-", s.sqnr_db, s.rel_fro,
                s.max_abs, s.mean, 4.0);
  }

  struct Run { Format fa, fb; Rounding rounding; };
  const Run runs[] = {{Format::MX9, Format::MX9, Rounding::Truncate},    {Format::MX6, Format::MX6, Rounding::Truncate},
                      {Format::MX4, Format::MX4, Rounding::Truncate},    {Format::MX6, Format::MX9, Rounding::Truncate},
                      {Format::MX6, Format::MX6, Rounding::NearestEven}, {Format::MX6, Format::MX6, Rounding::Stochastic},
                      {Format::MX4, Format::MX4, Rounding::NearestEven}, {Format::MX4, Format::MX4, Rounding::Stochastic}};
  for (const Run& run : runs) {
    Rounder rounder{run.rounding, seed};
    ConversionStats stats;
    const MxMatrix qa = to_mx(a.data(), m, k, k, StorageOrder::RowMajor, Blocking::RowBlocks, run.fa, rounder, &stats);
    const MxMatrix qb = to_mx(b.data(), k, n, n, StorageOrder::RowMajor, Blocking::ColumnBlocks, run.fb, rounder, &stats);
    std::vector<float> c(size_t(m) * size_t(n));
    gemm(qa, qb, c.data(), n);
    const ErrorStats s = compare(c, exact);
    const double bytes_per_value = double(qa.bytes.size() + qb.bytes.size()) / double(a.size() + b.size());
    std::printf("%-5s %-5s %-13s %9.1f %12.3e %12.3e %12.3e %10.3f\n", to_string(run.fa), to_string(run.fb),
                to_string(run.rounding), s.sqnr_db, s.rel_fro, s.max_abs, s.mean, bytes_per_value);
  }
  std::printf("\nSQNR = 10 log10(sum exact^2 / sum err^2); rel. error = ||err||_F / ||exact||_F; mean err = average\n"
              "signed error; bytes/val = packed MX bytes of A and B per value (FP32: 4).\n");
  return 0;
}
