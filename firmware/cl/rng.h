// A small seeded generator (SplitMix64) with our own integer/real mappings, so that decisions are identical on
// every compiler and library (the standard distributions are implementation-defined).
#pragma once

#include <cstdint>

namespace dacapo::cl {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [lo, hi] (the modulo bias is below 2^-60 for the small ranges used here).
  int64_t between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }

 private:
  uint64_t state_;
};

// A stateless hash of up to three values into [0, 1): per-frame randomness that does not depend on call order.
inline double hash_unit(uint64_t a, uint64_t b, uint64_t c) {
  SplitMix64 g(a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full ^
               (c + 0x165667B19E3779F9ull) * 0xD6E8FEB86659FD93ull);
  g.next();
  return g.uniform();
}

}  // namespace dacapo::cl
