#include "firmware/nn/tensor.h"

#include <cstring>

namespace dacapo::nn {

uint32_t vector_bytes(regs::ElemFormat format, uint32_t length) {
  if (format == regs::ElemFormat::FP32) return 4 * length;
  const uint32_t block = regs::mx_block_bytes(format);
  if (block == 0) throw NnError("tensor: unknown element format " + std::to_string(static_cast<int>(format)));
  return (length + 15) / 16 * block;
}

Tensor TensorAllocator::alloc(uint32_t rows, uint32_t cols, regs::ElemFormat format, bool col_major) {
  if (rows == 0 || cols == 0)
    throw NnError("tensor: cannot allocate an empty " + std::to_string(rows) + "x" + std::to_string(cols) + " tensor");
  Tensor t;
  t.rows = rows;
  t.cols = cols;
  t.format = format;
  t.col_major = col_major;
  t.ld = vector_bytes(format, col_major ? rows : cols);
  try {
    t.addr = arena_.alloc(t.bytes(), 64);
  } catch (const std::runtime_error& e) {
    throw NnError(std::string("tensor: ") + e.what());
  }
  return t;
}

namespace {
void require_fp32(const Tensor& t, size_t count, const char* what) {
  if (t.is_mx()) throw NnError(std::string(what) + ": tensor is packed MX, host access needs FP32");
  if (count != t.elements())
    throw NnError(std::string(what) + ": " + std::to_string(count) + " values for a " + std::to_string(t.rows) + "x" +
                  std::to_string(t.cols) + " tensor");
}
}  // namespace

void write_fp32(fw::Hal& hal, const Tensor& t, const float* values, size_t count) {
  require_fp32(t, count, "write_fp32");
  if (!t.col_major && t.ld == 4 * t.cols) {
    hal.mem_write(t.addr, values, count * sizeof(float));
    return;
  }
  // Strided or column-major: one vector at a time.
  const uint32_t vectors = t.col_major ? t.cols : t.rows, length = t.col_major ? t.rows : t.cols;
  std::vector<float> vec(length);
  for (uint32_t v = 0; v < vectors; ++v) {
    for (uint32_t e = 0; e < length; ++e)
      vec[e] = t.col_major ? values[size_t(e) * t.cols + v] : values[size_t(v) * t.cols + e];
    hal.mem_write(t.addr + uint64_t(v) * t.ld, vec.data(), length * sizeof(float));
  }
}

void write_fp32(fw::Hal& hal, const Tensor& t, const std::vector<float>& values) {
  write_fp32(hal, t, values.data(), values.size());
}

std::vector<float> read_fp32(fw::Hal& hal, const Tensor& t) {
  require_fp32(t, t.elements(), "read_fp32");
  std::vector<float> out(t.elements());
  if (!t.col_major && t.ld == 4 * t.cols) {
    hal.mem_read(t.addr, out.data(), out.size() * sizeof(float));
    return out;
  }
  const uint32_t vectors = t.col_major ? t.cols : t.rows, length = t.col_major ? t.rows : t.cols;
  std::vector<float> vec(length);
  for (uint32_t v = 0; v < vectors; ++v) {
    hal.mem_read(t.addr + uint64_t(v) * t.ld, vec.data(), length * sizeof(float));
    for (uint32_t e = 0; e < length; ++e) {
      if (t.col_major)
        out[size_t(e) * t.cols + v] = vec[e];
      else
        out[size_t(v) * t.cols + e] = vec[e];
    }
  }
  return out;
}

}  // namespace dacapo::nn
