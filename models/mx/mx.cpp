#include "models/mx/mx.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace dacapo::mx {
namespace {

uint32_t bits_of(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// 2^e as a float for e in [−149, 127] (subnormal powers included).
float pow2f(int e) {
  const uint32_t bits = e >= -126 ? uint32_t(e + 127) << 23 : uint32_t(1) << (e + 149);
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Integer magnitude of |x| / 2^k for a finite FP32 bit pattern, rounded per the rounder, limited to max_q.
// |x| = significand · 2^(eff_exp − 150) with eff_exp = max(e, 1) (subnormals use their exact value).
uint32_t magnitude(uint32_t bits, int k, uint32_t max_q, Rounder& rounder) {
  const int e = int((bits >> 23) & 0xFF);
  const uint32_t significand = (bits & 0x7FFFFFu) | (e != 0 ? 0x800000u : 0u);
  const int eff_exp = e != 0 ? e : 1;
  // q = significand · 2^shift with shift = eff_exp − 150 − k; shift < 0 always (the block max is ≥ this value).
  const int right = k - (eff_exp - 150);
  uint32_t q = right >= 32 ? 0u : significand >> right;
  switch (rounder.mode) {
    case Rounding::Truncate:
      break;
    case Rounding::NearestEven: {
      // For right ≥ 32 the dropped part (the whole significand, < 2^24) is below half an LSB.
      if (right >= 1 && right < 32) {
        const uint32_t rem = significand & ((1u << right) - 1u);
        const uint32_t half = 1u << (right - 1);
        if (rem > half || (rem == half && (q & 1u))) ++q;
      }
      break;
    }
    case Rounding::Stochastic: {
      const double u = rounder.next_uniform();
      // Fraction of an LSB that truncation dropped: exact in double (≤ 24 significant bits).
      const double t = std::ldexp(double(significand), -right);
      const double frac = t - std::floor(t);
      if (u < frac) ++q;
      break;
    }
  }
  return q > max_q ? max_q : q;
}

}  // namespace

double Rounder::next_uniform() { return double(splitmix64(state) >> 11) * 0x1.0p-53; }

Format parse_format(std::string_view text) {
  Format f;
  if (!try_parse_format(text, f))
    throw std::invalid_argument("unknown MX format '" + std::string(text) + "' (expected MX4, MX6 or MX9)");
  return f;
}

bool try_parse_format(std::string_view text, Format& out) {
  if (iequals(text, "MX4")) out = Format::MX4;
  else if (iequals(text, "MX6")) out = Format::MX6;
  else if (iequals(text, "MX9")) out = Format::MX9;
  else return false;
  return true;
}

const char* to_string(Format f) {
  switch (f) {
    case Format::MX4: return "MX4";
    case Format::MX6: return "MX6";
    case Format::MX9: return "MX9";
  }
  return "MX?";
}

Rounding parse_rounding(std::string_view text) {
  if (iequals(text, "truncate")) return Rounding::Truncate;
  if (iequals(text, "nearest-even") || iequals(text, "rne")) return Rounding::NearestEven;
  if (iequals(text, "stochastic")) return Rounding::Stochastic;
  throw std::invalid_argument("unknown rounding mode '" + std::string(text) +
                              "' (expected truncate, nearest-even or stochastic)");
}

const char* to_string(Rounding r) {
  switch (r) {
    case Rounding::Truncate: return "truncate";
    case Rounding::NearestEven: return "nearest-even";
    case Rounding::Stochastic: return "stochastic";
  }
  return "?";
}

// Truncation (the hardware's and the default everywhere) without the rounder dispatch: the same arithmetic as
// magnitude() with Rounding::Truncate, in loops the compiler can vectorise.
Block encode(const float* x16, Format f, ConversionStats* stats) {
  uint32_t bits[kBlock];
  std::memcpy(bits, x16, sizeof bits);
  int exps[kBlock];
  int shared = 0;
  for (int i = 0; i < kBlock; ++i) {
    exps[i] = int((bits[i] >> 23) & 0xFF);
    shared = exps[i] > shared ? exps[i] : shared;
  }
  Block b;
  if (stats) ++stats->blocks;
  if (shared == 0xFF) {
    b.shared_exp = 0xFF;
    if (stats) ++stats->nan_blocks;
    return b;
  }
  const int m = mantissa_bits(f);
  const uint32_t max_q = (1u << m) - 1u;
  b.shared_exp = uint8_t(shared);
  unsigned micro = 0;
  for (int p = 0; p < kPairs; ++p) {
    const int pair_max = exps[2 * p] > exps[2 * p + 1] ? exps[2 * p] : exps[2 * p + 1];
    micro |= unsigned(pair_max < shared) << p;
  }
  b.micro_bits = uint8_t(micro);
  unsigned signs = 0;
  for (int i = 0; i < kBlock; ++i) {
    const int e = exps[i];
    const uint32_t significand = (bits[i] & 0x7FFFFFu) | (e != 0 ? 0x800000u : 0u);
    const int eff_exp = e != 0 ? e : 1;
    const int k = shared - 127 - int((micro >> (i / 2)) & 1u) - (m - 1);
    const int right = k - (eff_exp - 150);
    const uint32_t q = right >= 32 ? 0u : significand >> right;
    b.mag[size_t(i)] = uint8_t(q > max_q ? max_q : q);
    signs |= (bits[i] >> 31) << i;
  }
  b.sign_bits = uint16_t(signs);
  return b;
}

Block encode(const float* x16, Format f, Rounder& rounder, ConversionStats* stats) {
  std::array<uint32_t, kBlock> bits;
  std::array<int, kBlock> exps;
  int shared = 0;
  for (int i = 0; i < kBlock; ++i) {
    bits[i] = bits_of(x16[i]);
    exps[i] = int((bits[i] >> 23) & 0xFF);
    if (exps[i] > shared) shared = exps[i];
  }
  Block b;
  if (stats) ++stats->blocks;
  if (shared == 0xFF) {  // Inf or NaN somewhere: the whole block is NaN
    b.shared_exp = 0xFF;
    if (stats) ++stats->nan_blocks;
    // Keep the stochastic stream position independent of the data.
    if (rounder.mode == Rounding::Stochastic)
      for (int i = 0; i < kBlock; ++i) rounder.next_uniform();
    return b;
  }
  const int m = mantissa_bits(f);
  const uint32_t max_q = (1u << m) - 1u;
  b.shared_exp = uint8_t(shared);
  for (int p = 0; p < kPairs; ++p) {
    const int pair_max = exps[2 * p] > exps[2 * p + 1] ? exps[2 * p] : exps[2 * p + 1];
    if (pair_max < shared) b.micro_bits |= uint8_t(1u << p);
  }
  for (int i = 0; i < kBlock; ++i) {
    const int k = lsb_exponent(b, f, i / 2);
    b.mag[i] = uint8_t(magnitude(bits[i], k, max_q, rounder));
    if (bits[i] >> 31) b.sign_bits |= uint16_t(1u << i);
  }
  return b;
}

void decode(const Block& b, Format f, float* out16) {
  if (b.is_nan()) {
    for (int i = 0; i < kBlock; ++i) out16[i] = std::numeric_limits<float>::quiet_NaN();
    return;
  }
  for (int i = 0; i < kBlock; ++i) {
    const float v = float(b.mag[i]) * pow2f(lsb_exponent(b, f, i / 2));  // exact: ≤ 7 bits, ≥ 2^-134
    out16[i] = b.sign(i) ? -v : v;
  }
}

void quantize(const float* x16, Format f, float* out16, ConversionStats* stats) {
  decode(encode(x16, f, stats), f, out16);
}

// The 16·m magnitude bits split at value 8: values 0..7 fill exactly m bytes (8·m bits), values 8..15 the next m
// bytes, so each half is one little-endian word of at most 56 bits.
void pack(const Block& b, Format f, uint8_t* out) {
  const int m = mantissa_bits(f);
  out[0] = b.shared_exp;
  out[1] = b.micro_bits;
  out[2] = uint8_t(b.sign_bits & 0xFF);
  out[3] = uint8_t(b.sign_bits >> 8);
  for (int half = 0; half < 2; ++half) {
    uint64_t word = 0;
    for (int i = 0; i < 8; ++i) word |= uint64_t(b.mag[size_t(8 * half + i)] & ((1u << m) - 1u)) << (i * m);
    for (int byte = 0; byte < m; ++byte) out[4 + half * m + byte] = uint8_t(word >> (8 * byte));
  }
}

Block unpack(const uint8_t* in, Format f) {
  const int m = mantissa_bits(f);
  Block b;
  b.shared_exp = in[0];
  b.micro_bits = in[1];
  b.sign_bits = uint16_t(in[2] | (in[3] << 8));
  for (int half = 0; half < 2; ++half) {
    uint64_t word = 0;
    for (int byte = 0; byte < m; ++byte) word |= uint64_t(in[4 + half * m + byte]) << (8 * byte);
    for (int i = 0; i < 8; ++i) b.mag[size_t(8 * half + i)] = uint8_t((word >> (i * m)) & ((1u << m) - 1u));
  }
  return b;
}

ExactBlockDot block_dot_exact(const Block& a, Format fa, const Block& b, Format fb) {
  ExactBlockDot d;
  const int ka = int(a.shared_exp) - 127 - (mantissa_bits(fa) - 1);
  const int kb = int(b.shared_exp) - 127 - (mantissa_bits(fb) - 1);
  d.scale_exp = ka + kb - 2;
  d.nan = a.is_nan() || b.is_nan();
  if (d.nan) return d;
  for (int p = 0; p < kPairs; ++p) {
    int64_t pair_sum = 0;
    for (int i = 2 * p; i < 2 * p + 2; ++i) {
      const int64_t prod = int64_t(a.mag[i]) * int64_t(b.mag[i]);
      pair_sum += (a.sign(i) != b.sign(i)) ? -prod : prod;
    }
    // k_a,p + k_b,p − scale_exp = 2 − μ_a,p − μ_b,p ∈ {0, 1, 2}
    d.sum += pair_sum * (int64_t(1) << (2 - int(a.micro(p)) - int(b.micro(p))));
  }
  return d;
}

double block_dot_double(const Block& a, Format fa, const Block& b, Format fb) {
  const ExactBlockDot d = block_dot_exact(a, fa, b, fb);
  if (d.nan) return std::numeric_limits<double>::quiet_NaN();
  // |sum| < 2^21 and scale_exp ∈ [−270, 252]: the product is exact in double.
  return std::ldexp(double(d.sum), d.scale_exp);
}

float block_dot(const Block& a, Format fa, const Block& b, Format fb) {
  return float(block_dot_double(a, fa, b, fb));  // the single rounding to FP32 (nearest even)
}

float dot(const Block* a, Format fa, const Block* b, Format fb, size_t n_blocks, float init) {
  float acc = init;
  for (size_t j = 0; j < n_blocks; ++j) acc += block_dot(a[j], fa, b[j], fb);
  return acc;
}

DotBlock to_dot_block(const Block& b, Format f) {
  DotBlock d;
  if (b.is_nan()) {
    d.scale = std::numeric_limits<double>::quiet_NaN();
    return d;
  }
  for (int i = 0; i < kBlock; ++i) {
    const int w = int(b.mag[size_t(i)]) << (1 - int(b.micro(i / 2)));
    d.w[size_t(i)] = int16_t(b.sign(i) ? -w : w);
  }
  // 2^(K − 1), K = E − 127 − (m − 1): exponent in [−134, 126], a normal double.
  const int e = int(b.shared_exp) - 127 - (mantissa_bits(f) - 1) - 1;
  const uint64_t scale_bits = uint64_t(e + 1023) << 52;
  std::memcpy(&d.scale, &scale_bits, sizeof d.scale);
  return d;
}

float dot(const DotBlock* a, const DotBlock* b, size_t n_blocks, float init) {
  float acc = init;
  for (size_t j = 0; j < n_blocks; ++j) {
    int32_t sum = 0;
    for (int i = 0; i < kBlock; ++i) sum += int32_t(a[j].w[size_t(i)]) * int32_t(b[j].w[size_t(i)]);
    // Exact: |sum| < 2^20 and the scales are powers of two whose product stays a normal double (NaN propagates).
    acc += float(double(sum) * (a[j].scale * b[j].scale));
  }
  return acc;
}

}  // namespace dacapo::mx
