#include "models/dacapo/descriptor_check.h"

namespace dacapo::acc {
namespace {

using regs::ErrorCode;

__extension__ typedef unsigned __int128 u128;  // exact extents of 32-bit dims x 32-bit strides

bool aligned(uint64_t v, uint32_t a) { return v % a == 0; }

// [addr, addr + bytes) inside DRAM, without overflow.
bool in_dram(uint64_t addr, u128 bytes, const CheckContext& ctx) {
  if (addr < ctx.dram_base) return false;
  const u128 end = static_cast<u128>(addr) + bytes;
  return end <= static_cast<u128>(ctx.dram_base) + ctx.dram_bytes;
}

// Extent in bytes of `outer` strided lines of `line` bytes each, `ld` apart.
u128 extent(uint64_t outer, uint64_t ld, uint64_t line) {
  return static_cast<u128>(outer - 1) * ld + line;
}

}  // namespace

ErrorCode check_descriptor(const regs::Descriptor& d, const CheckContext& ctx, Job& job) {
  job = Job{};
  // --- opcode
  if (d.opcode != static_cast<uint8_t>(regs::Opcode::Gemm) && d.opcode != static_cast<uint8_t>(regs::Opcode::Conv))
    return ErrorCode::BadOpcode;
  job.opcode = static_cast<regs::Opcode>(d.opcode);
  const bool conv = job.opcode == regs::Opcode::Conv;

  // --- formats
  OperandFormat fa, fb, fc;
  if (!decode_format(d.a_format, fa) || !decode_format(d.b_format, fb) || !decode_format(d.c_format, fc))
    return ErrorCode::BadFormat;
  const regs::ElemFormat prec = to_elem(ctx.precision);
  if (fa.is_mx() && (fa.elem != prec || fa.col_major)) return ErrorCode::BadFormat;  // MX A: blocked along K
  if (fb.is_mx() && (fb.elem != prec || !fb.col_major)) return ErrorCode::BadFormat;  // MX B: blocked along K
  if (conv && fa.col_major) return ErrorCode::BadFormat;                               // NHWC input
  const bool accumulate = d.flags & regs::kFlagAccumulate;
  if (accumulate && fc.is_mx()) return ErrorCode::BadFormat;
  if (fc.is_mx() && fc.col_major && ctx.cols % 16 != 0) return ErrorCode::BadFormat;

  // --- dims
  auto bad_dim = [](uint32_t v) { return v == 0 || v > regs::kMaxDim; };
  if (bad_dim(d.m) || bad_dim(d.n) || bad_dim(d.k)) return ErrorCode::BadDims;
  job.m = d.m;
  job.n = d.n;
  job.k = d.k;
  if (conv) {
    ConvGeometry& g = job.conv;
    g = ConvGeometry{d.a_addr, d.lda, fa.elem, d.batch, d.in_h, d.in_w, d.in_c, d.kernel_h, d.kernel_w, d.stride, d.pad};
    if (g.batch == 0 || g.in_h == 0 || g.in_w == 0 || g.in_c == 0 || g.kernel_h == 0 || g.kernel_w == 0 ||
        g.stride == 0)
      return ErrorCode::BadDims;
    if (g.kernel_h > g.in_h + 2 * g.pad || g.kernel_w > g.in_w + 2 * g.pad) return ErrorCode::BadDims;
    if (uint64_t(g.batch) * g.out_h() * g.out_w() != d.m) return ErrorCode::BadDims;
    if (uint64_t(g.kernel_h) * g.kernel_w * g.in_c != d.k) return ErrorCode::BadDims;
    if (fa.is_mx() && g.in_c % 16 != 0) return ErrorCode::BadFormat;  // blocks must not straddle pixels
  }

  // --- rows
  if (ctx.sa_rows == 0) return ErrorCode::NoRows;

  // --- operands
  if (!conv) job.a = KOperand{d.a_addr, d.lda, fa.elem, !fa.col_major, d.k};
  job.b = KOperand{d.b_addr, d.ldb, fb.elem, fb.col_major, d.k};
  job.c = COperand{d.c_addr, d.ldc, fc, d.m, d.n};
  job.accumulate = accumulate;
  job.bias = d.flags & regs::kFlagBias;
  job.relu = d.flags & regs::kFlagRelu;
  job.irq_on_done = d.flags & regs::kFlagIrqOnDone;
  job.bias_addr = d.bias_addr;
  job.tag = d.tag;

  // --- alignment
  const uint32_t al_a = format_alignment(fa.elem), al_b = format_alignment(fb.elem), al_c = format_alignment(fc.elem);
  if (!aligned(d.a_addr, al_a) || !aligned(d.lda, al_a) || !aligned(d.b_addr, al_b) || !aligned(d.ldb, al_b) ||
      !aligned(d.c_addr, al_c) || !aligned(d.ldc, al_c))
    return ErrorCode::BadAlignment;
  if (job.bias && !aligned(d.bias_addr, 4)) return ErrorCode::BadAlignment;

  // --- strides and extents. Line = bytes one stride step must hold; outer = number of strided lines.
  uint64_t a_line, a_outer;
  if (conv) {
    a_line = job.conv.pixel_bytes();
    a_outer = uint64_t(job.conv.batch) * job.conv.in_h * job.conv.in_w;
  } else if (job.a.k_contiguous) {
    a_line = k_operand_row_bytes(job.a, d.m);
    a_outer = d.m;
  } else {
    a_line = 4ull * d.m;
    a_outer = d.k;
  }
  const uint64_t b_line = job.b.k_contiguous ? k_operand_row_bytes(job.b, d.n) : 4ull * d.n;
  const uint64_t b_outer = job.b.k_contiguous ? d.n : d.k;
  uint64_t c_line, c_outer;
  const uint32_t cbb = fc.is_mx() ? regs::mx_block_bytes(fc.elem) : 0;
  if (!fc.is_mx()) {
    c_line = 4ull * (fc.col_major ? d.m : d.n);
    c_outer = fc.col_major ? d.n : d.m;
  } else {
    c_line = uint64_t(cbb) * (fc.col_major ? (d.m + 15) / 16 : (d.n + 15) / 16);
    c_outer = fc.col_major ? d.n : d.m;
  }
  if (d.lda < a_line || d.ldb < b_line || d.ldc < c_line) return ErrorCode::BadStride;

  // --- address ranges
  if (!in_dram(d.a_addr, extent(a_outer, d.lda, a_line), ctx) ||
      !in_dram(d.b_addr, extent(b_outer, d.ldb, b_line), ctx) ||
      !in_dram(d.c_addr, extent(c_outer, d.ldc, c_line), ctx))
    return ErrorCode::BadAddress;
  if (job.bias && !in_dram(d.bias_addr, 4ull * d.n, ctx)) return ErrorCode::BadAddress;
  return ErrorCode::None;
}

}  // namespace dacapo::acc
