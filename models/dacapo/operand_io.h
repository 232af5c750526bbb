// Memory-interface address generation and operand conversion (pure C++, no SystemC).
//
// The memory interface moves operands between DRAM and the SA's SRAM buffers. These functions say *which bytes*
// a tile step needs (as contiguous segments, later split into bursts) and how the fetched bytes become MX blocks
// in the SA's precision (FP32 → MX on the way in, packed MX unpacked, implicit im2col gather), and how results
// are laid out on the way out. The SystemC controller only issues the segments and times them.
#pragma once

#include <cstdint>
#include <vector>

#include "firmware/hal/dacapo_regs.h"
#include "models/mx/mx.h"

namespace dacapo::acc {

struct Segment {
  uint64_t addr = 0;
  uint32_t bytes = 0;
};

// Splits segments into transactions of at most `burst` bytes that do not cross a `burst`-aligned boundary.
void split_bursts(const std::vector<Segment>& segments, uint32_t burst, std::vector<Segment>& out);
// Merges each run of segments where one starts at the byte after the previous one ends into one segment (the
// address generator streams contiguous rows as one transfer). The concatenated bytes, in order, are unchanged.
void coalesce_segments(const std::vector<Segment>& segments, std::vector<Segment>& out);
uint64_t total_bytes(const std::vector<Segment>& segments);

struct OperandFormat {
  regs::ElemFormat elem = regs::ElemFormat::FP32;
  bool col_major = false;
  bool is_mx() const { return elem != regs::ElemFormat::FP32; }
};
// Returns false for unknown element formats or stray bits.
bool decode_format(uint8_t raw, OperandFormat& out);
mx::Format to_mx(regs::ElemFormat e);    // MX4/6/9 only
mx::Format to_mx(regs::Precision p);
regs::ElemFormat to_elem(regs::Precision p);
// Largest power of two dividing the element/block size: FP32 4, MX4 8, MX6 4, MX9 2 (address/stride alignment).
uint32_t format_alignment(regs::ElemFormat e);

// An operand read along the reduction axis K: A (outer index m) or B (outer index n).
// k_contiguous: the K elements of one outer index are contiguous (A row-major, B column-major); MX operands are
// always k-contiguous (blocked along K). Otherwise (FP32 only) outer elements are contiguous for each k.
struct KOperand {
  uint64_t addr = 0;
  uint32_t ld = 0;  // bytes between consecutive outer indices (k-contiguous) or consecutive k (otherwise)
  regs::ElemFormat elem = regs::ElemFormat::FP32;
  bool k_contiguous = true;
  uint64_t k = 0;  // reduction length
};
// Bytes of one outer index's K extent (k-contiguous) or of one k's outer extent (otherwise, for `outer` indices).
uint64_t k_operand_row_bytes(const KOperand& op, uint64_t outer);

// Segments holding outer indices [o0, o0+no) and K blocks [kb0, kb0+nkb).
void k_operand_segments(const KOperand& op, uint64_t o0, uint32_t no, uint64_t kb0, uint32_t nkb,
                        std::vector<Segment>& out);
// Converts the bytes of those segments (concatenated in segment order) into no x nkb blocks (outer-major) in
// format `fmt`. FP32 values are zero-padded past K and encoded with truncation; packed MX blocks are unpacked and
// lanes past K are cleared, so padding never contributes to a dot product.
void k_operand_blocks(const KOperand& op, uint64_t o0, uint32_t no, uint64_t kb0, uint32_t nkb,
                      const uint8_t* bytes, mx::Format fmt, mx::Block* out);

// ---- Implicit im2col of A (opcode CONV) ----
struct ConvGeometry {
  uint64_t addr = 0;
  uint32_t lda = 0;  // bytes per pixel (>= in_c elements)
  regs::ElemFormat elem = regs::ElemFormat::FP32;
  uint32_t batch = 0, in_h = 0, in_w = 0, in_c = 0;
  uint32_t kernel_h = 0, kernel_w = 0, stride = 0, pad = 0;
  uint32_t out_h() const { return (in_h + 2 * pad - kernel_h) / stride + 1; }
  uint32_t out_w() const { return (in_w + 2 * pad - kernel_w) / stride + 1; }
  uint64_t pixel_bytes() const;  // in_c·4 (FP32) or in_c/16 blocks (MX)
};
// The memory interface fetches, for output pixels [m0, m0+nm) and K blocks [kb0, kb0+nkb), each needed input
// row (image b, row ih) once, as the span of pixels the window touches (a line buffer; halo pixels are re-read by
// the next tile). Segments are ordered by (b, ih).
struct ConvRowSpan {
  uint32_t b = 0, ih = 0, iw_lo = 0, iw_hi = 0;  // inclusive pixel range
  uint64_t offset = 0;                           // byte offset of the span in the fetched buffer
};
void conv_a_spans(const ConvGeometry& g, uint64_t m0, uint32_t nm, uint64_t kb0, uint32_t nkb,
                  std::vector<ConvRowSpan>& spans, std::vector<Segment>& segments);
// Builds nm x nkb blocks of the im2col matrix (K ordered (kh, kw, c), c fastest) from the fetched spans.
// MX inputs require in_c % 16 == 0 (each block is one stored channel block of one pixel).
void conv_a_blocks(const ConvGeometry& g, uint64_t m0, uint32_t nm, uint64_t kb0, uint32_t nkb,
                   const std::vector<ConvRowSpan>& spans, const uint8_t* bytes, mx::Format fmt, mx::Block* out);

// ---- Results (C) ----
struct COperand {
  uint64_t addr = 0;
  uint32_t ld = 0;
  OperandFormat format;
  uint64_t m = 0, n = 0;
};
// Layout (see dacapo_regs.h): FP32 row/col-major; MX row-major = blocks along N; MX col-major = blocks along M.
// Segments of the FP32 tile [m0, m0+nm) x [n0, n0+nn) (also used for the accumulate read).
void c_fp32_segments(const COperand& c, uint64_t m0, uint32_t nm, uint64_t n0, uint32_t nn,
                     std::vector<Segment>& out);
// Segments of MX blocks: row-major C: rows [m0, m0+nm), N blocks [nb0, nb0+nnb); col-major C: columns
// [n0, n0+nn), the M block mb (one block; the tile's M range must be block-aligned).
void c_mx_row_segments(const COperand& c, uint64_t m0, uint32_t nm, uint64_t nb0, uint32_t nnb,
                       std::vector<Segment>& out);
void c_mx_col_segments(const COperand& c, uint64_t mb, uint64_t n0, uint32_t nn, std::vector<Segment>& out);

// Precision-conversion unit epilogue: acc (+ bias) then ReLU, in FP32.
float epilogue(float acc, bool bias, float bias_value, bool relu);

}  // namespace dacapo::acc
