// MX GEMM, bit-exact to the block-dot definition (mx.h) and fast.
//
// Why it is exact: inside a block, value i of pair p is ±q_i·2^(K − μ_p) with K = E − 127 − (m − 1). Scaling by
// 2^(1 − μ_p) gives the integer w_i = ±q_i·2^(1 − μ_p) (|w_i| ≤ 254, an int16) and value_i = w_i·2^(K − 1). So the
// block dot is Σ w_a,i·w_b,i · 2^(K_a + K_b − 2): an integer sum of 16 int16 products (|sum| < 2^21, no
// overflow in int32) times a power of two. The integer converts to double exactly, the scale 2^(K_a−1)·2^(K_b−1)
// is an exact double, their product is exact (|·| < 2^21 · 2^252, ≥ 2^-270 when non-zero), and the one
// conversion double → float is the single rounding to FP32 that block_dot() performs. NaN blocks get a NaN
// scale, so any product with them is NaN, as in block_dot(). Accumulation is one FP32 add per block in K order.
//
// Layout after decoding (done once per call, O(M·K + K·N)):
//  A: per row, per block, 8 int32 words, word t = (w_2t, w_2t+1) as two int16; one double scale 2^(K_a − 1).
//  B: panels of kPanel = 32 columns; per panel, per block, per pair t: 32 int32 words (one per column) laid out
//     like A's; per panel, per block: 32 double scales 2^(K_b − 1) (0 for padding columns).
// With that layout an AVX-512 VNNI `vpdpwssd` multiplies one broadcast A word with 16 columns' words and
// accumulates both products of the pair into 16 int32 lanes: 8 instructions per block give the integer sums of
// 16 (row, column) block pairs without any horizontal reduction.
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/mx/matrix.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DACAPO_MX_HAVE_X86 1
#include <immintrin.h>
#else
#define DACAPO_MX_HAVE_X86 0
#endif

