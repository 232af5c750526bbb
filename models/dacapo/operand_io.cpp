#include "models/dacapo/operand_io.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace dacapo::acc {

void split_bursts(const std::vector<Segment>& segments, uint32_t burst, std::vector<Segment>& out) {
  for (const Segment& s : segments) {
    uint64_t addr = s.addr;
    uint64_t left = s.bytes;
    while (left > 0) {
      const uint64_t to_boundary = burst - (addr % burst);
      const uint64_t n = std::min<uint64_t>(left, to_boundary);
      out.push_back(Segment{addr, static_cast<uint32_t>(n)});
      addr += n;
      left -= n;
    }
  }
}

void coalesce_segments(const std::vector<Segment>& segments, std::vector<Segment>& out) {
  for (const Segment& s : segments) {
    if (s.bytes == 0) continue;
    // Segment lengths stay 32-bit: a merged run longer than that starts a new segment.
    if (!out.empty() && out.back().addr + out.back().bytes == s.addr &&
        uint64_t{out.back().bytes} + s.bytes <= UINT32_MAX) {
      out.back().bytes += s.bytes;
    } else {
      out.push_back(s);
    }
  }
}

uint64_t total_bytes(const std::vector<Segment>& segments) {
  uint64_t t = 0;
  for (const Segment& s : segments) t += s.bytes;
  return t;
}

bool decode_format(uint8_t raw, OperandFormat& out) {
  if (raw & ~(regs::kFormatMask | regs::kColMajor)) return false;
  const uint8_t e = raw & regs::kFormatMask;
  if (e > static_cast<uint8_t>(regs::ElemFormat::MX9)) return false;
  out.elem = static_cast<regs::ElemFormat>(e);
  out.col_major = (raw & regs::kColMajor) != 0;
  return true;
}

mx::Format to_mx(regs::ElemFormat e) {
  switch (e) {
    case regs::ElemFormat::MX4: return mx::Format::MX4;
    case regs::ElemFormat::MX6: return mx::Format::MX6;
    case regs::ElemFormat::MX9: return mx::Format::MX9;
    default: throw std::logic_error("to_mx: FP32 is not an MX format");
  }
}
mx::Format to_mx(regs::Precision p) {
  return p == regs::Precision::MX4 ? mx::Format::MX4 : p == regs::Precision::MX6 ? mx::Format::MX6 : mx::Format::MX9;
}
regs::ElemFormat to_elem(regs::Precision p) {
  return p == regs::Precision::MX4   ? regs::ElemFormat::MX4
         : p == regs::Precision::MX6 ? regs::ElemFormat::MX6
                                     : regs::ElemFormat::MX9;
}
uint32_t format_alignment(regs::ElemFormat e) {
  const uint32_t size = e == regs::ElemFormat::FP32 ? 4 : regs::mx_block_bytes(e);
  return size & (~size + 1);
}

uint64_t k_operand_row_bytes(const KOperand& op, uint64_t outer) {
  if (op.elem != regs::ElemFormat::FP32) return ((op.k + 15) / 16) * regs::mx_block_bytes(op.elem);
  return op.k_contiguous ? 4 * op.k : 4 * outer;
}

namespace {
// K elements [k0, k1) of K blocks [kb0, kb0+nkb), clipped to K.
void k_range(const KOperand& op, uint64_t kb0, uint32_t nkb, uint64_t& k0, uint64_t& k1) {
  k0 = kb0 * 16;
  k1 = std::min<uint64_t>(op.k, (kb0 + nkb) * 16);
}
void clear_lanes_past(mx::Block& b, uint64_t block_k0, uint64_t k) {
  for (int i = 0; i < mx::kBlock; ++i)
    if (block_k0 + uint64_t(i) >= k) {
      b.mag[i] = 0;
      b.sign_bits &= static_cast<uint16_t>(~(1u << i));
    }
}
float load_f32(const uint8_t* p) {
  float v;
  std::memcpy(&v, p, 4);
  return v;
}
}  // namespace

