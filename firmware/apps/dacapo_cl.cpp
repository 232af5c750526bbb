#include "firmware/apps/dacapo_cl.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <iomanip>
#include <map>
#include <memory>
#include <sstream>
#include <tuple>

#include "firmware/cl/engine.h"
#include "firmware/cl/frame_change.h"
#include "firmware/cl/label_work.h"
#include "firmware/cl/metrics.h"
#include "firmware/cl/pacing.h"
#include "firmware/driver/dacapo_driver.h"
#include "firmware/driver/dram_arena.h"
#include "firmware/hal/camera_regs.h"
#include "firmware/hal/soc_map.h"
#include "firmware/nn/network.h"

namespace dacapo::fw {
namespace {

namespace cr = camera_regs;
using cl::FrameId;
using cl::Kernel;
using nn::Job;
using regs::Precision;
using regs::Sa;

constexpr uint64_t kPsPerS = 1'000'000'000'000ull;
constexpr FrameId kNone = ~FrameId{0};

// Kernel latencies measured on the board at boot (seconds per call), answered exactly like a CostTable.
class BoardCosts : public cl::CostOracle {
 public:
  void set(Kernel k, Precision p, uint32_t rows, uint32_t batch, double s) { table_[{k, p, rows, batch}] = s; }
  double seconds(Kernel k, Precision p, uint32_t rows, uint32_t batch) const override {
    auto it = table_.find({k, p, rows, batch});
    if (it == table_.end())
      throw cl::CostError(std::string("board profile has no entry for ") + cl::to_string(k) + " " +
                          cl::to_string(p) + " rows " + std::to_string(rows) + " batch " + std::to_string(batch));
    return it->second;
  }
  // The profile in the CostTable CSV format (model,kernel,precision,rows,batch,seconds).
  std::string csv() const {
    std::ostringstream os;
    os << "model,kernel,precision,rows,batch,seconds\n" << std::setprecision(9);
    for (const auto& [key, s] : table_) {
      const auto& [k, p, rows, batch] = key;
      const char* model = k == Kernel::Label ? "teacher" : "student";
      const char* kernel = k == Kernel::Retrain ? "train" : "infer";
      os << model << "," << kernel << "," << cl::to_string(p) << "," << rows << "," << batch << "," << s << "\n";
    }
    return os.str();
  }

 private:
  std::map<std::tuple<Kernel, Precision, uint32_t, uint32_t>, double> table_;
};

// One T-SA job of a phase: made when the T-SA is free and (for labels) its frame has arrived.
struct TsaWork {
  FrameId needs_frame = kNone;
  bool copy_live = false;  // first copy the live student into the scratch one (needs the B-SA idle: the live
                           // network runs one job at a time)
  std::function<std::unique_ptr<Job>()> make;
  std::function<void(Job&)> done;
};

class ClApp : public cl::PhaseExecutor, public cl::StreamInfo {
 public:
  ClApp(Hal& hal, const DacapoClConfig& app, const cl::ClConfig& cl, const DacapoClInputs& in, uint64_t seed)
      : hal_(hal), app_(app), cl_(cl), in_(in), seed_(seed), driver_(hal),
        arena_(soc::kDramBase + app.dram_offset, app.dram_bytes), alloc_(arena_) {}

  int run();

  // cl::StreamInfo
  cl::FrameClock clock() const override { return clock_; }
  int ground_truth(FrameId f) const override { return truth_.at(f); }
  double changed_fraction(FrameId f) const override { return f < change_.size() ? change_[f] : 0.0; }

  // cl::PhaseExecutor
  double now() const override { return stream_time(); }
  cl::PhaseResult execute(const cl::Phase& phase, cl::FrameLog& log, double deadline) override;

 private:
  void say(const std::string& s) { hal_.print("[dacapo_cl] " + s + "\n"); }
  double stream_time() const { return double(hal_.now_ps() - t0_ps_) * 1e-12; }
  uint64_t frame_addr(FrameId f) const { return ring_ + (f % ring_slots_) * slot_bytes_ + sizeof(cr::FrameHeader); }
  std::vector<uint64_t> addresses(const std::vector<cl::Sample>& s) const {
    std::vector<uint64_t> a;
    for (const auto& x : s) a.push_back(frame_addr(x.frame));
    return a;
  }
  static std::vector<int> labels_of(const std::vector<cl::Sample>& s) {
    std::vector<int> l;
    for (const auto& x : s) l.push_back(x.label);
    return l;
  }
  nn::TrainConfig train_config() {
    nn::TrainConfig t;
    t.sgd.lr = float(app_.lr);
    t.sgd.momentum = float(app_.momentum);
    t.sgd.weight_decay = float(app_.weight_decay);
    t.sgd.batch = cl_.kernels.train_batch;
    t.shuffle_seed = seed_ * 7919 + (++train_calls_);
    return t;
  }

