// MX block numbers (DESIGN.md §3): MX4 / MX6 / MX9 with a shared 8-bit exponent per block of 16 values and a
// 1-bit micro-exponent per pair of values. Pure C++17, no SystemC; used by the accelerator's DPE rows, the
// precision-conversion units, the memory interface and the host tools.
//
// Definitions (normative, DESIGN.md §3). For a block of 16 FP32 values x_i with raw exponent fields e_i:
//   E    = max_i e_i                                  shared exponent (biased, not clamped)
//   μ_p  = 1 iff max(e_2p, e_2p+1) < E                micro-exponent of pair p = {2p, 2p+1}
//   k_p  = (E − 127) − μ_p − (m − 1)                  weight of the magnitude LSB (m = mantissa_bits(fmt))
//   q_i  = floor(|x_i| / 2^k_p) ∈ [0, 2^m − 1]       truncation (what the hardware does)
//   v_i  = (−1)^s_i · q_i · 2^k_p                     decoded value (exact in FP32)
// Any Inf/NaN input makes the whole block NaN (stored as E = 255 with all other fields zero).
// Dot product of two blocks: the exact integer sum of q_a·q_b scaled per pair by 2^(k_a + k_b), rounded once to
// FP32 (round to nearest even); across blocks a DPE accumulates in FP32.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace dacapo::mx {

enum class Format : uint8_t { MX4, MX6, MX9 };

constexpr int kBlock = 16;  // values per block
constexpr int kPairs = 8;   // micro-exponent pairs per block

// Magnitude bits m per value (the sign is stored separately): 2 / 4 / 7.
constexpr int mantissa_bits(Format f) { return f == Format::MX4 ? 2 : f == Format::MX6 ? 4 : 7; }
// Bits per value in packed storage (sign + magnitude + the amortised exponents): 4 / 6 / 9.
constexpr int bits_per_value(Format f) { return mantissa_bits(f) + 2; }
// Bytes of one packed block: E (1) + μ (1) + signs (2) + magnitudes (16·m/8) → 8 / 12 / 18.
constexpr int packed_bytes(Format f) { return 4 + 2 * mantissa_bits(f); }

// "MX4" / "MX6" / "MX9" (case-insensitive). parse_format throws std::invalid_argument naming the text;
// try_parse_format returns false instead.
Format parse_format(std::string_view text);
bool try_parse_format(std::string_view text, Format& out);
const char* to_string(Format f);

// How |x| / 2^k_p becomes an integer magnitude.
//  Truncate:    floor (the DaCapo hardware; default everywhere).
//  NearestEven: round half to even (AMD Quark's variant); a result of 2^m saturates to 2^m − 1, the shared and
//               micro exponents are the same as for truncation.
//  Stochastic:  floor(t + u) with u uniform in [0, 1) drawn from a seeded SplitMix64 stream (53-bit u), one draw
//               per element in element order, also for zeros, so the stream position depends only on the number
//               of values converted. Unbiased except where 2^m − 1 saturates. Deterministic for a given seed.
enum class Rounding : uint8_t { Truncate, NearestEven, Stochastic };
Rounding parse_rounding(std::string_view text);  // "truncate" | "nearest-even" | "stochastic"; throws
const char* to_string(Rounding r);

// Rounding mode plus the state of the stochastic generator. Passed by reference because stochastic rounding
// advances the state; for the other modes the state is unused.
struct Rounder {
  Rounding mode = Rounding::Truncate;
  uint64_t state = 0;  // SplitMix64 state; seed it with the run's seed

  static Rounder truncate() { return {Rounding::Truncate, 0}; }
  static Rounder nearest_even() { return {Rounding::NearestEven, 0}; }
  static Rounder stochastic(uint64_t seed) { return {Rounding::Stochastic, seed}; }
  // Next uniform draw in [0, 1) with 53 random bits (exposed for tests).
  double next_uniform();
};

// Counters of a precision-conversion unit. Pass one to the encoders to have it updated; optional everywhere.
struct ConversionStats {
  uint64_t blocks = 0;      // blocks encoded
  uint64_t nan_blocks = 0;  // blocks that held an Inf or NaN and were stored as a NaN block
};