void k_operand_segments(const KOperand& op, uint64_t o0, uint32_t no, uint64_t kb0, uint32_t nkb,
                        std::vector<Segment>& out) {
  if (op.elem != regs::ElemFormat::FP32) {
    const uint32_t bb = regs::mx_block_bytes(op.elem);
    for (uint32_t o = 0; o < no; ++o) out.push_back(Segment{op.addr + (o0 + o) * op.ld + kb0 * bb, nkb * bb});
    return;
  }
  uint64_t k0, k1;
  k_range(op, kb0, nkb, k0, k1);
  if (op.k_contiguous) {
    for (uint32_t o = 0; o < no; ++o)
      out.push_back(Segment{op.addr + (o0 + o) * op.ld + 4 * k0, static_cast<uint32_t>(4 * (k1 - k0))});
  } else {
    for (uint64_t k = k0; k < k1; ++k) out.push_back(Segment{op.addr + k * op.ld + 4 * o0, 4 * no});
  }
}

void k_operand_blocks(const KOperand& op, uint64_t o0, uint32_t no, uint64_t kb0, uint32_t nkb,
                      const uint8_t* bytes, mx::Format fmt, mx::Block* out) {
  (void)o0;
  if (op.elem != regs::ElemFormat::FP32) {
    const mx::Format src = to_mx(op.elem);
    const uint32_t bb = regs::mx_block_bytes(op.elem);
    for (uint32_t o = 0; o < no; ++o)
      for (uint32_t j = 0; j < nkb; ++j) {
        mx::Block b = mx::unpack(bytes + (uint64_t(o) * nkb + j) * bb, src);
        clear_lanes_past(b, (kb0 + j) * 16, op.k);
        out[uint64_t(o) * nkb + j] = b;
      }
    return;
  }
  uint64_t k0, k1;
  k_range(op, kb0, nkb, k0, k1);
  const uint64_t kc = k1 - k0;
  float x[mx::kBlock];
  for (uint32_t o = 0; o < no; ++o)
    for (uint32_t j = 0; j < nkb; ++j) {
      for (int i = 0; i < mx::kBlock; ++i) {
        const uint64_t kk = uint64_t(j) * 16 + uint64_t(i);  // relative to k0
        if (kk >= kc) {
          x[i] = 0.0f;
        } else if (op.k_contiguous) {
          x[i] = load_f32(bytes + (uint64_t(o) * kc + kk) * 4);
        } else {
          x[i] = load_f32(bytes + (kk * no + o) * 4);
        }
      }
      out[uint64_t(o) * nkb + j] = mx::encode(x, fmt);
    }
}

uint64_t ConvGeometry::pixel_bytes() const {
  return elem == regs::ElemFormat::FP32 ? 4ull * in_c : uint64_t(in_c / 16) * regs::mx_block_bytes(elem);
}

