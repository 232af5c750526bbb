// Properties of the MX block encoding (DESIGN.md §3) checked against an independent double-precision model.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "models/mx/mx.h"

using namespace dacapo::mx;

namespace {
constexpr Format kFormats[] = {Format::MX4, Format::MX6, Format::MX9};

float from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// Raw FP32 exponent field computed from the value with frexp (not from the bit pattern).
int raw_exponent(float x) {
  if (x == 0.0f) return 0;
  int e2;
  std::frexp(double(x), &e2);           // |x| = f·2^e2, f in [0.5, 1)
  return std::max(0, e2 - 1 + 127);      // subnormals (e2 − 1 < −126) have field 0
}

// Independent model of §3 in double arithmetic: returns the expected block.
Block reference_encode(const float* x, Format f) {
  const int m = mantissa_bits(f);
  Block b;
  int shared = 0;
  for (int i = 0; i < kBlock; ++i) shared = std::max(shared, raw_exponent(x[i]));
  b.shared_exp = uint8_t(shared);
  for (int p = 0; p < kPairs; ++p) {
    const bool micro = std::max(raw_exponent(x[2 * p]), raw_exponent(x[2 * p + 1])) < shared;
    for (int i = 2 * p; i < 2 * p + 2; ++i) {
      const int k = shared - 127 - int(micro) - (m - 1);
      b.mag[size_t(i)] = uint8_t(std::floor(std::fabs(double(x[i])) / std::ldexp(1.0, k)));
      if (std::signbit(x[i])) b.sign_bits = uint16_t(b.sign_bits | (1u << i));
    }
    if (micro) b.micro_bits = uint8_t(b.micro_bits | (1u << p));
  }
  return b;
}

// Random block: a base exponent and a per-element spread, random signs, some zeros and subnormals.
std::array<float, kBlock> random_block(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> base(-140, 120), spread(0, 12), kind(0, 19);
  std::uniform_real_distribution<float> mant(1.0f, 2.0f);
  const int e0 = base(rng), width = spread(rng);
  std::array<float, kBlock> x{};
  for (auto& v : x) {
    const int k = kind(rng);
    if (k == 0) v = 0.0f;
    else if (k == 1) v = -0.0f;
    else if (k == 2) v = from_bits(uint32_t(rng() & 0x807FFFFFu));  // subnormal
    else v = std::ldexp(mant(rng), e0 - int(rng() % uint64_t(width + 1))) * ((rng() & 1) ? -1.0f : 1.0f);
  }
  return x;
}
}  // namespace

TEST_CASE("format helpers", "[mx]") {
  CHECK(mantissa_bits(Format::MX4) == 2);
  CHECK(mantissa_bits(Format::MX6) == 4);
  CHECK(mantissa_bits(Format::MX9) == 7);
  CHECK(packed_bytes(Format::MX4) == 8);
  CHECK(packed_bytes(Format::MX6) == 12);
  CHECK(packed_bytes(Format::MX9) == 18);
  for (Format f : kFormats) CHECK(parse_format(to_string(f)) == f);
  CHECK(parse_format("mx6") == Format::MX6);
  Format out;
  CHECK_FALSE(try_parse_format("MX8", out));
  CHECK_THROWS_AS(parse_format("fp32"), std::invalid_argument);
  CHECK(parse_rounding("nearest-even") == Rounding::NearestEven);
  CHECK_THROWS_AS(parse_rounding("up"), std::invalid_argument);
}

TEST_CASE("encode matches an independent double model and decode errs by less than one LSB", "[mx]") {
  std::mt19937_64 rng(1);
  for (Format f : kFormats) {
    for (int trial = 0; trial < 3000; ++trial) {
      const auto x = random_block(rng);
      const Block b = encode(x.data(), f);
      REQUIRE(b == reference_encode(x.data(), f));
      std::array<float, kBlock> y{};
      decode(b, f, y.data());
      for (int i = 0; i < kBlock; ++i) {
        const double lsb = std::ldexp(1.0, lsb_exponent(b, f, i / 2));
        const double err = std::fabs(double(y[size_t(i)]) - double(x[size_t(i)]));
        REQUIRE(err < lsb);                                          // truncation: error below one LSB
        REQUIRE(std::fabs(y[size_t(i)]) <= std::fabs(x[size_t(i)]));  // towards zero
        REQUIRE(int(b.mag[size_t(i)]) < (1 << mantissa_bits(f)));
        // relative to the block maximum: one LSB is at most 2^(1 − m) of the largest power of two ≤ max
        REQUIRE(lsb <= std::ldexp(1.0, int(b.shared_exp) - 127 - (mantissa_bits(f) - 1)));
      }
    }
  }
}