namespace dacapo::mx {
namespace {

constexpr int kPanel = 32;    // B columns per panel (two 16-lane vectors)
constexpr int kChunk = 16;    // K blocks per cache chunk (a B panel chunk is 16 KB of words)

struct DecodedA {
  int rows = 0, k_blocks = 0;
  std::vector<int32_t> words;  // [row][block][8]
  std::vector<double> scales;  // [row][block]
};

struct DecodedB {
  int cols = 0, panels = 0, k_blocks = 0;
  std::vector<int32_t> words;  // [panel][block][pair][kPanel]
  std::vector<double> scales;  // [panel][block][kPanel]
};

uint32_t pair_word(int16_t lo, int16_t hi) { return uint32_t(uint16_t(lo)) | (uint32_t(uint16_t(hi)) << 16); }

uint64_t load_le(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t(p[i]) << (8 * i);
  return v;
}

// 2^e as a double for e in the normal double range (here e ∈ [−134, 126]).
double pow2(int e) {
  const uint64_t bits = uint64_t(e + 1023) << 52;
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

// Field extraction from one packed block (same layout as unpack()), straight into the GEMM's integer form.
template <int M>
void decode_words_m(const uint8_t* in, int32_t* words8, double* scale) {
  const int shared = in[0];
  if (shared == 0xFF) {
    for (int t = 0; t < kPairs; ++t) words8[t] = 0;
    *scale = std::numeric_limits<double>::quiet_NaN();
    return;
  }
  const unsigned micro = in[1];
  const unsigned signs = unsigned(in[2]) | (unsigned(in[3]) << 8);
  constexpr uint64_t mask = (uint64_t(1) << M) - 1u;
  // The 16·M magnitude bits: values 0..7 in `lo` (8·M ≤ 56 bits), values 8..15 in `hi`.
  const uint64_t lo = load_le(in + 4, M);
  const uint64_t hi = load_le(in + 4 + M, M);
  for (int t = 0; t < kPairs; ++t) {
    const uint64_t field = t < 4 ? lo : hi;
    const int base = (2 * t % 8) * M;
    const int up = 1 - int((micro >> t) & 1u);  // ×2 when μ_p = 0
    int q0 = int((field >> base) & mask) << up;
    int q1 = int((field >> (base + M)) & mask) << up;
    if ((signs >> (2 * t)) & 1u) q0 = -q0;
    if ((signs >> (2 * t + 1)) & 1u) q1 = -q1;
    words8[t] = int32_t(pair_word(int16_t(q0), int16_t(q1)));
  }
  // 2^(K − 1) with K = E − 127 − (M − 1).
  *scale = pow2(shared - 127 - (M - 1) - 1);
}

void decode_words(const uint8_t* in, Format f, int32_t* words8, double* scale) {
  switch (f) {
    case Format::MX4: decode_words_m<2>(in, words8, scale); break;
    case Format::MX6: decode_words_m<4>(in, words8, scale); break;
    case Format::MX9: decode_words_m<7>(in, words8, scale); break;
  }
}

DecodedA decode_a(const uint8_t* a, Format f, int rows, int k_blocks) {
  DecodedA d;
  d.rows = rows;
  d.k_blocks = k_blocks;
  d.words.resize(size_t(rows) * size_t(k_blocks) * kPairs);
  d.scales.resize(size_t(rows) * size_t(k_blocks));
  const size_t bytes = size_t(packed_bytes(f));
  for (size_t idx = 0; idx < size_t(rows) * size_t(k_blocks); ++idx)
    decode_words(a + idx * bytes, f, &d.words[idx * kPairs], &d.scales[idx]);
  return d;
}

DecodedB decode_b(const uint8_t* b, Format f, int cols, int k_blocks) {
  DecodedB d;
  d.cols = cols;
  d.k_blocks = k_blocks;
  d.panels = (cols + kPanel - 1) / kPanel;
  d.words.assign(size_t(d.panels) * size_t(k_blocks) * kPairs * kPanel, 0);
  d.scales.assign(size_t(d.panels) * size_t(k_blocks) * kPanel, 0.0);
  const size_t bytes = size_t(packed_bytes(f));
  int32_t words8[kPairs];
  for (int n = 0; n < cols; ++n) {
    const int panel = n / kPanel, lane = n % kPanel;
    for (int j = 0; j < k_blocks; ++j) {
      const size_t pj = size_t(panel) * size_t(k_blocks) + size_t(j);
      decode_words(b + (size_t(n) * size_t(k_blocks) + size_t(j)) * bytes, f, words8, &d.scales[pj * kPanel + size_t(lane)]);
      for (int t = 0; t < kPairs; ++t) d.words[(pj * kPairs + size_t(t)) * kPanel + size_t(lane)] = words8[t];
    }
  }
  return d;
}

// Portable kernel: the same arithmetic, one (row, column) at a time.
void gemm_portable(const DecodedA& a, const DecodedB& b, float* c, int ldc, bool accumulate) {
  const int kb = a.k_blocks;
  for (int r = 0; r < a.rows; ++r) {
    for (int n = 0; n < b.cols; ++n) {
      const int panel = n / kPanel, lane = n % kPanel;
      float acc = accumulate ? c[size_t(r) * size_t(ldc) + size_t(n)] : 0.0f;
      for (int j = 0; j < kb; ++j) {
        const int32_t* aw = &a.words[(size_t(r) * size_t(kb) + size_t(j)) * kPairs];
        const size_t pj = size_t(panel) * size_t(kb) + size_t(j);
        int32_t sum = 0;
        for (int t = 0; t < kPairs; ++t) {
          const uint32_t x = uint32_t(aw[t]);
          const uint32_t y = uint32_t(b.words[(pj * kPairs + size_t(t)) * kPanel + size_t(lane)]);
          sum += int32_t(int16_t(uint16_t(x))) * int32_t(int16_t(uint16_t(y))) +
                 int32_t(int16_t(uint16_t(x >> 16))) * int32_t(int16_t(uint16_t(y >> 16)));
        }
        const double scale = a.scales[size_t(r) * size_t(kb) + size_t(j)] * b.scales[pj * kPanel + size_t(lane)];
        acc += float(double(sum) * scale);
      }
      c[size_t(r) * size_t(ldc) + size_t(n)] = acc;
    }
  }
}

#if DACAPO_MX_HAVE_X86
// GCC 12's AVX-512 intrinsics initialise their "undefined" pass-through operands from themselves, which
// -Wmaybe-uninitialized reports at every inlined use (a known false positive of the system headers).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define DACAPO_MX_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vnni")))

bool cpu_has_avx512_vnni() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vnni");
}

// Converts 16 int32 block sums to FP32 block results: exact in double, scaled exactly, rounded once to float.
DACAPO_MX_AVX512 inline __m512 block_results(__m512i sums, __m512d scale_lo, __m512d scale_hi) {
  const __m512d lo = _mm512_mul_pd(_mm512_cvtepi32_pd(_mm512_castsi512_si256(sums)), scale_lo);
  const __m512d hi = _mm512_mul_pd(_mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(sums, 1)), scale_hi);
  return _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo)), _mm512_cvtpd_ps(hi), 1);
}