// One encoded block (unpacked fields).
struct Block {
  uint8_t shared_exp = 0;          // E, raw biased FP32 exponent field; 255 marks a NaN block
  uint8_t micro_bits = 0;          // bit p = μ_p
  uint16_t sign_bits = 0;          // bit i = sign of element i
  std::array<uint8_t, kBlock> mag{};  // q_i, each < 2^m

  bool is_nan() const { return shared_exp == 0xFF; }
  bool micro(int pair) const { return (micro_bits >> pair) & 1u; }
  bool sign(int i) const { return (sign_bits >> i) & 1u; }
  friend bool operator==(const Block& a, const Block& b) {
    return a.shared_exp == b.shared_exp && a.micro_bits == b.micro_bits && a.sign_bits == b.sign_bits &&
           a.mag == b.mag;
  }
  friend bool operator!=(const Block& a, const Block& b) { return !(a == b); }
};

// Exponent of the magnitude LSB of pair p: k_p = (E − 127) − μ_p − (m − 1).
inline int lsb_exponent(const Block& b, Format f, int pair) {
  return int(b.shared_exp) - 127 - int(b.micro(pair)) - (mantissa_bits(f) - 1);
}

// Encode 16 FP32 values (x16[0..15]) with truncation, or with the given rounder.
Block encode(const float* x16, Format f, ConversionStats* stats = nullptr);
Block encode(const float* x16, Format f, Rounder& rounder, ConversionStats* stats = nullptr);

// Decode to 16 FP32 values (all quiet NaN for a NaN block).
void decode(const Block& b, Format f, float* out16);
// Quantize→dequantize in one step (encode + decode).
void quantize(const float* x16, Format f, float* out16, ConversionStats* stats = nullptr);

// Packed storage (DESIGN.md §3.7): [E:8][μ0..μ7:8][s0..s15:16][q0..q15: 16·m], fields in that order, each field
// least significant bit first, bits filled into bytes from bit 0 upwards (little-endian bit order).
// pack writes packed_bytes(f) bytes; unpack reads them. unpack masks nothing: the layout has no spare bits.
void pack(const Block& b, Format f, uint8_t* out);
Block unpack(const uint8_t* in, Format f);

// One DPE operation: exact dot product of two blocks (formats may differ), rounded once to FP32. NaN if either
// block is NaN. Also available as the exact value in double (every block dot is exactly representable there)
// and as the integer form sum · 2^scale_exp, so tests can check exactness.
struct ExactBlockDot {
  int64_t sum = 0;    // Σ_p Σ_{i∈p} (±q_a,i·q_b,i) · 2^(k_a,p + k_b,p − scale_exp)
  int scale_exp = 0;  // K_a + K_b − 2 with K = E − 127 − (m − 1): the smallest possible k_a,p + k_b,p
  bool nan = false;
};
ExactBlockDot block_dot_exact(const Block& a, Format fa, const Block& b, Format fb);
double block_dot_double(const Block& a, Format fa, const Block& b, Format fb);
float block_dot(const Block& a, Format fa, const Block& b, Format fb);

// A DPE's reduction over n blocks: acc = init; for each block j in order: acc = fp32(acc + block_dot(a[j], b[j])).
float dot(const Block* a, Format fa, const Block* b, Format fb, size_t n_blocks, float init = 0.0f);

// A block in the integer form a DPE multiplies (the same as the GEMM kernel's, gemm.cpp): value i of pair p is
// ±q_i·2^(K − μ_p) with K = E − 127 − (m − 1), so w_i = ±q_i·2^(1 − μ_p) (|w_i| ≤ 254) is an integer and
// value_i = w_i · scale with scale = 2^(K − 1) (a quiet NaN for a NaN block). The exact block dot is then
// Σ w_a,i·w_b,i (|Σ| < 2^20) · scale_a · scale_b, exact in double; one conversion to FP32 is block_dot()'s single
// rounding. Convert once per operand (a block is reused by a whole row or column of the array), then dot many times.
struct DotBlock {
  std::array<int16_t, kBlock> w{};
  double scale = 0.0;
};
DotBlock to_dot_block(const Block& b, Format f);
// Bit for bit the same as dot() on the original blocks: acc = init; acc = fp32(acc + block dot) per block in order.
float dot(const DotBlock* a, const DotBlock* b, size_t n_blocks, float init = 0.0f);

}  // namespace dacapo::mx