TEST_CASE("zero and subnormal blocks", "[mx]") {
  for (Format f : kFormats) {
    std::array<float, kBlock> zeros{};
    zeros[3] = -0.0f;
    const Block z = encode(zeros.data(), f);
    CHECK(z.shared_exp == 0);
    CHECK(z.micro_bits == 0);
    CHECK(z.sign_bits == (1u << 3));
    std::array<float, kBlock> y{};
    decode(z, f, y.data());
    for (float v : y) CHECK(v == 0.0f);
    CHECK(std::signbit(y[3]));

    // All subnormal: E = 0, k = −127 − (m − 1); q = floor(significand / 2^(23 − m)).
    std::array<float, kBlock> sub{};
    for (int i = 0; i < kBlock; ++i) sub[size_t(i)] = from_bits(0x00400000u + uint32_t(i) * 0x1234u);
    const Block s = encode(sub.data(), f);
    CHECK(s.shared_exp == 0);
    CHECK(s.micro_bits == 0);
    for (int i = 0; i < kBlock; ++i)
      CHECK(int(s.mag[size_t(i)]) == int((0x00400000u + uint32_t(i) * 0x1234u) >> (23 - mantissa_bits(f))));
  }
}

TEST_CASE("Inf or NaN anywhere makes a NaN block and is counted", "[mx]") {
  const float specials[] = {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN()};
  for (Format f : kFormats) {
    ConversionStats stats;
    std::array<float, kBlock> x{};
    for (int i = 0; i < kBlock; ++i) x[size_t(i)] = float(i) - 7.5f;
    encode(x.data(), f, &stats);
    CHECK(stats.blocks == 1);
    CHECK(stats.nan_blocks == 0);
    int position = 0;
    for (float special : specials) {
      auto bad = x;
      bad[size_t(position)] = special;
      position += 7;
      const Block b = encode(bad.data(), f, &stats);
      CHECK(b.is_nan());
      std::array<float, kBlock> y{};
      decode(b, f, y.data());
      for (float v : y) CHECK(std::isnan(v));
      // A NaN block survives packing, and poisons a dot product with any block.
      std::array<uint8_t, 18> packed{};
      pack(b, f, packed.data());
      CHECK(unpack(packed.data(), f).is_nan());
      CHECK(std::isnan(block_dot(b, f, encode(x.data(), f), Format::MX9)));
    }
    CHECK(stats.blocks == 4);
    CHECK(stats.nan_blocks == 3);
  }
}

TEST_CASE("packed layout: field order and little-endian bit order", "[mx]") {
  Block b;
  b.shared_exp = 0x83;
  b.micro_bits = 0xA5;
  b.sign_bits = 0x1234;
  for (int i = 0; i < kBlock; ++i) b.mag[size_t(i)] = uint8_t(i % 4);
  std::array<uint8_t, 8> mx4{};
  pack(b, Format::MX4, mx4.data());
  // q0..q3 = 0,1,2,3 → 0b11'10'01'00 in each magnitude byte
  CHECK(mx4 == std::array<uint8_t, 8>{0x83, 0xA5, 0x34, 0x12, 0xE4, 0xE4, 0xE4, 0xE4});

  Block c;
  c.mag[1] = 0x7F;   // MX9: q1 occupies bits 7..13 of the magnitude field
  c.mag[15] = 0x41;  // last value: bits 105..111 → byte 4 + 13, bits 1..7
  std::array<uint8_t, 18> mx9{};
  pack(c, Format::MX9, mx9.data());
  CHECK(mx9[4] == 0x80);
  CHECK(mx9[5] == 0x3F);
  CHECK(mx9[17] == uint8_t(0x41 << 1));
  for (int i : {6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}) CHECK(mx9[size_t(i)] == 0);
}

