#include "firmware/nn/network.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace dacapo::nn {

using regs::Sa;

namespace {

Tensor view(uint64_t addr, uint32_t rows, uint32_t cols) {
  Tensor t;
  t.addr = addr;
  t.rows = rows;
  t.cols = cols;
  t.ld = 4 * cols;
  return t;
}

// A network job: holds the network's busy flag and clears it when it finishes or is dropped unstarted.
class NetJob : public Job {
 public:
  NetJob(std::string name, Sa sa, regs::Precision p, std::shared_ptr<bool> lock)
      : Job(std::move(name), sa, p), lock_(std::move(lock)) {
    on_finish = [this] { release(); };
  }
  ~NetJob() override { release(); }

 private:
  void release() {
    if (lock_) *lock_ = false;
    lock_.reset();
  }
  std::shared_ptr<bool> lock_;
};

// SplitMix64: a seeded shuffle that is the same on every compiler (std:: distributions are not).
uint64_t splitmix(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

std::vector<uint64_t> ImageSet::addresses() const {
  std::vector<uint64_t> a(count);
  for (uint32_t i = 0; i < count; ++i) a[i] = address(i);
  return a;
}

ImageSet upload_images(NnRuntime& rt, const Shape& shape, const std::vector<float>& pixels) {
  const size_t per = shape.size();
  if (per == 0 || pixels.empty() || pixels.size() % per != 0)
    throw NnError("upload_images: " + std::to_string(pixels.size()) + " values are not a whole number of " +
                  std::to_string(per) + "-value images");
  ImageSet set;
  set.count = static_cast<uint32_t>(pixels.size() / per);
  set.image_bytes = 4ull * per;
  set.data = rt.allocator().fp32(set.count * uint32_t(shape.h) * uint32_t(shape.w), uint32_t(shape.c));
  write_fp32(rt.hal(), set.data, pixels);
  return set;
}

// Host-side state of one batch, shared by its steps.
struct Network::Batch {
  std::vector<uint64_t> images;
  std::vector<int> labels;
  uint32_t size = 0;
  uint64_t x0 = 0;        // address of the batch's contiguous input (in place or the staging buffer)
  std::vector<float> dy;  // host copy of the gradient of the current stage's output
};

Network::Network(NnRuntime& rt, const ModelDef& def, NetworkConfig cfg)
    : rt_(rt), def_(def), plan_(make_plan(def)), cfg_(cfg), busy_(std::make_shared<bool>(false)) {
  if (cfg_.max_batch == 0) throw NnError(std::string(def.name) + ": max_batch must be > 0");
  TensorAllocator& a = rt_.allocator();
  const uint32_t p = static_cast<uint32_t>(plan_.info.parameter_count);
  params_ = a.fp32(1, p);
  grads_ = a.fp32(1, p);
  velocity_ = a.fp32(1, p);
  const Shape in = plan_.info.layers.front().in;
  input_ = a.fp32(cfg_.max_batch * uint32_t(in.h) * uint32_t(in.w), uint32_t(in.c));
  size_t col = 0;
  for (const Stage& s : plan_.stages) {
    act_.push_back(a.fp32(s.m(cfg_.max_batch), s.n()));
    dact_.push_back(a.fp32(s.m(cfg_.max_batch), s.n()));
    if (s.conv()) col = std::max<size_t>(col, size_t(s.m(cfg_.max_batch)) * s.k());
  }
  if (col) {
    col_ = a.fp32(1, static_cast<uint32_t>(col));
    dcol_ = a.fp32(1, static_cast<uint32_t>(col));
  }
  if (cfg_.inference_weights_col_major)
    for (const Stage& s : plan_.stages) inference_weights_.push_back(a.alloc(s.k(), s.n(), regs::ElemFormat::FP32, true));
  // Momentum must start at zero. On a timing-only accelerator the contents are meaningless, and skipping the
  // writes keeps paper-scale networks cheap to set up.
  if (rt_.functional()) {
    const std::vector<float> zeros(p, 0.0f);
    for (const Tensor* t : {&params_, &grads_, &velocity_}) write_fp32(rt_.hal(), *t, zeros);
  }
}

Network::~Network() = default;

// ---- parameters ------------------------------------------------------------------------------------------

void Network::load_weights(const std::vector<float>& params) {
  if (*busy_) throw NnError(std::string(def_.name) + ": load_weights while a job runs");
  if (params.size() != parameter_count())
    throw NnError(std::string(def_.name) + ": load_weights got " + std::to_string(params.size()) +
                  " values, the model has " + std::to_string(parameter_count()) + " parameters");
  write_fp32(rt_.hal(), params_, params);
  rt_.charge_ops(params.size());
  inference_weights_stale_ = true;
}

std::vector<float> Network::read_weights() { return read_fp32(rt_.hal(), params_); }
std::vector<float> Network::read_gradients() { return read_fp32(rt_.hal(), grads_); }

void Network::reset_momentum() {
  if (rt_.functional()) write_fp32(rt_.hal(), velocity_, std::vector<float>(parameter_count(), 0.0f));
  rt_.charge_ops(parameter_count());
}

void Network::copy_weights_from(Network& other) {
  if (&other == this) return;
  if (definition_hash(other.def_) != definition_hash(def_))
    throw NnError(std::string("copy_weights_from: ") + other.def_.name + " and " + def_.name +
                  " have different definitions");
  if (*busy_ || *other.busy_) throw NnError("copy_weights_from: a network is running a job");
  if (rt_.functional()) write_fp32(rt_.hal(), params_, read_fp32(rt_.hal(), other.params_));
  rt_.charge_ops(parameter_count());
  inference_weights_stale_ = true;
  reset_momentum();
}

void Network::swap_weights(Network& other) {
  if (definition_hash(other.def_) != definition_hash(def_))
    throw NnError(std::string("swap_weights: ") + other.def_.name + " and " + def_.name +
                  " have different definitions");
  if (*busy_ || *other.busy_) throw NnError("swap_weights: a network is running a job");
  std::swap(params_, other.params_);
  std::swap(velocity_, other.velocity_);
  // Each network keeps its own copy buffers (their layout depends on its config), so both copies are now stale.
  inference_weights_stale_ = other.inference_weights_stale_ = true;
}

void Network::refresh_inference_weights(Job& job) {
  if (!inference_weights_stale_) return;
  if (rt_.functional()) {
    for (size_t s = 0; s < plan_.stages.size(); ++s) {
      // read_fp32/write_fp32 speak row-major values: the copy's (k, n) element gets the master's (k, n).
      write_fp32(rt_.hal(), inference_weights_[s], read_fp32(rt_.hal(), weight(s)));
    }
  }
  uint64_t elements = 0;
  for (const Stage& st : plan_.stages) elements += uint64_t(st.k()) * st.n();
  job.count_host_ops(elements);
  inference_weights_stale_ = false;
}

// ---- views -----------------------------------------------------------------------------------------------

Tensor Network::weight(size_t s) const {
  const Stage& st = plan_.stages[s];
  return view(params_.addr + 4ull * st.info.weight_offset, st.k(), st.n());
}

uint64_t Network::bias_addr(const Tensor& params, size_t s) const {
  return params.addr + 4ull * plan_.stages[s].info.bias_offset;
}

// Input of stage s for `batch` images: conv → NHWC [B·h·w × c]; linear → the flattened images [B × K].
Tensor Network::stage_input(size_t s, uint32_t batch, const Tensor& x0) const {
  const Stage& st = plan_.stages[s];
  const uint64_t addr = s == 0 ? x0.addr : act_[s - 1].addr;
  if (st.conv()) return view(addr, batch * uint32_t(st.info.in.h) * uint32_t(st.info.in.w), uint32_t(st.info.in.c));
  return view(addr, batch, st.k());
}

Tensor Network::stage_output(size_t s, uint32_t batch, const std::vector<Tensor>& bufs) const {
  return view(bufs[s].addr, plan_.stages[s].m(batch), plan_.stages[s].n());
}

// ---- jobs ------------------------------------------------------------------------------------------------

void Network::check_inputs(const char* what, const std::vector<uint64_t>& images,
                           const std::vector<int>* labels) const {
  const std::string where = std::string(def_.name) + " " + what + ": ";
  if (images.empty()) throw NnError(where + "no images");
  for (size_t i = 0; i < images.size(); ++i)
    if (images[i] % 4 != 0) throw NnError(where + "image " + std::to_string(i) + " is not 4-byte aligned");
  if (!labels) return;
  if (labels->size() != images.size())
    throw NnError(where + std::to_string(labels->size()) + " labels for " + std::to_string(images.size()) +
                  " images");
  for (size_t i = 0; i < labels->size(); ++i)
    if ((*labels)[i] < 0 || size_t((*labels)[i]) >= classes())
      throw NnError(where + "label " + std::to_string((*labels)[i]) + " of sample " + std::to_string(i) +
                    " is outside [0, " + std::to_string(classes()) + ")");
}

std::unique_ptr<Job> Network::new_job(const std::string& what, Sa sa, regs::Precision p) {
  if (*busy_) throw NnError(std::string(def_.name) + ": " + what + " while another job of this network exists");
  *busy_ = true;
  return std::make_unique<NetJob>(std::string(def_.name) + " " + what, sa, p, busy_);
}

void Network::add_forward(Job& job, std::shared_ptr<Batch> b, bool inference) {
  Job* j = &job;
  job.add_step([this, j, b, inference]() {
    fw::Hal& hal = rt_.hal();
    const bool use_copy = inference && cfg_.inference_weights_col_major;
    if (use_copy) refresh_inference_weights(*j);
    const uint64_t image_bytes = 4ull * plan_.info.layers.front().in.size();
    bool contiguous = true;
    for (uint32_t i = 1; i < b->size; ++i) contiguous &= b->images[i] == b->images[0] + i * image_bytes;
    if (contiguous) {
      b->x0 = b->images[0];
    } else {
      // The CONV gather reads a batch of consecutive images: copy them into the staging buffer.
      b->x0 = input_.addr;
      if (rt_.functional()) {
        std::vector<uint8_t> image(image_bytes);
        for (uint32_t i = 0; i < b->size; ++i) {
          hal.mem_read(b->images[i], image.data(), image.size());
          hal.mem_write(input_.addr + i * image_bytes, image.data(), image.size());
        }
      }
      j->count_host_ops(b->size * image_bytes / 4);
    }
    Tensor x0;
    x0.addr = b->x0;
    std::vector<regs::Descriptor> descs;
    for (size_t s = 0; s < plan_.stages.size(); ++s)
      descs.push_back(forward_descriptor(plan_.stages[s], b->size, stage_input(s, b->size, x0),
                                         use_copy ? inference_weights_[s] : weight(s),
                                         bias_addr(params_, s), stage_output(s, b->size, act_),
                                         make_tag(JobKind::Forward, s)));
    return descs;
  });
}

void Network::add_backward(Job& job, std::shared_ptr<Batch> b) {
  Job* j = &job;
  const size_t last = plan_.stages.size() - 1;
  // Host part of stage s: the bias gradient, im2col of its input; then its weight- and data-gradient GEMMs.
  auto prepare = [this, j, b](size_t s) {
    fw::Hal& hal = rt_.hal();
    const bool f = rt_.functional();
    const Stage& st = plan_.stages[s];
    const uint32_t m = st.m(b->size), n = st.n(), k = st.k();
    Tensor x0;
    x0.addr = b->x0;
    if (f) {
      std::vector<float> db(n);
      bias_grad(b->dy.data(), m, n, db.data());
      hal.mem_write(bias_addr(grads_, s), db.data(), 4ull * n);
    }
    j->count_host_ops(uint64_t(m) * n);
    Tensor a = stage_input(s, b->size, x0);  // linear: X [B × K]
    if (st.conv()) {
      ConvGeometry g{b->size, st.info.in, st.info.out, st.info.def.kernel, st.info.def.stride, st.info.def.pad};
      Tensor col = view(col_.addr, m, k);
      if (f) {
        const std::vector<float> x = read_fp32(hal, a);
        std::vector<float> c(size_t(m) * k);
        im2col(g, x.data(), c.data());
        write_fp32(hal, col, c);
      }
      j->count_host_ops(uint64_t(m) * k);
      a = col;
    }
    const Tensor dy = stage_output(s, b->size, dact_);
    const Tensor dw = view(grads_.addr + 4ull * st.info.weight_offset, k, n);
    std::vector<regs::Descriptor> descs;
    descs.push_back(gemm_descriptor(a.transposed(), dy, dw, 0, 0, make_tag(JobKind::WeightGrad, s)));
    if (s > 0) {
      const Tensor dx = st.conv() ? view(dcol_.addr, m, k) : view(dact_[s - 1].addr, b->size, k);
      descs.push_back(gemm_descriptor(dy, weight(s).transposed(), dx, 0, 0, make_tag(JobKind::DataGrad, s)));
    }
    return descs;
  };

  // Loss: softmax cross-entropy on the logits, its gradient through the last stage's ReLU (if any).
  job.add_step([this, j, b, last, prepare]() {
    fw::Hal& hal = rt_.hal();
    const size_t c = classes();
    const Tensor logits = view(act_[last].addr, b->size, static_cast<uint32_t>(c));
    j->result.samples += b->size;
    if (rt_.functional()) {
      const std::vector<float> z = read_fp32(hal, logits);
      b->dy.assign(z.size(), 0.0f);
      softmax_xent(z.data(), b->size, c, b->labels.data(), b->dy.data(), j->result.loss_sum, j->result.correct);
      if (plan_.stages[last].relu) relu_backward(b->dy.data(), z.data(), z.size());
      write_fp32(hal, view(dact_[last].addr, b->size, static_cast<uint32_t>(c)), b->dy);
    } else {
      j->result.loss_sum = std::numeric_limits<double>::quiet_NaN();
    }
    j->count_host_ops(3ull * b->size * c + (plan_.stages[last].relu ? b->size * c : 0));
    return prepare(last);
  });
  // Stage s: turn the previous step's data-gradient GEMM output into dY of stage s (col2im, ReLU mask).
  for (size_t s = last; s-- > 0;) {
    job.add_step([this, j, b, s, prepare]() {
      fw::Hal& hal = rt_.hal();
      const bool f = rt_.functional();
      const Stage& next = plan_.stages[s + 1];
      const Stage& st = plan_.stages[s];
      const size_t out = size_t(st.m(b->size)) * st.n();
      if (f) {
        if (next.conv()) {
          ConvGeometry g{b->size, next.info.in, next.info.out, next.info.def.kernel, next.info.def.stride,
                         next.info.def.pad};
          const std::vector<float> dcol = read_fp32(hal, view(dcol_.addr, next.m(b->size), next.k()));
          b->dy.assign(out, 0.0f);
          col2im(g, dcol.data(), b->dy.data());
        } else {
          b->dy = read_fp32(hal, view(dact_[s].addr, 1, static_cast<uint32_t>(out)));
        }
        if (st.relu) {
          const std::vector<float> y = read_fp32(hal, view(act_[s].addr, 1, static_cast<uint32_t>(out)));
          relu_backward(b->dy.data(), y.data(), out);
        }
        write_fp32(hal, view(dact_[s].addr, 1, static_cast<uint32_t>(out)), b->dy);
      }
      j->count_host_ops((next.conv() ? uint64_t(next.m(b->size)) * next.k() : 0) + (st.relu ? out : 0));
      return prepare(s);
    });
  }
}

void Network::add_sgd(Job& job, const SgdConfig& sgd) {
  Job* j = &job;
  job.add_step([this, j, sgd]() {
    fw::Hal& hal = rt_.hal();
    if (rt_.functional()) {
      std::vector<float> w = read_fp32(hal, params_), g = read_fp32(hal, grads_), v = read_fp32(hal, velocity_);
      sgd_update(sgd, w.data(), g.data(), v.data(), w.size());
      write_fp32(hal, params_, w);
      write_fp32(hal, velocity_, v);
    }
    inference_weights_stale_ = true;
    j->count_host_ops(parameter_count());
    ++j->result.sgd_steps;
    return std::vector<regs::Descriptor>{};
  });
}

namespace {
// Host step after an inference pass: logits, predictions and (with labels) the number correct.
Job::Step read_logits_step(NnRuntime& rt, Job* j, uint64_t logits_addr, uint32_t batch, size_t classes,
                           std::vector<int> labels) {
  return [&rt, j, logits_addr, batch, classes, labels]() {
    j->result.samples += batch;
    if (rt.functional()) {
      const std::vector<float> z = read_fp32(rt.hal(), view(logits_addr, batch, static_cast<uint32_t>(classes)));
      for (uint32_t i = 0; i < batch; ++i) {
        const int p = argmax(z.data() + size_t(i) * classes, classes);
        j->result.predictions.push_back(p);
        if (!labels.empty() && p == labels[i]) ++j->result.correct;
      }
      j->result.logits.insert(j->result.logits.end(), z.begin(), z.end());
    } else {
      j->result.predictions.insert(j->result.predictions.end(), batch, -1);
    }
    j->count_host_ops(uint64_t(batch) * classes);
    return std::vector<regs::Descriptor>{};
  };
}
}  // namespace

std::unique_ptr<Job> Network::infer_job(Sa sa, regs::Precision p, const std::vector<uint64_t>& images) {
  return evaluate_job(sa, p, images, {});
}

std::unique_ptr<Job> Network::evaluate_job(Sa sa, regs::Precision p, const std::vector<uint64_t>& images,
                                           const std::vector<int>& labels) {
  const bool with_labels = !labels.empty();
  check_inputs(with_labels ? "evaluate" : "infer", images, with_labels ? &labels : nullptr);
  auto job = new_job(with_labels ? "evaluate" : "infer", sa, p);
  for (size_t first = 0; first < images.size(); first += cfg_.max_batch) {
    auto b = std::make_shared<Batch>();
    b->size = static_cast<uint32_t>(std::min<size_t>(cfg_.max_batch, images.size() - first));
    b->images.assign(images.begin() + first, images.begin() + first + b->size);
    std::vector<int> l;
    if (with_labels) l.assign(labels.begin() + first, labels.begin() + first + b->size);
    add_forward(*job, b, true);
    job->add_step(read_logits_step(rt_, job.get(), act_.back().addr, b->size, classes(), std::move(l)));
  }
  return job;
}

std::unique_ptr<Job> Network::gradient_job(Sa sa, regs::Precision p, const std::vector<uint64_t>& images,
                                           const std::vector<int>& labels) {
  check_inputs("gradient", images, &labels);
  if (images.size() > cfg_.max_batch)
    throw NnError(std::string(def_.name) + " gradient: batch of " + std::to_string(images.size()) +
                  " exceeds max_batch " + std::to_string(cfg_.max_batch));
  auto job = new_job("gradient", sa, p);
  auto b = std::make_shared<Batch>();
  b->images = images;
  b->labels = labels;
  b->size = static_cast<uint32_t>(images.size());
  add_forward(*job, b);
  add_backward(*job, b);
  return job;
}

std::unique_ptr<Job> Network::train_job(Sa sa, regs::Precision p, const std::vector<uint64_t>& images,
                                        const std::vector<int>& labels, const TrainConfig& cfg, uint32_t epochs) {
  check_inputs("train", images, &labels);
  const std::string where = std::string(def_.name) + " train: ";
  if (cfg.sgd.batch == 0 || cfg.sgd.batch > cfg_.max_batch)
    throw NnError(where + "batch " + std::to_string(cfg.sgd.batch) + " must be in [1, max_batch = " +
                  std::to_string(cfg_.max_batch) + "]");
  if (!(cfg.sgd.lr > 0) || !(cfg.sgd.momentum >= 0 && cfg.sgd.momentum < 1) || !(cfg.sgd.weight_decay >= 0))
    throw NnError(where + "needs lr > 0, momentum in [0, 1) and weight_decay >= 0");
  if (epochs == 0) throw NnError(where + "epochs must be > 0");
  auto job = new_job("train", sa, p);
  std::vector<size_t> order(images.size());
  std::iota(order.begin(), order.end(), size_t{0});
  uint64_t state = cfg.shuffle_seed;
  for (uint32_t e = 0; e < epochs; ++e) {
    if (cfg.shuffle_seed != 0)
      for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[splitmix(state) % i]);
    for (size_t first = 0; first < order.size(); first += cfg.sgd.batch) {
      auto b = std::make_shared<Batch>();
      b->size = static_cast<uint32_t>(std::min<size_t>(cfg.sgd.batch, order.size() - first));
      for (uint32_t i = 0; i < b->size; ++i) {
        b->images.push_back(images[order[first + i]]);
        b->labels.push_back(labels[order[first + i]]);
      }
      add_forward(*job, b);
      add_backward(*job, b);
      add_sgd(*job, cfg.sgd);
    }
  }
  return job;
}

NetResult Network::infer(Sa sa, regs::Precision p, const std::vector<uint64_t>& images) {
  return rt_.run(infer_job(sa, p, images))->result;
}

double Network::evaluate(Sa sa, regs::Precision p, const std::vector<uint64_t>& images,
                         const std::vector<int>& labels) {
  if (labels.empty()) throw NnError(std::string(def_.name) + " evaluate: no labels");
  const NetResult r = rt_.run(evaluate_job(sa, p, images, labels))->result;
  return rt_.functional() ? r.accuracy() : std::numeric_limits<double>::quiet_NaN();
}

NetResult Network::train_epoch(Sa sa, regs::Precision p, const std::vector<uint64_t>& images,
                               const std::vector<int>& labels, const TrainConfig& cfg) {
  return rt_.run(train_job(sa, p, images, labels, cfg, 1))->result;
}

}  // namespace dacapo::nn
