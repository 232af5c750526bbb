#include "test/nn/acc_compute.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "models/mx/matrix.h"

namespace dacapo::nn_test {

namespace {

float load(const fw::FakeBoard& board, uint64_t addr) {
  float v = 0;
  board.dram_read(addr, &v, 4);
  return v;
}

// Operand (rows × cols) as a row-major host matrix, from an FP32 row- or column-major DRAM matrix.
std::vector<float> read_matrix(const fw::FakeBoard& board, uint64_t addr, uint8_t format, uint32_t ld,
                               uint32_t rows, uint32_t cols) {
  if ((format & regs::kFormatMask) != static_cast<uint8_t>(regs::ElemFormat::FP32))
    throw std::logic_error("nn test double: MX operands are not implemented");
  const bool col_major = format & regs::kColMajor;
  std::vector<float> m(size_t(rows) * cols);
  for (uint32_t i = 0; i < rows; ++i)
    for (uint32_t j = 0; j < cols; ++j)
      m[size_t(i) * cols + j] = load(board, col_major ? addr + uint64_t(j) * ld + 4ull * i : addr + uint64_t(i) * ld + 4ull * j);
  return m;
}

// The memif's implicit im2col: row (image, oy, ox), column (ky, kx, c), zero outside the image.
std::vector<float> gather_conv(const fw::FakeBoard& board, const regs::Descriptor& d) {
  if ((d.a_format & regs::kFormatMask) != static_cast<uint8_t>(regs::ElemFormat::FP32))
    throw std::logic_error("nn test double: MX conv input is not implemented");
  const int oh = (d.in_h + 2 * d.pad - d.kernel_h) / d.stride + 1;
  const int ow = (d.in_w + 2 * d.pad - d.kernel_w) / d.stride + 1;
  if (uint64_t(d.batch) * oh * ow != d.m || uint32_t(d.kernel_h) * d.kernel_w * d.in_c != d.k)
    throw std::logic_error("nn test double: conv geometry does not match M/K");
  std::vector<float> a(size_t(d.m) * d.k, 0.0f);
  size_t row = 0;
  for (uint32_t b = 0; b < d.batch; ++b)
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox, ++row)
        for (int ky = 0; ky < d.kernel_h; ++ky)
          for (int kx = 0; kx < d.kernel_w; ++kx) {
            const int y = oy * d.stride + ky - d.pad, x = ox * d.stride + kx - d.pad;
            if (y < 0 || x < 0 || y >= d.in_h || x >= d.in_w) continue;
            const uint64_t pixel = d.a_addr + ((uint64_t(b) * d.in_h + y) * d.in_w + x) * d.lda;
            for (int c = 0; c < d.in_c; ++c)
              a[row * d.k + (size_t(ky) * d.kernel_w + kx) * d.in_c + c] = load(board, pixel + 4ull * c);
          }
  return a;
}

mx::Format mx_format(regs::Precision p) {
  return p == regs::Precision::MX4 ? mx::Format::MX4 : p == regs::Precision::MX6 ? mx::Format::MX6 : mx::Format::MX9;
}

}  // namespace

std::function<void(const regs::Descriptor&, regs::Precision, fw::FakeBoard&)> make_compute(Arithmetic arithmetic) {
  return [arithmetic](const regs::Descriptor& d, regs::Precision p, fw::FakeBoard& board) {
    const uint32_t m = d.m, n = d.n, k = d.k;
    const std::vector<float> a = d.opcode == static_cast<uint8_t>(regs::Opcode::Conv)
                                     ? gather_conv(board, d)
                                     : read_matrix(board, d.a_addr, d.a_format, d.lda, m, k);
    const std::vector<float> b = read_matrix(board, d.b_addr, d.b_format, d.ldb, k, n);
    if ((d.c_format & regs::kFormatMask) != static_cast<uint8_t>(regs::ElemFormat::FP32))
      throw std::logic_error("nn test double: MX results are not implemented");
    const bool c_col = d.c_format & regs::kColMajor;
    const auto c_addr = [&](uint32_t i, uint32_t j) {
      return c_col ? d.c_addr + uint64_t(j) * d.ldc + 4ull * i : d.c_addr + uint64_t(i) * d.ldc + 4ull * j;
    };
    std::vector<float> c(size_t(m) * n, 0.0f);
    if (d.flags & regs::kFlagAccumulate)
      for (uint32_t i = 0; i < m; ++i)
        for (uint32_t j = 0; j < n; ++j) c[size_t(i) * n + j] = load(board, c_addr(i, j));
    if (arithmetic == Arithmetic::Mx) {
      const mx::Format f = mx_format(p);
      const mx::MxMatrix am = mx::to_mx(a.data(), int(m), int(k), int(k), mx::StorageOrder::RowMajor,
                                        mx::Blocking::RowBlocks, f);
      const mx::MxMatrix bm = mx::to_mx(b.data(), int(k), int(n), int(n), mx::StorageOrder::RowMajor,
                                        mx::Blocking::ColumnBlocks, f);
      mx::gemm(am, bm, c.data(), int(n), (d.flags & regs::kFlagAccumulate) != 0);
    } else {
      for (uint32_t i = 0; i < m; ++i)
        for (uint32_t j = 0; j < n; ++j) {
          double s = c[size_t(i) * n + j];
          for (uint32_t x = 0; x < k; ++x) s += double(a[size_t(i) * k + x]) * b[size_t(x) * n + j];
          c[size_t(i) * n + j] = static_cast<float>(s);
        }
    }
    for (uint32_t i = 0; i < m; ++i)
      for (uint32_t j = 0; j < n; ++j) {
        float v = c[size_t(i) * n + j];
        if (d.flags & regs::kFlagBias) v += load(board, d.bias_addr + 4ull * j);
        if (d.flags & regs::kFlagRelu) v = std::max(v, 0.0f);
        board.dram_write(c_addr(i, j), &v, 4);
      }
  };
}

}  // namespace dacapo::nn_test
