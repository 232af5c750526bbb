#include "firmware/nn/lowering.h"

#include <string>

namespace dacapo::nn {

const char* to_string(JobKind kind) {
  switch (kind) {
    case JobKind::Forward: return "forward";
    case JobKind::DataGrad: return "data gradient";
    case JobKind::WeightGrad: return "weight gradient";
  }
  return "?";
}

Plan make_plan(const ModelDef& def) {
  Plan plan;
  plan.info = describe(def);
  const std::string name = def.name ? def.name : "model";
  if (!plan.info.error.empty()) throw NnError("model definition: " + plan.info.error);
  for (size_t i = 0; i < plan.info.layers.size(); ++i) {
    const LayerInfo& li = plan.info.layers[i];
    const std::string where = name + " layer " + std::to_string(i) + ": ";
    if (li.def.kind == LayerKind::relu) {
      if (plan.stages.empty())
        throw NnError("model definition: " + where + "a ReLU must follow a conv or linear layer (it is fused into "
                      "that layer's epilogue)");
      plan.stages.back().relu = true;  // ReLU(ReLU(x)) = ReLU(x): a repeated ReLU adds nothing
      continue;
    }
    if (li.def.kind == LayerKind::conv) {
      if (li.in.h > 0xFFFF || li.in.w > 0xFFFF || li.in.c > 0xFFFF || li.def.kernel > 0xFF || li.def.stride > 0xFF ||
          li.def.pad > 0xFF)
        throw NnError("model definition: " + where + "conv geometry exceeds the CONV descriptor's fields");
    }
    Stage s;
    s.layer = i;
    s.info = li;
    plan.stages.push_back(s);
  }
  if (plan.stages.empty()) throw NnError("model definition: " + name + " has no conv or linear layer");
  return plan;
}

regs::Descriptor gemm_descriptor(const Tensor& a, const Tensor& b, const Tensor& c, uint8_t flags, uint64_t bias_addr,
                                 uint32_t tag) {
  if (a.cols != b.rows || a.rows != c.rows || b.cols != c.cols)
    throw NnError("GEMM shapes do not match: A " + std::to_string(a.rows) + "x" + std::to_string(a.cols) + ", B " +
                  std::to_string(b.rows) + "x" + std::to_string(b.cols) + ", C " + std::to_string(c.rows) + "x" +
                  std::to_string(c.cols));
  regs::Descriptor d;
  d.opcode = static_cast<uint8_t>(regs::Opcode::Gemm);
  d.flags = flags;
  d.a_format = a.desc_format();
  d.b_format = b.desc_format();
  d.c_format = c.desc_format();
  d.m = c.rows;
  d.n = c.cols;
  d.k = a.cols;
  d.tag = tag;
  d.a_addr = a.addr;
  d.b_addr = b.addr;
  d.c_addr = c.addr;
  d.bias_addr = bias_addr;
  d.lda = a.ld;
  d.ldb = b.ld;
  d.ldc = c.ld;
  return d;
}

regs::Descriptor forward_descriptor(const Stage& s, uint32_t batch, const Tensor& x, const Tensor& w,
                                    uint64_t bias_addr, const Tensor& y, uint32_t tag) {
  const uint8_t flags = static_cast<uint8_t>(regs::kFlagBias | (s.relu ? regs::kFlagRelu : 0));
  if (!s.conv()) {
    Tensor xv = x;  // [B × K]
    return gemm_descriptor(xv, w, y, flags, bias_addr, tag);
  }
  const LayerInfo& li = s.info;
  const uint32_t m = s.m(batch);
  if (x.is_mx() || x.col_major || x.rows != batch * uint32_t(li.in.h) * uint32_t(li.in.w) ||
      x.cols != uint32_t(li.in.c))
    throw NnError("conv input must be an FP32 NHWC tensor of " + std::to_string(batch) + " images");
  if (w.rows != s.k() || w.cols != s.n() || y.rows != m || y.cols != s.n())
    throw NnError("conv weight/output tensor shapes do not match the layer");
  regs::Descriptor d;
  d.opcode = static_cast<uint8_t>(regs::Opcode::Conv);
  d.flags = flags;
  d.a_format = x.desc_format();
  d.b_format = w.desc_format();
  d.c_format = y.desc_format();
  d.m = m;
  d.n = s.n();
  d.k = s.k();
  d.tag = tag;
  d.a_addr = x.addr;
  d.b_addr = w.addr;
  d.c_addr = y.addr;
  d.bias_addr = bias_addr;
  d.lda = x.ld;  // pixel stride
  d.ldb = w.ld;
  d.ldc = y.ld;
  d.batch = batch;
  d.in_h = static_cast<uint16_t>(li.in.h);
  d.in_w = static_cast<uint16_t>(li.in.w);
  d.in_c = static_cast<uint16_t>(li.in.c);
  d.kernel_h = d.kernel_w = static_cast<uint8_t>(li.def.kernel);
  d.stride = static_cast<uint8_t>(li.def.stride);
  d.pad = static_cast<uint8_t>(li.def.pad);
  return d;
}

}  // namespace dacapo::nn