// MR rows × one 32-column panel, blocks [j0, j1). C tile is loaded (or zeroed) before and stored after.
template <int MR>
DACAPO_MX_AVX512 void tile_avx512(const DecodedA& a, const DecodedB& b, int r0, int panel, int j0, int j1, float* c,
                                  int ldc, bool load_c) {
  const int kb = a.k_blocks;
  const int n0 = panel * kPanel;
  const int valid = b.cols - n0 < kPanel ? b.cols - n0 : kPanel;
  const __mmask16 mask0 = valid >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << valid) - 1u);
  const __mmask16 mask1 = valid >= 32 ? __mmask16(0xFFFF) : valid <= 16 ? __mmask16(0) : __mmask16((1u << (valid - 16)) - 1u);
  __m512 acc[MR][2];
  for (int r = 0; r < MR; ++r) {
    float* row = c + size_t(r0 + r) * size_t(ldc) + size_t(n0);
    acc[r][0] = load_c ? _mm512_maskz_loadu_ps(mask0, row) : _mm512_setzero_ps();
    acc[r][1] = load_c ? _mm512_maskz_loadu_ps(mask1, row + 16) : _mm512_setzero_ps();
  }
  for (int j = j0; j < j1; ++j) {
    const size_t pj = size_t(panel) * size_t(kb) + size_t(j);
    const int32_t* bw = &b.words[pj * kPairs * kPanel];
    __m512i sum[MR][2];
    for (int r = 0; r < MR; ++r) sum[r][0] = sum[r][1] = _mm512_setzero_si512();
    for (int t = 0; t < kPairs; ++t) {
      const __m512i b0 = _mm512_loadu_si512(bw + t * kPanel);
      const __m512i b1 = _mm512_loadu_si512(bw + t * kPanel + 16);
      for (int r = 0; r < MR; ++r) {
        const __m512i aw = _mm512_set1_epi32(a.words[(size_t(r0 + r) * size_t(kb) + size_t(j)) * kPairs + size_t(t)]);
        sum[r][0] = _mm512_dpwssd_epi32(sum[r][0], aw, b0);
        sum[r][1] = _mm512_dpwssd_epi32(sum[r][1], aw, b1);
      }
    }
    const double* bs = &b.scales[pj * kPanel];
    const __m512d s0 = _mm512_loadu_pd(bs), s1 = _mm512_loadu_pd(bs + 8);
    const __m512d s2 = _mm512_loadu_pd(bs + 16), s3 = _mm512_loadu_pd(bs + 24);
    for (int r = 0; r < MR; ++r) {
      const __m512d sa = _mm512_set1_pd(a.scales[size_t(r0 + r) * size_t(kb) + size_t(j)]);
      acc[r][0] = _mm512_add_ps(acc[r][0], block_results(sum[r][0], _mm512_mul_pd(sa, s0), _mm512_mul_pd(sa, s1)));
      acc[r][1] = _mm512_add_ps(acc[r][1], block_results(sum[r][1], _mm512_mul_pd(sa, s2), _mm512_mul_pd(sa, s3)));
    }
  }
  for (int r = 0; r < MR; ++r) {
    float* row = c + size_t(r0 + r) * size_t(ldc) + size_t(n0);
    _mm512_mask_storeu_ps(row, mask0, acc[r][0]);
    _mm512_mask_storeu_ps(row + 16, mask1, acc[r][1]);
  }
}