TEST_CASE("pack and unpack round-trip every field", "[mx]") {
  std::mt19937_64 rng(7);
  for (Format f : kFormats) {
    for (int trial = 0; trial < 2000; ++trial) {
      Block b;
      b.shared_exp = uint8_t(rng());
      b.micro_bits = uint8_t(rng());
      b.sign_bits = uint16_t(rng());
      for (auto& q : b.mag) q = uint8_t(rng() & ((1u << mantissa_bits(f)) - 1u));
      std::array<uint8_t, 18> packed{};
      pack(b, f, packed.data());
      REQUIRE(unpack(packed.data(), f) == b);
      for (int i = packed_bytes(f); i < 18; ++i) REQUIRE(packed[size_t(i)] == 0);  // writes exactly packed_bytes
    }
  }
}

TEST_CASE("block dot equals the double-precision dot of the decoded values", "[mx]") {
  std::mt19937_64 rng(3);
  for (Format fa : kFormats) {
    for (Format fb : kFormats) {
      for (int trial = 0; trial < 500; ++trial) {
        const auto x = random_block(rng), w = random_block(rng);
        const Block a = encode(x.data(), fa), b = encode(w.data(), fb);
        std::array<float, kBlock> da{}, db{};
        decode(a, fa, da.data());
        decode(b, fb, db.data());
        // Within one block pair the products span at most 4 binades of ≤ 14-bit integers: exact in double.
        double sum = 0.0;
        for (int i = 0; i < kBlock; ++i) sum += double(da[size_t(i)]) * double(db[size_t(i)]);
        REQUIRE(block_dot_double(a, fa, b, fb) == sum);
        REQUIRE(block_dot(a, fa, b, fb) == float(sum));
      }
    }
  }
}

TEST_CASE("DotBlock reduction equals the FP32 reduction of decoded block dots bit for bit", "[mx]") {
  // Reference: decoded values, each block pair's dot exact in double, one rounding to FP32, FP32 accumulation.
  std::mt19937_64 rng(5);
  auto special = [&](int kind, std::array<float, kBlock>& x) {
    if (kind == 1) x.fill(0.0f);                                                         // zero block
    if (kind == 2) for (float& v : x) v = std::ldexp(v, -140);                          // subnormal inputs
    if (kind == 3) x[size_t(rng() % kBlock)] = std::numeric_limits<float>::quiet_NaN();  // NaN block
    if (kind == 4) for (float& v : x) v = std::ldexp(v, 100);                           // huge
  };
  for (Format fa : kFormats) {
    for (Format fb : kFormats) {
      for (int trial = 0; trial < 300; ++trial) {
        const size_t n = 1 + rng() % 9;
        std::vector<Block> a(n), b(n);
        std::vector<DotBlock> da(n), db(n);
        float expected = float(int(rng() % 200) - 100) * 0.37f;
        const float init = expected;
        bool nan = false;
        for (size_t j = 0; j < n; ++j) {
          auto x = random_block(rng), w = random_block(rng);
          special(int(rng() % 12), x);
          special(int(rng() % 12), w);
          a[j] = encode(x.data(), fa);
          b[j] = encode(w.data(), fb);
          da[j] = to_dot_block(a[j], fa);
          db[j] = to_dot_block(b[j], fb);
          std::array<float, kBlock> va{}, vb{};
          decode(a[j], fa, va.data());
          decode(b[j], fb, vb.data());
          double sum = 0.0;
          for (int i = 0; i < kBlock; ++i) sum += double(va[size_t(i)]) * double(vb[size_t(i)]);
          nan = nan || a[j].is_nan() || b[j].is_nan();
          expected += float(sum);
        }
        const float got = dot(da.data(), db.data(), n, init);
        if (nan || std::isnan(expected)) {
          REQUIRE(std::isnan(got) == std::isnan(expected));
        } else {
          uint32_t g, e;
          std::memcpy(&g, &got, 4);
          std::memcpy(&e, &expected, 4);
          REQUIRE(g == e);
        }
        // The block-struct API agrees bit for bit (NaN payloads aside: which NaN an FP32 add of two NaNs returns
        // depends on the compiler's operand order).
        const float old_api = dot(a.data(), fa, b.data(), fb, n, init);
        if (nan || std::isnan(old_api)) {
          REQUIRE(std::isnan(old_api) == std::isnan(got));
        } else {
          REQUIRE(std::memcmp(&old_api, &got, 4) == 0);
        }
      }
    }
  }
}