void conv_a_spans(const ConvGeometry& g, uint64_t m0, uint32_t nm, uint64_t kb0, uint32_t nkb,
                  std::vector<ConvRowSpan>& spans, std::vector<Segment>& segments) {
  spans.clear();
  const uint64_t ohw = uint64_t(g.out_h()) * g.out_w();
  const uint64_t k_total = uint64_t(g.kernel_h) * g.kernel_w * g.in_c;
  const uint64_t row_k = uint64_t(g.kernel_w) * g.in_c;  // K elements per kernel row
  const uint64_t k0 = kb0 * 16, k1 = std::min<uint64_t>(k_total, (kb0 + nkb) * 16);
  const uint32_t kh_lo = static_cast<uint32_t>(k0 / row_k), kh_hi = static_cast<uint32_t>((k1 - 1) / row_k);
  // Walk the output pixels in order: they form runs of consecutive ow within one (b, oh).
  uint64_t m = m0;
  const uint64_t m_end = m0 + nm;
  std::vector<ConvRowSpan> raw;
  while (m < m_end) {
    const uint32_t b = static_cast<uint32_t>(m / ohw);
    const uint64_t rem = m % ohw;
    const uint32_t oh = static_cast<uint32_t>(rem / g.out_w());
    const uint32_t ow_lo = static_cast<uint32_t>(rem % g.out_w());
    const uint64_t run = std::min<uint64_t>(m_end - m, g.out_w() - ow_lo);
    const uint32_t ow_hi = static_cast<uint32_t>(ow_lo + run - 1);
    const int64_t iw_lo = int64_t(ow_lo) * g.stride - g.pad;
    const int64_t iw_hi = int64_t(ow_hi) * g.stride - g.pad + g.kernel_w - 1;
    const int64_t lo = std::max<int64_t>(0, iw_lo), hi = std::min<int64_t>(int64_t(g.in_w) - 1, iw_hi);
    for (uint32_t kh = kh_lo; kh <= kh_hi && lo <= hi; ++kh) {
      const int64_t ih = int64_t(oh) * g.stride - g.pad + kh;
      if (ih < 0 || ih >= int64_t(g.in_h)) continue;
      raw.push_back(ConvRowSpan{b, static_cast<uint32_t>(ih), static_cast<uint32_t>(lo), static_cast<uint32_t>(hi), 0});
    }
    m += run;
  }
  // One span per (b, ih): merge the pixel ranges of all windows touching that row.
  std::sort(raw.begin(), raw.end(), [](const ConvRowSpan& x, const ConvRowSpan& y) {
    return x.b != y.b ? x.b < y.b : x.ih < y.ih;
  });
  uint64_t offset = 0;
  const uint64_t pix = g.pixel_bytes();
  for (const ConvRowSpan& r : raw) {
    if (!spans.empty() && spans.back().b == r.b && spans.back().ih == r.ih) {
      spans.back().iw_lo = std::min(spans.back().iw_lo, r.iw_lo);
      spans.back().iw_hi = std::max(spans.back().iw_hi, r.iw_hi);
    } else {
      spans.push_back(r);
    }
  }
  for (ConvRowSpan& s : spans) {
    s.offset = offset;
    const uint64_t first_pixel = (uint64_t(s.b) * g.in_h + s.ih) * g.in_w + s.iw_lo;
    const uint64_t bytes = uint64_t(s.iw_hi - s.iw_lo) * g.lda + pix;
    segments.push_back(Segment{g.addr + first_pixel * g.lda, static_cast<uint32_t>(bytes)});
    offset += bytes;
  }
}