  void boot();
  double measure(const std::function<std::unique_ptr<Job>()>& make);
  void profile();
  void start_camera();
  // Takes the frames the camera wrote, starts B-SA inferences and T-SA work, collects finished jobs.
  void service();
  // Services until `done()` or the stream time reaches `until`, sleeping on the camera/accelerator IRQs.
  void pump(const std::function<bool()>& done, double until);
  bool tsa_idle() const { return tsa_job_ == nullptr && tsa_queue_.empty(); }
  // Frames [0, n) whose live prediction is final (inferred or dropped): what partial outputs can score.
  FrameId settled_frames() const;
  void publish_running_accuracy();
  // accuracy.csv, phases.csv, drifts.csv, costs.csv and summary.txt over the frames [0, frames). A partial set
  // (complete = false) is published after every phase and replaced by the complete one at the end, so that a run
  // stopped early (Ctrl-C, time limit) still leaves consistent outputs of what it did.
  struct Outcome {
    cl::AccuracySummary accuracy;
    cl::DriftReport drifts;
    uint64_t dropped = 0;
  };
  Outcome write_outputs(const cl::RunRecord& run, const cl::ClConfig& cfg, FrameId frames, bool complete);
  // One pacing.csv row; counts the phase as an overrun when the board's work ended after the paper-scale end.
  void pace_record(const cl::Phase& phase, double start, double paper_end, double work_end);

  Hal& hal_;
  const DacapoClConfig& app_;
  const cl::ClConfig& cl_;
  const DacapoClInputs& in_;
  const uint64_t seed_;
  DacapoDriver driver_;
  DramArena arena_;
  nn::TensorAllocator alloc_;
  std::unique_ptr<nn::NnRuntime> rt_;
  std::unique_ptr<nn::Network> live_, scratch_, teacher_;
  BoardCosts costs_;
  std::unique_ptr<cl::Pacing> pacing_;  // set when the run follows a paper-scale pair's time line
  std::ostringstream pacing_csv_;
  uint64_t pacing_overruns_ = 0, pacing_rows_ = 0;
  double pacing_max_overrun_ = 0;
  double bsa_hold_until_ = 0;  // paced B-SA: no new frame before the paper inference latency has passed
  double wake_at_ = 0;         // the current phase's end time: pump() wakes up for it
  uint32_t total_rows_ = 16, bsa_rows_ = 0, tsa_rows_ = 0;
  std::vector<std::pair<uint32_t, double>> bsa_profile_;

  // Camera and stream.
  cl::FrameClock clock_;
  uint64_t ring_ = 0, slot_bytes_ = 0, ring_slots_ = 0, t0_ps_ = 0;
  uint32_t width_ = 0, height_ = 0, channels_ = 0;
  FrameId consumed_ = 0;
  FrameId pending_ = kNone;  // newest arrived frame the B-SA has not started yet
  std::vector<int> truth_;
  std::vector<uint32_t> segment_;
  std::vector<double> change_;
  bool want_change_ = false;
  std::vector<float> prev_pixels_;
  cl::FrameLog* log_ = nullptr;
  uint64_t dropped_ = 0, inferred_ = 0, correct_ = 0;  // live inference so far (for the running accuracy)

