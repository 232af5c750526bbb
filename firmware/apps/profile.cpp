#include "firmware/apps/profile.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <tuple>

#include "firmware/cl/cost.h"
#include "firmware/driver/dacapo_driver.h"
#include "firmware/driver/dram_arena.h"
#include "firmware/hal/soc_map.h"

namespace dacapo::fw {

using regs::Precision;
using regs::Sa;

const char* to_string(ProfileKernel k) { return k == ProfileKernel::Infer ? "infer" : "train"; }

namespace {

constexpr uint32_t kMaxDim = 1u << 20;  // descriptor limit on M, N, K

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto b = item.find_first_not_of(" \t");
    const auto e = item.find_last_not_of(" \t");
    out.push_back(b == std::string::npos ? std::string() : item.substr(b, e - b + 1));
  }
  return out;
}

uint32_t parse_uint(const std::string& text, const std::string& key, const std::string& whole) {
  char* end = nullptr;
  const unsigned long v = std::strtoul(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || text[0] == '-' || v > 0xFFFFFFFFul)
    throw std::invalid_argument(key + ": '" + text + "' in '" + whole + "' is not a number");
  return static_cast<uint32_t>(v);
}

}  // namespace

std::vector<uint32_t> parse_uint_list(const std::string& text, const std::string& key, uint32_t lo, uint32_t hi) {
  std::vector<uint32_t> out;
  for (const std::string& item : split_list(text)) {
    const auto dash = item.find('-');
    uint32_t a = 0, b = 0;
    if (dash == std::string::npos) {
      a = b = parse_uint(item, key, text);
    } else {
      a = parse_uint(item.substr(0, dash), key, text);
      b = parse_uint(item.substr(dash + 1), key, text);
      if (b < a) throw std::invalid_argument(key + ": empty range '" + item + "'");
    }
    if (a < lo || b > hi)
      throw std::invalid_argument(key + ": '" + item + "' outside " + std::to_string(lo) + ".." + std::to_string(hi));
    for (uint32_t v = a; v <= b; ++v)
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  }
  if (out.empty()) throw std::invalid_argument(key + ": empty list");
  return out;
}

std::vector<KernelGemm> kernel_gemms(const ProfileModel& model, ProfileKernel kernel, uint32_t batch) {
  if (batch == 0) throw std::invalid_argument("batch must be > 0");
  std::vector<KernelGemm> out;
  for (uint32_t l = 0; l < model.layers.size(); ++l) {
    const GemmLayer& g = model.layers[l];
    const uint64_t m = uint64_t(g.m) * batch;
    if (m > kMaxDim || g.n > kMaxDim || g.k > kMaxDim || g.m == 0 || g.n == 0 || g.k == 0)
      throw std::invalid_argument(model.name + " layer '" + g.name + "': M·batch = " + std::to_string(m) + ", N = " +
                                  std::to_string(g.n) + ", K = " + std::to_string(g.k) +
                                  " outside the descriptor range 1.." + std::to_string(kMaxDim));
    out.push_back({l, GemmRole::Forward, static_cast<uint32_t>(m), g.n, g.k});
  }
  if (kernel == ProfileKernel::Train) {
    const size_t forward = out.size();
    for (size_t i = forward; i-- > 0;) {
      const KernelGemm f = out[i];
      // dB[K×N] = Aᵀ[K×M]·dC[M×N]: the weight gradient (or, for activation·activation GEMMs, the gradient of B).
      out.push_back({f.layer, GemmRole::WeightGrad, f.k, f.n, f.m});
      // dA[M×K] = dC[M×N]·Bᵀ[N×K]; the first GEMM's A is the input image, which needs no gradient.
      if (i != 0) out.push_back({f.layer, GemmRole::DataGrad, f.m, f.k, f.n});
    }
  }
  return out;
}