void conv_a_blocks(const ConvGeometry& g, uint64_t m0, uint32_t nm, uint64_t kb0, uint32_t nkb,
                   const std::vector<ConvRowSpan>& spans, const uint8_t* bytes, mx::Format fmt, mx::Block* out) {
  const uint64_t ohw = uint64_t(g.out_h()) * g.out_w();
  const uint64_t k_total = uint64_t(g.kernel_h) * g.kernel_w * g.in_c;
  const uint64_t row_k = uint64_t(g.kernel_w) * g.in_c;
  auto find_span = [&](uint32_t b, uint32_t ih) -> const ConvRowSpan* {
    auto it = std::lower_bound(spans.begin(), spans.end(), std::make_pair(b, ih),
                               [](const ConvRowSpan& s, const std::pair<uint32_t, uint32_t>& key) {
                                 return s.b != key.first ? s.b < key.first : s.ih < key.second;
                               });
    return (it != spans.end() && it->b == b && it->ih == ih) ? &*it : nullptr;
  };
  // Output pixel of the current row of A (set per m below) and the last span found (one span serves a whole
  // kernel row, so consecutive elements mostly hit it).
  uint32_t b = 0;
  int64_t oh = 0, ow = 0;
  const ConvRowSpan* last_span = nullptr;
  // Address of input element (b, ih, iw, channel c) in the fetched buffer, or nullptr for zero padding.
  auto element = [&](uint64_t k, uint64_t elem_offset) -> const uint8_t* {
    const int64_t kh = int64_t(k / row_k), kw = int64_t((k % row_k) / g.in_c);
    const int64_t ih = oh * g.stride - g.pad + kh, iw = ow * g.stride - g.pad + kw;
    if (ih < 0 || iw < 0 || ih >= int64_t(g.in_h) || iw >= int64_t(g.in_w)) return nullptr;
    const ConvRowSpan* s = last_span;
    if (!s || s->b != b || s->ih != uint32_t(ih)) s = last_span = find_span(b, static_cast<uint32_t>(ih));
    if (!s || iw < int64_t(s->iw_lo) || iw > int64_t(s->iw_hi))
      throw std::logic_error("conv_a_blocks: element outside the fetched spans");
    return bytes + s->offset + uint64_t(iw - s->iw_lo) * g.lda + elem_offset;
  };
  float x[mx::kBlock];
  for (uint32_t i = 0; i < nm; ++i) {
    const uint64_t m = m0 + i;
    b = static_cast<uint32_t>(m / ohw);
    oh = int64_t((m % ohw) / g.out_w());
    ow = int64_t((m % ohw) % g.out_w());
    for (uint32_t j = 0; j < nkb; ++j) {
      const uint64_t kblk = (kb0 + j) * 16;
      mx::Block& dst = out[uint64_t(i) * nkb + j];
      if (g.elem != regs::ElemFormat::FP32) {
        // in_c % 16 == 0: the block is one stored channel block of one pixel.
        const uint64_t c0 = kblk % g.in_c;
        const uint32_t bb = regs::mx_block_bytes(g.elem);
        const uint8_t* p = element(kblk, (c0 / 16) * bb);
        dst = p ? mx::unpack(p, to_mx(g.elem)) : mx::Block{};
        continue;
      }
      for (int l = 0; l < mx::kBlock; ++l) {
        const uint64_t k = kblk + uint64_t(l);
        if (k >= k_total) {
          x[l] = 0.0f;
          continue;
        }
        const uint8_t* p = element(k, 4 * (k % g.in_c));
        x[l] = p ? load_f32(p) : 0.0f;
      }
      dst = mx::encode(x, fmt);
    }
  }
}

void c_fp32_segments(const COperand& c, uint64_t m0, uint32_t nm, uint64_t n0, uint32_t nn,
                     std::vector<Segment>& out) {
  if (!c.format.col_major) {
    for (uint32_t i = 0; i < nm; ++i) out.push_back(Segment{c.addr + (m0 + i) * c.ld + 4 * n0, 4 * nn});
  } else {
    for (uint32_t j = 0; j < nn; ++j) out.push_back(Segment{c.addr + (n0 + j) * c.ld + 4 * m0, 4 * nm});
  }
}

void c_mx_row_segments(const COperand& c, uint64_t m0, uint32_t nm, uint64_t nb0, uint32_t nnb,
                       std::vector<Segment>& out) {
  const uint32_t bb = regs::mx_block_bytes(c.format.elem);
  for (uint32_t i = 0; i < nm; ++i) out.push_back(Segment{c.addr + (m0 + i) * c.ld + nb0 * bb, nnb * bb});
}

void c_mx_col_segments(const COperand& c, uint64_t mb, uint64_t n0, uint32_t nn, std::vector<Segment>& out) {
  const uint32_t bb = regs::mx_block_bytes(c.format.elem);
  for (uint32_t j = 0; j < nn; ++j) out.push_back(Segment{c.addr + (n0 + j) * c.ld + mb * bb, bb});
}

float epilogue(float acc, bool bias, float bias_value, bool relu) {
  float v = bias ? acc + bias_value : acc;
  if (relu && v < 0.0f) v = 0.0f;  // NaN and -0 pass unchanged
  return v;
}

}  // namespace dacapo::acc