  Job* bsa_job_ = nullptr;
  FrameId bsa_frame_ = kNone;
  Job* tsa_job_ = nullptr;
  std::function<void(Job&)> tsa_done_;
  std::deque<TsaWork> tsa_queue_;
  double tsa_idle_since_ = 0, label_wait_ = 0;
  uint64_t train_calls_ = 0;
};

void ClApp::boot() {
  hal_.set_phase(Phase::Boot);
  driver_.probe();
  total_rows_ = driver_.caps().rows;
  if (total_rows_ != cl_.kernels.total_rows)
    throw std::runtime_error("dacapo_cl: the accelerator has " + std::to_string(total_rows_) +
                             " rows but kernels.total_rows is " + std::to_string(cl_.kernels.total_rows));
  if (!driver_.caps().functional)
    throw std::runtime_error("dacapo_cl: needs a functional accelerator (predictions carry data)");
  for (Sa sa : {Sa::Top, Sa::Bottom})
    driver_.init_queue(sa, arena_.alloc(uint64_t(app_.ring_slots) * regs::kDescriptorBytes, 64), app_.ring_slots);
  nn::RuntimeConfig rc;
  rc.irq_line = soc::kIrqAccelerator;
  rc.host_cycles_per_element = app_.host_cycles_per_element;
  rt_ = std::make_unique<nn::NnRuntime>(hal_, driver_, alloc_, rc);
  nn::NetworkConfig nc;
  nc.max_batch = std::max(cl_.kernels.train_batch, cl_.kernels.valid_batch);
  nc.inference_weights_col_major = app_.col_major_inference_weights;
  live_ = std::make_unique<nn::Network>(*rt_, nn::kStudent, nc);
  scratch_ = std::make_unique<nn::Network>(*rt_, nn::kStudent, nc);
  teacher_ = std::make_unique<nn::Network>(*rt_, nn::kTeacher, nc);
  live_->load_weights(in_.student_weights);
  teacher_->load_weights(in_.teacher_weights);
  say("weights in DRAM: student " + std::to_string(live_->parameter_count()) + " parameters, teacher " +
      std::to_string(teacher_->parameter_count()));
}

double ClApp::measure(const std::function<std::unique_ptr<Job>()>& make) {
  double s = 0;
  for (uint32_t i = 0; i < app_.profile_repeats; ++i) {
    std::unique_ptr<Job> j = rt_->run(make());
    s = double(j->end_ps() - j->start_ps()) * 1e-12;
  }
  return s;
}

void ClApp::profile() {
  hal_.set_phase(Phase::Setup);
  // Zero images stand in for frames: the latency does not depend on the pixel values.
  const uint32_t batch = std::max(cl_.kernels.train_batch, cl_.kernels.valid_batch);
  const nn::ImageSet imgs =
      nn::upload_images(*rt_, nn::kStudent.input, std::vector<float>(nn::kStudent.input.size() * batch, 0.0f));
  const std::vector<uint64_t> all = imgs.addresses();
  const Precision eval = cl_.kernels.eval(), train = cl_.kernels.train();
  const double period = 1.0 / clock_.fps;
  // Spatial allocation: student batch-1 inference on the B-SA for every split.
  for (uint32_t r = 1; r < total_rows_; ++r) {
    driver_.set_partition(total_rows_ - r);
    const double t = measure([&] { return live_->infer_job(Sa::Bottom, eval, {all[0]}); });
    bsa_profile_.push_back({r, t});
    costs_.set(Kernel::Inference, eval, r, 1, t);
    if (!bsa_rows_ && t <= period + 1e-12) bsa_rows_ = r;
  }
  if (pacing_) {
    const uint32_t board_choice = bsa_rows_;
    bsa_rows_ = pacing_->bsa_rows();
    std::ostringstream os;
    os << std::setprecision(4) << "pacing: B-SA rows " << bsa_rows_ << " from the paper-scale table ("
       << app_.pacing_student << " inference " << pacing_->frame_seconds() * 1e3 << " ms per frame; the compact "
       << "student alone would take " << board_choice << ")";
    say(os.str());
    if (bsa_profile_[bsa_rows_ - 1].second > period + 1e-12)
      say("pacing: the compact student does not keep up at these rows: frames will drop");
  }
  if (!bsa_rows_) throw std::runtime_error("dacapo_cl: no B-SA split keeps up with the camera");
  tsa_rows_ = total_rows_ - bsa_rows_;
  driver_.set_partition(tsa_rows_);  // programmed once for the whole run
  const std::vector<uint64_t> tb(all.begin(), all.begin() + cl_.kernels.train_batch);
  const std::vector<uint64_t> vb(all.begin(), all.begin() + cl_.kernels.valid_batch);
  nn::TrainConfig tc = train_config();
  const double t_train = measure([&] {
    return scratch_->train_job(Sa::Top, train, tb, std::vector<int>(tb.size(), 0), tc, 1);
  });
  const double t_valid =
      measure([&] { return scratch_->evaluate_job(Sa::Top, eval, vb, std::vector<int>(vb.size(), 0)); });
  const double t_label = measure([&] { return teacher_->infer_job(Sa::Top, eval, {all[0]}); });
  costs_.set(Kernel::Retrain, train, tsa_rows_, cl_.kernels.train_batch, t_train);
  costs_.set(Kernel::Validate, eval, tsa_rows_, cl_.kernels.valid_batch, t_valid);
  costs_.set(Kernel::Label, eval, tsa_rows_, 1, t_label);
  std::ostringstream os;
  os << std::setprecision(4) << "B-SA rows " << bsa_rows_ << " (student inference " << bsa_profile_[bsa_rows_ - 1].second * 1e3
     << " ms <= " << period * 1e3 << " ms), T-SA rows " << tsa_rows_ << ": train step " << t_train * 1e3
     << " ms, validation batch " << t_valid * 1e3 << " ms, teacher label " << t_label * 1e3 << " ms";
  say(os.str());
}

void ClApp::start_camera() {
  const uint64_t base = soc::kCameraCsrBase;
  if (hal_.read32(base + cr::kId) != cr::kCameraId) throw std::runtime_error("dacapo_cl: no camera");
  if (!(hal_.read32(base + cr::kCaps) & cr::kCapsFp32)) throw std::runtime_error("dacapo_cl: camera must deliver FP32");
  width_ = hal_.read32(base + cr::kWidth);
  height_ = hal_.read32(base + cr::kHeight);
  channels_ = hal_.read32(base + cr::kChannels);
  const nn::Shape s = nn::kStudent.input;
  if (int(width_) != s.w || int(height_) != s.h || int(channels_) != s.c)
    throw std::runtime_error("dacapo_cl: camera frames are not the student's input shape");
  slot_bytes_ = hal_.read32(base + cr::kSlotBytes);
  ring_slots_ = std::min<uint64_t>(clock_.frame_count, cr::kMaxSlots);
  if (ring_slots_ < clock_.frame_count)
    throw std::runtime_error("dacapo_cl: the stream has more frames than the camera ring can hold (" +
                             std::to_string(cr::kMaxSlots) + "); set max_frames");
  ring_ = arena_.alloc(ring_slots_ * slot_bytes_, 64);
  hal_.write32(base + cr::kRingBaseLo, uint32_t(ring_));
  hal_.write32(base + cr::kRingBaseHi, uint32_t(ring_ >> 32));
  hal_.write32(base + cr::kRingSlots, uint32_t(ring_slots_));
  hal_.write32(base + cr::kIrqEnable, cr::kIrqFrame);
  hal_.write32(base + cr::kCtrl, cr::kCtrlEnable);
  // Stream time 0 = capture of frame 0.
  while (hal_.read32(base + cr::kFramesWritten) == 0) {
    hal_.wait_irq(1u << soc::kIrqCamera, kPsPerS);
  }
  t0_ps_ = hal_.mem_read_value<cr::FrameHeader>(ring_).capture_time_ps;
}

void ClApp::service() {
  const uint64_t base = soc::kCameraCsrBase;
  hal_.write32(base + cr::kIrqStatus, cr::kIrqFrame);  // W1C before reading the count: no frame is missed
  const FrameId written = std::min<FrameId>(hal_.read32(base + cr::kFramesWritten), clock_.frame_count);
  if (written > consumed_) {
    for (FrameId f = consumed_; f < written; ++f) {
      const cr::FrameHeader h = hal_.mem_read_value<cr::FrameHeader>(ring_ + (f % ring_slots_) * slot_bytes_);
      if (h.magic != cr::kFrameMagic || h.frame_index != f)
        throw std::runtime_error("dacapo_cl: bad frame header in ring slot of frame " + std::to_string(f));
      truth_[f] = h.label;  // scoring only (see dacapo_cl.h)
      segment_[f] = h.segment;
      if (want_change_) {
        std::vector<float> px(size_t(width_) * height_ * channels_);
        hal_.mem_read(frame_addr(f), px.data(), px.size() * sizeof(float));
        if (f > 0) change_[f - 1] = cl::changed_fraction(prev_pixels_.data(), px.data(), width_, height_, channels_);
        rt_->charge_ops(4 * px.size());
        prev_pixels_ = std::move(px);
      }
      if (pending_ != kNone) {  // superseded before the B-SA could start it
        ++dropped_;
        publish_running_accuracy();
      }
      pending_ = f;
    }
    consumed_ = written;
    hal_.write32(base + cr::kConsumed, uint32_t(consumed_));
  }
  rt_->poll();
  if (bsa_job_ && bsa_job_->done()) {
    std::unique_ptr<Job> j = rt_->wait(*bsa_job_);
    if (j->failed()) throw std::runtime_error("dacapo_cl: B-SA inference failed: " + j->error());
    log_->prediction[bsa_frame_] = j->result.predictions.at(0);
    ++inferred_;
    correct_ += log_->prediction[bsa_frame_] == truth_[bsa_frame_];
    publish_running_accuracy();
    bsa_job_ = nullptr;
  }
  if (tsa_job_ && tsa_job_->done()) {
    std::unique_ptr<Job> j = rt_->wait(*tsa_job_);
    tsa_job_ = nullptr;
    if (j->failed()) throw std::runtime_error("dacapo_cl: T-SA job '" + j->name() + "' failed: " + j->error());
    if (tsa_done_) tsa_done_(*j);
    tsa_idle_since_ = stream_time();
  }
  if (!tsa_job_ && !tsa_queue_.empty()) {
    TsaWork& w = tsa_queue_.front();
    if ((w.needs_frame == kNone || w.needs_frame < consumed_) && !(w.copy_live && bsa_job_)) {
      if (w.copy_live) scratch_->copy_weights_from(*live_);
      if (w.needs_frame != kNone) label_wait_ += std::max(0.0, clock_.arrival(w.needs_frame) - tsa_idle_since_);
      tsa_done_ = w.done;
      std::unique_ptr<Job> job = w.make();
      tsa_queue_.pop_front();
      tsa_job_ = &rt_->start(std::move(job));
    }
  }
  if (!bsa_job_ && pending_ != kNone && stream_time() >= bsa_hold_until_) {
    if (pacing_) bsa_hold_until_ = stream_time() + pacing_->frame_seconds();
    bsa_frame_ = pending_;
    pending_ = kNone;
    bsa_job_ = &rt_->start(live_->infer_job(Sa::Bottom, cl_.kernels.eval(), {frame_addr(bsa_frame_)}));
  }
}

FrameId ClApp::settled_frames() const {
  FrameId n = consumed_;
  if (bsa_job_) n = std::min(n, bsa_frame_);
  if (pending_ != kNone) n = std::min(n, pending_);
  return n;
}

void ClApp::publish_running_accuracy() {
  const uint64_t seen = inferred_ + dropped_;
  hal_.set_running_accuracy(seen ? 100.0 * double(correct_) / double(seen) : 0.0);
}

void ClApp::pump(const std::function<bool()>& done, double until) {
  const uint32_t mask = (1u << soc::kIrqCamera) | (1u << soc::kIrqAccelerator);
  uint64_t last_progress_ps = hal_.now_ps();
  uint64_t seen = inferred_ + consumed_ + train_calls_;
  while (true) {
    service();
    if (done()) return;
    const double t = stream_time();
    if (t >= until) return;
    const uint64_t progress = inferred_ + consumed_ + train_calls_ + (tsa_job_ ? tsa_job_->descriptors() : 0);
    if (progress != seen) {
      seen = progress;
      last_progress_ps = hal_.now_ps();
    } else if (hal_.now_ps() - last_progress_ps > 10 * kPsPerS) {
      throw std::runtime_error("dacapo_cl: no progress for 10 s of simulated time");
    }
    double wake = wake_at_ > t ? std::min(until, wake_at_) : until;  // a phase end is a time, not an interrupt
    if (!bsa_job_ && pending_ != kNone && bsa_hold_until_ > t) wake = std::min(wake, bsa_hold_until_);
    const double wait_s = std::isfinite(wake) ? std::max(wake - t, 1e-9) : 1.0;
    hal_.wait_irq(mask, uint64_t(std::min(wait_s, 1.0) * double(kPsPerS)) + 1);
  }
}

cl::PhaseResult ClApp::execute(const cl::Phase& phase, cl::FrameLog& log, double deadline) {
  if (log.prediction.size() < clock_.frame_count) log.prediction.resize(clock_.frame_count, cl::kNoPrediction);
  log_ = &log;
  cl::PhaseResult r;
  r.start = stream_time();
  label_wait_ = 0;
  tsa_idle_since_ = r.start;
  std::vector<FrameId> picks;
  std::vector<int> labels;
  const Precision eval = cl_.kernels.eval(), train = cl_.kernels.train();
  switch (phase.kind) {
    case cl::PhaseKind::Idle:
      hal_.set_phase(Phase::Inference);
      break;
    case cl::PhaseKind::Retrain: {
      hal_.set_phase(Phase::Retrain);
      const auto& tr = phase.train;
      const uint64_t steps = cl::PhaseCosts(costs_, cl_.kernels, tsa_rows_).train_steps(tr.train.size(), tr.epochs, tr.max_steps);
      r.steps_trained = steps;
      const uint64_t per_epoch = (tr.train.size() + cl_.kernels.train_batch - 1) / cl_.kernels.train_batch;
      const uint32_t full = per_epoch ? uint32_t(steps / per_epoch) : 0;
      const uint64_t rest = per_epoch ? steps % per_epoch : 0;
      if (full > 0)
        tsa_queue_.push_back({kNone, true, [this, &tr, train, full] {
                                return scratch_->train_job(Sa::Top, train, addresses(tr.train), labels_of(tr.train),
                                                           train_config(), full);
                              }, {}});
      if (rest > 0) {  // a step cap ends training inside an epoch: the first `rest` batches
        const std::vector<cl::Sample> part(
            tr.train.begin(), tr.train.begin() + std::min<size_t>(tr.train.size(), rest * cl_.kernels.train_batch));
        tsa_queue_.push_back({kNone, full == 0, [this, part, train] {
                                return scratch_->train_job(Sa::Top, train, addresses(part), labels_of(part),
                                                           train_config(), 1);
                              }, {}});
      }
      if (!tr.valid.empty())
        tsa_queue_.push_back({kNone, steps == 0,
                              [this, &tr, eval] {
                                hal_.set_phase(Phase::Validate);
                                return scratch_->evaluate_job(Sa::Top, eval, addresses(tr.valid), labels_of(tr.valid));
                              },
                              [&r](Job& j) { r.valid_accuracy = 100.0 * j.result.accuracy(); }});
      break;
    }
    case cl::PhaseKind::Label:
      hal_.set_phase(Phase::Label);
      picks = cl::resolve_label_frames(phase.label, clock_.frame_count);
      if (picks.size() < phase.label.count) break;  // cannot complete: runs to the deadline below
      for (FrameId f : picks)
        tsa_queue_.push_back({f, false, [this, f, eval] { return teacher_->infer_job(Sa::Top, eval, {frame_addr(f)}); },
                              [this, f, &labels](Job& j) {
                                labels.push_back(app_.labels == "ground_truth" ? truth_[f] : j.result.predictions.at(0));
                              }});
      break;
    case cl::PhaseKind::Profile:
      hal_.set_phase(Phase::Retrain);
      r.profiles.resize(phase.profile.candidates.size());
      for (size_t i = 0; i < phase.profile.candidates.size(); ++i) {
        const auto& c = phase.profile.candidates[i];
        tsa_queue_.push_back({kNone, true,
                              [this, &c, eval] {
                                return scratch_->evaluate_job(Sa::Top, eval, addresses(c.valid), labels_of(c.valid));
                              },
                              [&r, i](Job& j) { r.profiles[i].before = 100.0 * j.result.accuracy(); }});
        tsa_queue_.push_back({kNone, false,
                              [this, &c, train, &phase] {
                                return scratch_->train_job(Sa::Top, train, addresses(c.train), labels_of(c.train),
                                                           train_config(), phase.profile.epochs);
                              },
                              {}});
        tsa_queue_.push_back({kNone, false,
                              [this, &c, eval] {
                                return scratch_->evaluate_job(Sa::Top, eval, addresses(c.valid), labels_of(c.valid));
                              },
                              [&r, i](Job& j) { r.profiles[i].after = 100.0 * j.result.accuracy(); }});
      }
      break;
  }
  const bool can_finish = !(phase.kind == cl::PhaseKind::Label && picks.size() < phase.label.count);
  double paper_wait = 0, work_end = NAN;
  const double min_end = pacing_ ? pacing_->phase_end(phase, clock_, r.start, &paper_wait) : phase.min_end;
  auto done = [&] {
    if (std::isnan(work_end) && can_finish && tsa_idle()) work_end = stream_time();
    return can_finish && tsa_idle() && stream_time() >= min_end;
  };
  wake_at_ = min_end;
  pump(done, deadline);
  wake_at_ = 0;
  const bool finished = done();
  if (!finished) {
    // The stream ended first: nothing is trained or labeled. Let the T-SA job in flight run out.
    tsa_queue_.clear();
    if (tsa_job_) {
      rt_->wait(*tsa_job_);
      tsa_job_ = nullptr;
    }
    r.end = deadline;
    r.completed = phase.kind == cl::PhaseKind::Idle;
    r.steps_trained = 0;
    r.profiles.clear();
    r.valid_accuracy = cl::kNaN;
    r.frames_arrived = clock_.first_at_or_after(r.end) - clock_.first_at_or_after(r.start);
    hal_.set_phase(Phase::Inference);
    return r;
  }
  r.end = stream_time();
  if (pacing_) pace_record(phase, r.start, min_end, work_end);
  if (phase.kind == cl::PhaseKind::Retrain && (r.steps_trained > 0 || !phase.train.valid.empty())) {
    // The retrained weights take effect now; the B-SA's frame in flight finishes with the old ones first.
    pump([&] { return bsa_job_ == nullptr; }, INFINITY);
    live_->swap_weights(*scratch_);
  } else if (phase.kind == cl::PhaseKind::Label) {
    r.label_wait = pacing_ ? paper_wait : label_wait_;  // the labeler's idle time on the time line in use
    // Live predictions of the picked frames must exist (or be dropped) before scoring.
    const FrameId last = *std::max_element(picks.begin(), picks.end());
    pump([&] {
      return consumed_ > last && !(bsa_job_ && bsa_frame_ <= last) && !(pending_ != kNone && pending_ <= last);
    }, INFINITY);
    cl::score_labels(picks, labels, log, r);
  }
  r.frames_arrived = clock_.first_at_or_after(r.end) - clock_.first_at_or_after(r.start);
  hal_.set_phase(Phase::Inference);
  return r;
}

void ClApp::pace_record(const cl::Phase& phase, double start, double paper_end, double work_end) {
  const double over = cl::Pacing::overrun(work_end, paper_end);
  if (over > 0) {
    ++pacing_overruns_;
    pacing_max_overrun_ = std::max(pacing_max_overrun_, over);
    std::ostringstream os;
    os << std::fixed << std::setprecision(6) << "pacing: phase '" << phase.tag << "' at " << start
       << " s: the compact pair's work took " << over << " s longer than the paper-scale profile allows";
    say(os.str());
  }
  pacing_csv_ << std::fixed << std::setprecision(6) << pacing_rows_++ << ',' << phase.tag << ','
              << cl::to_string(phase.kind) << ',' << start << ',' << paper_end << ','
              << work_end << ',' << over << '\n';
}

int ClApp::run() {
  clock_.fps = in_.fps;
  clock_.frame_count = app_.max_frames ? std::min(app_.max_frames, in_.frame_count) : in_.frame_count;
  if (clock_.frame_count == 0) throw std::runtime_error("dacapo_cl: the stream has no frames");
  truth_.assign(clock_.frame_count, -1);
  segment_.assign(clock_.frame_count, 0);
  want_change_ = app_.frame_change || cl_.policy == "eomu";
  if (want_change_) change_.assign(clock_.frame_count, 0.0);
  if (in_.pacing) {
    pacing_ = std::make_unique<cl::Pacing>(*in_.pacing, cl_.kernels, in_.fps);
    pacing_csv_ << "phase,tag,kernel,start_s,paper_end_s,board_work_end_s,overrun_s\n";
  }
  boot();
  const double camera_fps = hal_.read32(soc::kCameraCsrBase + cr::kFpsMilli) * 1e-3;
  if (std::fabs(camera_fps - in_.fps) > 1e-3)
    throw std::runtime_error("dacapo_cl: camera runs at " + std::to_string(camera_fps) + " fps, scenario at " +
                             std::to_string(in_.fps));
  profile();

  cl::ClConfig cfg = cl_;
  if (app_.scenario_warmup) cfg.metrics.warmup_s = cfg.eomu.warmup_s = in_.warmup_s;
  std::unique_ptr<cl::Policy> policy = cl::make_policy(cfg);
  // With pacing the policy plans with the paper-scale costs (its windows, budgets and step caps).
  const cl::PhaseCosts phase_costs = pacing_ ? pacing_->costs() : cl::PhaseCosts(costs_, cfg.kernels, tsa_rows_);
  const std::string pacing_note = pacing_ ? "paced as " + app_.pacing_student + "/" + app_.pacing_teacher + " (" +
                                                app_.pacing_profile + ")"
                                          : "not paced (the compact pair's own timing)";
  say("policy " + cfg.policy + ", " + std::to_string(clock_.frame_count) + " frames at " +
      std::to_string(clock_.fps) + " fps, labels from the " + app_.labels + ", " + pacing_note);
  start_camera();
  hal_.set_phase(Phase::Inference);
  cl::RunRecord run = cl::run_policy(*policy, *this, *this, phase_costs, [&](const cl::RunRecord& so_far) {
    hal_.set_drift_flag(!so_far.phases.empty() && so_far.phases.back().drift);
    write_outputs(so_far, cfg, settled_frames(), false);
  });
  // Every frame is taken and its inference finished before scoring.
  log_ = &run.log;
  pump([&] { return consumed_ >= clock_.frame_count && bsa_job_ == nullptr && pending_ == kNone; }, INFINITY);
  hal_.write32(soc::kCameraCsrBase + cr::kCtrl, 0);
  hal_.set_phase(Phase::Check);

  const Outcome o = write_outputs(run, cfg, clock_.frame_count, true);
  std::ostringstream os;
  os << std::fixed << std::setprecision(2) << "done: " << o.accuracy.scored_windows << " scored windows, accuracy mean "
     << o.accuracy.arithmetic_mean << " %, geomean " << o.accuracy.geometric_mean << " %, drops " << o.dropped
     << ", drifts " << o.drifts.hits << " hit / " << o.drifts.misses << " missed / " << o.drifts.false_alarms
     << " false alarms, " << pacing_note;
  if (pacing_) os << ", " << pacing_overruns_ << " overruns";
  say(os.str());
  hal_.set_phase(Phase::Done);
  return 0;
}

ClApp::Outcome ClApp::write_outputs(const cl::RunRecord& full, const cl::ClConfig& cfg, FrameId frames,
                                         bool complete) {
  // Score only [0, frames): a shorter clock makes the windows past it disappear and cuts the last one short
  // (unscored), exactly as at the end of a stream.
  cl::RunRecord run_view;
  const cl::RunRecord* run = &full;
  if (frames < full.clock.frame_count) {
    run_view.clock = full.clock;
    run_view.clock.frame_count = frames;
    run_view.log.prediction.assign(full.log.prediction.begin(),
                                   full.log.prediction.begin() + std::min<size_t>(frames, full.log.prediction.size()));
    run_view.phases = full.phases;
    run_view.drift_times = full.drift_times;
    run = &run_view;
  }
  const std::vector<cl::WindowAccuracy> windows = cl::window_accuracies(*run, *this, cfg.metrics);
  const cl::AccuracySummary summary = cl::summarize(windows);
  // A boundary whose detection window is still open at the end of a partial record is neither hit nor missed yet.
  const double judged_until = complete ? INFINITY : clock_.arrival(frames) - cfg.metrics.drift_tolerance_s;
  std::vector<double> boundaries;
  for (FrameId f = 1; f < frames; ++f)
    if (segment_[f] != segment_[f - 1] && clock_.arrival(f) >= cfg.metrics.warmup_s && clock_.arrival(f) <= judged_until)
      boundaries.push_back(clock_.arrival(f));
  const cl::DriftReport drifts = cl::match_drifts(boundaries, run->drift_times, cfg.metrics.drift_tolerance_s);
  uint64_t dropped = 0;
  for (FrameId f = 0; f < frames && f < run->log.prediction.size(); ++f) dropped += run->log.prediction[f] == cl::kNoPrediction;

  std::ostringstream acc, ph, dr, sum;
  cl::write_accuracy_csv(acc, windows);
  cl::write_phases_csv(ph, run->phases);
  cl::write_drifts_csv(dr, drifts);
  cl::write_summary(sum, cfg.policy, summary, drifts);
  sum << std::setprecision(6) << "complete = " << (complete ? "true" : "false") << "\n"
      << "scenario = " << in_.scenario << "\n"
      << "frames = " << frames << "\n"
      << "frames_dropped = " << dropped << "\n"
      << "bsa_rows = " << bsa_rows_ << "\n"
      << "tsa_rows = " << tsa_rows_ << "\n"
      << "bsa_inference_s = " << costs_.seconds(Kernel::Inference, cfg.kernels.eval(), bsa_rows_, 1) << "\n"
      << "warmup_s = " << cfg.metrics.warmup_s << "\n"
      << "stream_start_s = " << std::setprecision(12) << double(t0_ps_) * 1e-12 << std::setprecision(6) << "\n"
      << "labels = " << app_.labels << "\n"
      << "lr = " << app_.lr << "\n"
      << "phases = " << run->phases.size() << "\n"
      << "pacing = " << (pacing_ ? app_.pacing_student + "/" + app_.pacing_teacher : "off") << "\n";
  if (pacing_)
    sum << "pacing_profile = " << app_.pacing_profile << "\n"
        << "pacing_bsa_inference_s = " << pacing_->frame_seconds() << "\n"
        << "pacing_overruns = " << pacing_overruns_ << "\n"
        << "pacing_max_overrun_s = " << pacing_max_overrun_ << "\n";
  hal_.write_output("accuracy.csv", acc.str());
  hal_.write_output("phases.csv", ph.str());
  hal_.write_output("drifts.csv", dr.str());
  hal_.write_output("costs.csv", costs_.csv());
  hal_.write_output("summary.txt", sum.str());
  if (pacing_) hal_.write_output("pacing.csv", pacing_csv_.str());
  return {summary, drifts, dropped};
}

}  // namespace

int run_dacapo_cl(Hal& hal, const DacapoClConfig& app, const cl::ClConfig& cl, const DacapoClInputs& in,
                  uint64_t seed) {
  ClApp a(hal, app, cl, in, seed);
  return a.run();
}

}  // namespace dacapo::fw