namespace {

uint32_t block_bytes(Precision p) { return p == Precision::MX4 ? 8 : p == Precision::MX6 ? 12 : 18; }
uint8_t mx_format(Precision p) { return static_cast<uint8_t>(static_cast<uint32_t>(p) + 1); }
uint64_t blocks(uint32_t len) { return (uint64_t(len) + 15) / 16; }
const char* prec_name(Precision p) { return p == Precision::MX4 ? "MX4" : p == Precision::MX6 ? "MX6" : "MX9"; }

// Descriptors of one kernel call with operands in distinct DRAM buffers: A row-major and B column-major MX blocks
// along K in the queue precision; forward and data-gradient results as MX row-major (the next GEMM's A), weight
// gradients FP32 (what SGD accumulates). Weights get one buffer per layer; results alternate between two buffers.
std::vector<regs::Descriptor> build_descriptors(const std::vector<KernelGemm>& gemms, Precision p, DramArena& arena,
                                                uint32_t tag_base) {
  const uint32_t bb = block_bytes(p);
  uint64_t max_a = 0, max_c = 0;
  for (const KernelGemm& g : gemms) {
    max_a = std::max(max_a, uint64_t(g.m) * blocks(g.k) * bb);
    max_c = std::max(max_c, g.role == GemmRole::WeightGrad ? uint64_t(g.m) * g.n * 4 : uint64_t(g.m) * blocks(g.n) * bb);
  }
  const uint64_t a_buf[2] = {arena.alloc(max_a), arena.alloc(max_a)};
  const uint64_t c_buf[2] = {arena.alloc(max_c), arena.alloc(max_c)};
  std::vector<regs::Descriptor> out;
  out.reserve(gemms.size());
  for (size_t i = 0; i < gemms.size(); ++i) {
    const KernelGemm& g = gemms[i];
    regs::Descriptor d;
    d.opcode = static_cast<uint8_t>(regs::Opcode::Gemm);
    d.m = g.m;
    d.n = g.n;
    d.k = g.k;
    d.tag = tag_base + static_cast<uint32_t>(i);
    d.a_format = mx_format(p);
    d.b_format = mx_format(p) | regs::kColMajor;
    d.lda = static_cast<uint32_t>(blocks(g.k) * bb);
    d.ldb = d.lda;
    d.a_addr = a_buf[i % 2];
    d.b_addr = arena.alloc(uint64_t(g.n) * d.ldb);
    if (g.role == GemmRole::WeightGrad) {
      d.c_format = static_cast<uint8_t>(regs::ElemFormat::FP32);
      d.ldc = g.n * 4;
    } else {
      d.c_format = mx_format(p);
      d.ldc = static_cast<uint32_t>(blocks(g.n) * bb);
    }
    d.c_addr = c_buf[i % 2];
    out.push_back(d);
  }
  return out;
}

struct Point {
  ProfileKernel kernel;
  Precision precision;
  uint32_t rows, batch;
};

class Profiler {
 public:
  Profiler(Hal& hal, const ProfileConfig& cfg, const ProfileModel& model, const ProfileModel& background)
      : hal_(hal), cfg_(cfg), model_(model), background_(background), driver_(hal),
        arena_(soc::kDramBase + cfg.dram_offset, cfg.dram_bytes) {}

  int run();

 private:
  void say(const std::string& line) { hal_.print(line + "\n"); }
  // Seconds of one kernel call at `pt`, with the other SA idle or busy.
  double measure(const Point& pt, bool shared);
  void write_tables();
  // Soft reset, then waits until both queues have taken it (the hardware applies it asynchronously: until then
  // HEAD still reads the old slot) and re-enables the interrupts the reset cleared.
  void quiesce();