TEST_CASE("round-half-to-even: ties to even, saturation at 2^m - 1, error at most half an LSB", "[mx]") {
  // MX9 block with max 1.0 (E = 127): pair 0 has μ = 0, so k = −6 and x = t·2^-6 maps to t.
  auto with_pair0 = [](float second) {
    std::array<float, kBlock> x{};
    x[0] = 1.0f;
    x[1] = second;
    return x;
  };
  const struct { double t; int rne; int trunc; } cases[] = {
      {40.5, 40, 40}, {41.5, 42, 41}, {41.25, 41, 41}, {41.75, 42, 41}, {126.5, 126, 126}, {127.5, 127, 127}};
  for (const auto& tc : cases) {
    INFO("t = " << tc.t);
    const auto x = with_pair0(float(std::ldexp(tc.t, -6)));
    Rounder rne = Rounder::nearest_even();
    CHECK(int(encode(x.data(), Format::MX9, rne).mag[1]) == tc.rne);
    CHECK(int(encode(x.data(), Format::MX9).mag[1]) == tc.trunc);
  }
  std::mt19937_64 rng(11);
  for (Format f : kFormats) {
    for (int trial = 0; trial < 1000; ++trial) {
      const auto x = random_block(rng);
      Rounder rne = Rounder::nearest_even();
      const Block b = encode(x.data(), f, rne);
      const Block t = encode(x.data(), f);
      REQUIRE(b.shared_exp == t.shared_exp);
      REQUIRE(b.micro_bits == t.micro_bits);
      std::array<float, kBlock> y{};
      decode(b, f, y.data());
      for (int i = 0; i < kBlock; ++i) {
        const double lsb = std::ldexp(1.0, lsb_exponent(b, f, i / 2));
        const double err = std::fabs(double(y[size_t(i)]) - double(x[size_t(i)]));
        const bool saturated = int(b.mag[size_t(i)]) == (1 << mantissa_bits(f)) - 1;
        REQUIRE((err <= lsb / 2 || (saturated && err < lsb)));
      }
    }
  }
}

TEST_CASE("stochastic rounding: deterministic per seed, one of the two neighbours, unbiased", "[mx]") {
  std::array<float, kBlock> x{};
  x[0] = 1.0f;                               // E = 127, pair 0 has μ = 0: k = −6 for MX9
  x[1] = float(std::ldexp(40.25, -6));       // 40.25 LSB
  for (int i = 2; i < kBlock; ++i) x[size_t(i)] = float(std::ldexp(13.7 + i, -6));

  Rounder r1 = Rounder::stochastic(42), r2 = Rounder::stochastic(42), r3 = Rounder::stochastic(43);
  bool any_difference = false;
  double sum = 0.0;
  const int n = 20000;
  for (int trial = 0; trial < n; ++trial) {
    const Block a = encode(x.data(), Format::MX9, r1);
    const Block b = encode(x.data(), Format::MX9, r2);
    const Block c = encode(x.data(), Format::MX9, r3);
    REQUIRE(a == b);
    any_difference = any_difference || a != c;
    REQUIRE((a.mag[1] == 40 || a.mag[1] == 41));
    sum += a.mag[1];
  }
  CHECK(any_difference);
  // Mean of a Bernoulli(0.25) offset: standard error sqrt(0.25·0.75/n) ≈ 0.0031; allow 5 of them.
  CHECK(std::fabs(sum / n - 40.25) < 5 * std::sqrt(0.25 * 0.75 / n));
}
