// Asynchronous execution of NN work on the two sub-accelerators from one firmware thread.
//
// A Job is a sequence of steps on one SA at one precision. A step runs host code (reading the results of the
// previous step's descriptors, element-wise math, preparing operands) and returns the descriptors to submit next;
// the following step starts when all of them have completed. The NnRuntime starts jobs, advances them on every
// accelerator interrupt and tells the caller which one finished, so the app can keep a B-SA inference and a T-SA
// training job in flight at the same time:
//
//   Job& a = rt.start(net_b.infer_job(Sa::Bottom, Precision::MX6, frame));
//   Job& b = rt.start(net_t.train_job(Sa::Top, Precision::MX9, samples, labels, sgd));
//   Job* first = rt.wait_any();          // sleeps on the accelerator IRQ; the other job keeps going
//
// Descriptors of one step are submitted back to back: each SA queue executes its descriptors in order, one after
// the other (a descriptor's writes are complete before the next one reads), which is what lets a whole forward
// pass go out as one step. One job per SA at a time; all submissions on an SA must go through the runtime while
// one of its jobs runs (it tells finished tickets from the driver's count of outstanding jobs).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "firmware/driver/dacapo_driver.h"
#include "firmware/hal/hal.h"
#include "firmware/nn/tensor.h"

namespace dacapo::nn {

struct RuntimeConfig {
  // Host CPU cycles charged per element operation of host-side work (element-wise math, im2col/col2im, copies).
  uint32_t host_cycles_per_element = 4;
  unsigned irq_line = 0;                       // the accelerator's interrupt line (soc::kIrqAccelerator)
  uint64_t timeout_ps = 1'000'000'000'000ull;  // 1 s of simulated time without any progress → NnError
};

class NnRuntime;

// What a network job produced (filled by its steps; empty on a timing-only accelerator).
struct NetResult {
  std::vector<float> logits;     // [samples × classes] of inference / evaluation jobs
  std::vector<int> predictions;  // argmax per sample; -1 on a timing-only accelerator
  size_t samples = 0;            // inputs processed (training: per epoch pass)
  size_t correct = 0;            // predictions equal to the label (evaluation, training)
  double loss_sum = 0;           // Σ cross-entropy (training / gradient jobs)
  size_t sgd_steps = 0;
  double mean_loss() const { return samples ? loss_sum / double(samples) : 0.0; }
  double accuracy() const { return samples ? double(correct) / double(samples) : 0.0; }
};

class Job {
 public:
  using Step = std::function<std::vector<regs::Descriptor>()>;

  Job(std::string name, regs::Sa sa, regs::Precision precision) : name_(std::move(name)), sa_(sa), prec_(precision) {}
  virtual ~Job() = default;
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  const std::string& name() const { return name_; }
  regs::Sa sa() const { return sa_; }
  regs::Precision precision() const { return prec_; }
  bool started() const { return started_; }
  bool done() const { return done_; }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }  // empty unless failed

  // Accelerator statistics of the job's descriptors (from their write-back).
  uint64_t descriptors() const { return descriptors_; }
  uint64_t accelerator_cycles() const { return total_cycles_; }
  uint64_t compute_cycles() const { return compute_cycles_; }
  uint64_t host_element_ops() const { return host_ops_; }
  uint64_t start_ps() const { return start_ps_; }
  uint64_t end_ps() const { return end_ps_; }

  NetResult result;

  void add_step(Step step) { steps_.push_back(std::move(step)); }
  // Called by the job's steps: element operations done on the host (charged by the runtime).
  void count_host_ops(uint64_t ops) { pending_ops_ += ops; }
  // Runs once after the last step, also when the job failed (release resources, e.g. the network's lock).
  std::function<void()> on_finish;

 private:
  friend class NnRuntime;
  std::string name_;
  regs::Sa sa_;
  regs::Precision prec_;
  std::vector<Step> steps_;
  size_t next_step_ = 0;
  std::vector<uint64_t> tickets_;  // of the current step, not yet collected
  bool started_ = false, done_ = false;
  std::string error_;
  uint64_t descriptors_ = 0, total_cycles_ = 0, compute_cycles_ = 0, host_ops_ = 0, pending_ops_ = 0;
  uint64_t start_ps_ = 0, end_ps_ = 0;
};

class NnRuntime {
 public:
  // The driver must be probed and have both queues initialised (init_queue) by the caller.
  NnRuntime(fw::Hal& hal, fw::DacapoDriver& driver, TensorAllocator& alloc, RuntimeConfig cfg = {});

  fw::Hal& hal() { return hal_; }
  fw::DacapoDriver& driver() { return driver_; }
  TensorAllocator& allocator() { return alloc_; }
  const RuntimeConfig& config() const { return cfg_; }
  // false on a timing-only accelerator: results carry no data and host steps skip their math (still charged).
  bool functional() const { return driver_.caps().functional; }

  // Starts the job (sets the SA's precision, runs steps until descriptors are in flight). The runtime keeps the
  // job until it is finished and collected by wait()/wait_any(). Throws NnError if the SA already runs a job.
  Job& start(std::unique_ptr<Job> job);
  // Advances every job whose descriptors completed, without sleeping.
  void poll();
  // Sleeps on the accelerator interrupt until some running job finishes; returns it (ownership passes back to
  // the caller). nullptr when no job is running. Throws NnError on a timeout.
  std::unique_ptr<Job> wait_any();
  // Waits for this job (other jobs keep advancing meanwhile) and returns it.
  std::unique_ptr<Job> wait(Job& job);
  // Start + wait; throws NnError if the job failed.
  std::unique_ptr<Job> run(std::unique_ptr<Job> job);
  bool busy(regs::Sa sa) const;

  // Charges host element operations to the CPU model.
  void charge_ops(uint64_t ops);

 private:
  bool ticket_retired(regs::Sa sa, uint64_t ticket) const;
  void advance(Job& job);
  void finish(Job& job);
  std::unique_ptr<Job> take_finished(Job* only);

  fw::Hal& hal_;
  fw::DacapoDriver& driver_;
  TensorAllocator& alloc_;
  RuntimeConfig cfg_;
  std::vector<std::unique_ptr<Job>> jobs_;  // running or finished but not collected
  uint64_t next_ticket_[2] = {0, 0};         // one past the last ticket the runtime got per SA
};

}  // namespace dacapo::nn