  Hal& hal_;
  const ProfileConfig& cfg_;
  const ProfileModel& model_;
  const ProfileModel& background_;  // what the other SA runs in the shared measurement
  Sa infer_sa_ = Sa::Bottom;
  DacapoDriver driver_;
  DramArena arena_;
  uint64_t ring_[2] = {0, 0};
  uint64_t data_mark_ = 0;
  uint32_t total_rows_ = 16;
  double clock_hz_ = 0;  // accelerator clock, calibrated against simulated time at boot
  using Key = std::tuple<int, uint32_t, uint32_t, uint32_t>;  // kernel, precision, rows, batch
  std::map<Key, double> alone_, shared_;
};

double Profiler::measure(const Point& pt, bool shared) {
  const Sa sa = pt.kernel == ProfileKernel::Infer ? infer_sa_ : Sa::Top;
  const Sa other = sa == Sa::Top ? Sa::Bottom : Sa::Top;
  const uint32_t slots = cfg_.ring_slots, bg_slots = cfg_.background_ring_slots;

  // A clean start: nothing left of the previous point (a background job is dropped at its next tile).
  quiesce();
  driver_.set_partition(sa == Sa::Top ? pt.rows : total_rows_ - pt.rows);

  arena_.reset();
  arena_.alloc(data_mark_);  // keep the rings
  const std::vector<regs::Descriptor> jobs =
      build_descriptors(kernel_gemms(model_, pt.kernel, pt.batch), pt.precision, arena_, 1);
  // The other SA's stream (the background model): the B-SA infers batch-1 frames at MX6 while the T-SA trains,
  // labels or validates; the T-SA retrains (MX9, train_batch) while the B-SA infers.
  std::vector<regs::Descriptor> background;
  const Precision bg_precision = sa == Sa::Top ? Precision::MX6 : Precision::MX9;
  if (shared) {
    const ProfileKernel bg_kernel = sa == Sa::Top ? ProfileKernel::Infer : ProfileKernel::Train;
    background = build_descriptors(kernel_gemms(background_, bg_kernel, sa == Sa::Top ? 1 : cfg_.train_batch),
                                   bg_precision, arena_, 1u << 20);
  }

  driver_.set_precision(sa, pt.precision);
  driver_.init_queue(sa, ring_[static_cast<unsigned>(sa)], slots);
  if (shared) {
    driver_.set_precision(other, bg_precision);
    driver_.init_queue(other, ring_[static_cast<unsigned>(other)], bg_slots);
  }

  // The measured SA's ring is kept full; the firmware sleeps in the driver's wait() on the oldest job and, after
  // each one, tops the background ring up again (it holds enough jobs to outlast one measured GEMM).
  size_t next = 0, bg_next = 0;
  uint64_t bg_submitted = 0, bg_collected = 0;
  uint64_t first_start = UINT64_MAX, last_end = 0;
  for (size_t collected = 0; collected < jobs.size(); ++collected) {
    while (next < jobs.size() && driver_.outstanding(sa) < slots - 1) driver_.submit(sa, jobs[next++]);
    if (shared) {
      for (; bg_collected < bg_submitted - driver_.outstanding(other); ++bg_collected) {
        const JobResult r = driver_.wait(other, bg_collected);
        if (!r.ok())
          throw DriverError(std::string("profile: background job ") + std::to_string(r.tag) + " failed: " +
                            to_string(r.error));
      }
      while (driver_.outstanding(other) < bg_slots - 1) {
        driver_.submit(other, background[bg_next]);
        bg_next = (bg_next + 1) % background.size();
        ++bg_submitted;
      }
    }
    const JobResult r = driver_.wait(sa, collected);
    if (!r.ok())
      throw DriverError(std::string("profile: ") + sa_name(sa) + " job " + std::to_string(r.tag) + " failed: " +
                        to_string(r.error));
    first_start = std::min(first_start, r.start_cycle);
    last_end = std::max(last_end, r.start_cycle + r.total_cycles);
  }
  // The kernel's latency on the accelerator: from the first job's start (descriptor fetch) to the last job's
  // results, from the descriptors' write-back fields. The host sees completions later than that (interrupt and
  // register visibility), which is not part of the kernel.
  return double(last_end - first_start) / clock_hz_;
}

void Profiler::quiesce() {
  driver_.reset();
  const uint64_t deadline = hal_.now_ps() + DriverConfig{}.timeout_ps;
  const uint64_t status = soc::kAccCsrBase + regs::kGlobalPage + regs::global::kStatus;
  auto head = [&](Sa sa) {
    return hal_.read32(soc::kAccCsrBase + regs::kQueuePage[static_cast<unsigned>(sa)] + regs::queue::kHead);
  };
  while (head(Sa::Top) != 0 || head(Sa::Bottom) != 0 ||
         (hal_.read32(status) & (regs::kStatusTopBusy | regs::kStatusBottomBusy))) {
    if (hal_.now_ps() >= deadline) throw DriverError("profile: the accelerator did not take the soft reset");
    hal_.wait_irq(0, 10'000);  // 10 ns; lets the accelerator run
  }
  driver_.probe();
}

void Profiler::write_tables() {
  auto table = [&](const std::map<Key, double>& t) {
    std::ostringstream os;
    os << "model,kernel,precision,rows,batch,seconds\n";
    char buf[64];
    for (const auto& [key, s] : t) {
      std::snprintf(buf, sizeof buf, "%.9g", s);
      os << model_.name << "," << to_string(static_cast<ProfileKernel>(std::get<0>(key))) << ","
         << prec_name(static_cast<Precision>(std::get<1>(key))) << "," << std::get<2>(key) << "," << std::get<3>(key)
         << "," << buf << "\n";
    }
    return os.str();
  };
  hal_.write_output("profile.csv", table(alone_));
  if (cfg_.shared) hal_.write_output("profile_shared.csv", table(shared_));
}

int Profiler::run() {
  hal_.set_phase(Phase::Boot);
  driver_.probe();
  total_rows_ = driver_.caps().rows;
  {
    // The accelerator clock is not a register: count its cycles over 100 us of simulated time.
    const uint64_t c0 = driver_.cycles(), p0 = hal_.now_ps();
    hal_.wait_irq(0, 100'000'000);
    const uint64_t c1 = driver_.cycles(), p1 = hal_.now_ps();
    clock_hz_ = double(c1 - c0) / (double(p1 - p0) * 1e-12);
    if (!(clock_hz_ > 0)) throw DriverError("profile: the accelerator cycle counter does not advance");
  }
  std::vector<ProfileKernel> kernels;
  for (const std::string& k : split_list(cfg_.kernels)) {
    if (k == "infer") kernels.push_back(ProfileKernel::Infer);
    else if (k == "train") kernels.push_back(ProfileKernel::Train);
    else throw std::invalid_argument("firmware.profile.kernels: '" + k + "' is not infer or train");
  }
  std::vector<Precision> precisions;
  for (const std::string& p : split_list(cfg_.precisions)) {
    const auto prec = cl::parse_precision(p);
    if (!prec) throw std::invalid_argument("firmware.profile.precisions: '" + p + "' is not MX4, MX6 or MX9");
    precisions.push_back(*prec);
  }
  // Up to all rows on the measured SA; the shared measurement needs a row for the other SA, so a point with all
  // rows is measured alone only.
  const std::vector<uint32_t> rows = parse_uint_list(cfg_.rows, "firmware.profile.rows", 1, total_rows_);
  const std::vector<uint32_t> infer_batches =
      parse_uint_list(cfg_.infer_batches, "firmware.profile.infer_batches", 1, 1u << 16);
  if (cfg_.train_batch == 0) throw std::invalid_argument("firmware.profile.train_batch: must be > 0");
  if (cfg_.ring_slots < 2 || cfg_.background_ring_slots < 2 || cfg_.ring_slots > regs::kMaxRingSlots ||
      cfg_.background_ring_slots > regs::kMaxRingSlots)
    throw std::invalid_argument("firmware.profile: ring_slots and background_ring_slots must be in 2.." +
                                std::to_string(regs::kMaxRingSlots));
  if (cfg_.infer_sa == "bottom") infer_sa_ = Sa::Bottom;
  else if (cfg_.infer_sa == "top") infer_sa_ = Sa::Top;
  else throw std::invalid_argument("firmware.profile.infer_sa: '" + cfg_.infer_sa + "' is not bottom or top");

  // Either SA may be the measured one or the background: both rings take the larger size.
  const uint64_t ring_bytes = uint64_t(std::max(cfg_.ring_slots, cfg_.background_ring_slots)) * regs::kDescriptorBytes;
  ring_[0] = arena_.alloc(ring_bytes);
  ring_[1] = arena_.alloc(ring_bytes);
  data_mark_ = arena_.used();

  std::vector<Point> points;
  for (ProfileKernel k : kernels)
    for (Precision p : precisions)
      for (uint32_t b : k == ProfileKernel::Infer ? infer_batches : std::vector<uint32_t>{cfg_.train_batch})
        for (uint32_t r : rows) points.push_back({k, p, r, b});

  say("profile: model " + model_.name + ", " + std::to_string(model_.layers.size()) + " GEMM layers, " +
      std::to_string(points.size()) + " points, infer on the " + sa_name(infer_sa_) +
      (cfg_.shared ? " (alone and with the other SA running " + background_.name + ")" : "") +
      (driver_.caps().functional ? "" : ", timing-only accelerator"));
  hal_.set_phase(Phase::Accelerate);
  for (const Point& pt : points) {
    const Key key{static_cast<int>(pt.kernel), static_cast<uint32_t>(pt.precision), pt.rows, pt.batch};
    const double alone = measure(pt, false);
    alone_[key] = alone;
    char line[200];
    if (cfg_.shared && pt.rows < total_rows_) {
      const double with_other = measure(pt, true);
      shared_[key] = with_other;
      std::snprintf(line, sizeof line, "profile: %-5s %s rows %2u batch %2u: %.6f s alone, %.6f s shared (%+.1f %%)",
                    to_string(pt.kernel), prec_name(pt.precision), pt.rows, pt.batch, alone, with_other,
                    100.0 * (with_other / alone - 1.0));
    } else {
      std::snprintf(line, sizeof line, "profile: %-5s %s rows %2u batch %2u: %.6f s alone", to_string(pt.kernel),
                    prec_name(pt.precision), pt.rows, pt.batch, alone);
    }
    say(line);
    write_tables();
  }
  quiesce();

  // B-SA rows for the camera (Algorithm 1 lines 1-2), through the cost-table reader the CL firmware uses.
  std::ostringstream rows_csv;
  rows_csv << "model,fps,table,bsa_rows\n";
  for (int which = 0; which < (cfg_.shared ? 2 : 1); ++which) {
    const std::map<Key, double>& t = which == 0 ? alone_ : shared_;
    std::ostringstream csv;
    csv << "model,kernel,precision,rows,batch,seconds\n";
    for (const auto& [key, s] : t)
      if (std::get<0>(key) == static_cast<int>(ProfileKernel::Infer))
        csv << model_.name << ",infer," << prec_name(static_cast<Precision>(std::get<1>(key))) << ","
            << std::get<2>(key) << "," << std::get<3>(key) << "," << s << "\n";
    std::istringstream in(csv.str());
    const cl::CostTable costs = cl::CostTable::parse(in, "profile", model_.name, model_.name);
    cl::KernelPlan plan;
    plan.total_rows = total_rows_;
    std::string answer;
    try {
      const auto r = cl::choose_bsa_rows(costs, plan, cfg_.fps);
      answer = r ? std::to_string(*r) : "none";
    } catch (const cl::CostError&) {
      answer = "";  // the needed rows (infer MX6 batch 1, rows 1..) were not all measured
    }
    const char* name = which == 0 ? "alone" : "shared";
    if (!answer.empty()) {
      rows_csv << model_.name << "," << cfg_.fps << "," << name << "," << answer << "\n";
      say(std::string("profile: B-SA rows for ") + std::to_string(cfg_.fps) + " fps (" + name + "): " + answer);
    }
  }
  hal_.write_output("profile_bsa_rows.csv", rows_csv.str());
  hal_.set_phase(Phase::Done);
  return 0;
}

}  // namespace

int run_profile(Hal& hal, const ProfileConfig& cfg, const ProfileModel& model, const ProfileModel& background) {
  if (model.layers.empty()) throw std::invalid_argument("profile: model '" + model.name + "' has no layers");
  if (background.layers.empty())
    throw std::invalid_argument("profile: background model '" + background.name + "' has no layers");
  Profiler p(hal, cfg, model, background);
  return p.run();
}

}  // namespace dacapo::fw