constexpr int kRowsPerTile = 6;

void gemm_avx512(const DecodedA& a, const DecodedB& b, float* c, int ldc, bool accumulate) {
  const int kb = a.k_blocks;
  if (kb == 0) {  // nothing to accumulate: C = 0 (or unchanged)
    if (!accumulate)
      for (int r = 0; r < a.rows; ++r) std::memset(c + size_t(r) * size_t(ldc), 0, sizeof(float) * size_t(b.cols));
    return;
  }
  for (int j0 = 0; j0 < kb; j0 += kChunk) {
    const int j1 = j0 + kChunk < kb ? j0 + kChunk : kb;
    const bool load_c = accumulate || j0 > 0;
    for (int panel = 0; panel < b.panels; ++panel) {
      int r0 = 0;
      for (; r0 + kRowsPerTile <= a.rows; r0 += kRowsPerTile)
        tile_avx512<kRowsPerTile>(a, b, r0, panel, j0, j1, c, ldc, load_c);
      switch (a.rows - r0) {
        case 5: tile_avx512<5>(a, b, r0, panel, j0, j1, c, ldc, load_c); break;
        case 4: tile_avx512<4>(a, b, r0, panel, j0, j1, c, ldc, load_c); break;
        case 3: tile_avx512<3>(a, b, r0, panel, j0, j1, c, ldc, load_c); break;
        case 2: tile_avx512<2>(a, b, r0, panel, j0, j1, c, ldc, load_c); break;
        case 1: tile_avx512<1>(a, b, r0, panel, j0, j1, c, ldc, load_c); break;
        default: break;
      }
    }
  }
}
#pragma GCC diagnostic pop
#else
bool cpu_has_avx512_vnni() { return false; }
void gemm_avx512(const DecodedA&, const DecodedB&, float*, int, bool) {
  throw std::logic_error("MX GEMM: AVX-512 VNNI kernel not compiled in");
}
#endif

}  // namespace

const char* to_string(GemmKernel k) {
  switch (k) {
    case GemmKernel::Auto: return "auto";
    case GemmKernel::Portable: return "portable";
    case GemmKernel::Avx512Vnni: return "avx512-vnni";
  }
  return "?";
}

GemmKernel resolve_kernel(GemmKernel requested) {
  static const bool has_vnni = cpu_has_avx512_vnni();
  if (requested == GemmKernel::Auto) return has_vnni ? GemmKernel::Avx512Vnni : GemmKernel::Portable;
  if (requested == GemmKernel::Avx512Vnni && !has_vnni)
    throw std::invalid_argument("MX GEMM: this CPU has no AVX-512 VNNI");
  return requested;
}

void gemm_packed(const uint8_t* a, Format fa, int m, const uint8_t* b, Format fb, int n, int k_blocks, float* c,
                 int ldc, bool accumulate, GemmKernel kernel) {
  if (m < 0 || n < 0 || k_blocks < 0)
    throw std::invalid_argument("MX GEMM: negative size m=" + std::to_string(m) + " n=" + std::to_string(n) +
                                " k_blocks=" + std::to_string(k_blocks));
  if (ldc < n || ldc < 1) throw std::invalid_argument("MX GEMM: ldc " + std::to_string(ldc) + " < N " + std::to_string(n));
  if (m == 0 || n == 0) return;
  const DecodedA da = decode_a(a, fa, m, k_blocks);
  const DecodedB db = decode_b(b, fb, n, k_blocks);
  if (resolve_kernel(kernel) == GemmKernel::Avx512Vnni)
    gemm_avx512(da, db, c, ldc, accumulate);
  else
    gemm_portable(da, db, c, ldc, accumulate);
}

}  // namespace dacapo::mx
