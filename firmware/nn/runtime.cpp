#include "firmware/nn/runtime.h"

#include <algorithm>

#include "firmware/nn/lowering.h"

namespace dacapo::nn {

using regs::Sa;

NnRuntime::NnRuntime(fw::Hal& hal, fw::DacapoDriver& driver, TensorAllocator& alloc, RuntimeConfig cfg)
    : hal_(hal), driver_(driver), alloc_(alloc), cfg_(cfg) {}

bool NnRuntime::busy(Sa sa) const {
  for (const auto& j : jobs_)
    if (!j->done_ && j->sa_ == sa) return true;
  return false;
}

void NnRuntime::charge_ops(uint64_t ops) {
  if (ops) hal_.charge(ops * cfg_.host_cycles_per_element);
}

Job& NnRuntime::start(std::unique_ptr<Job> job) {
  if (!job) throw NnError("runtime: start of a null job");
  if (job->started_) throw NnError("runtime: job '" + job->name_ + "' was already started");
  if (busy(job->sa_))
    throw NnError(std::string("runtime: ") + fw::sa_name(job->sa_) + " already runs a job; '" + job->name_ +
                  "' must wait for it");
  Job& j = *job;
  jobs_.push_back(std::move(job));
  j.started_ = true;
  j.start_ps_ = hal_.now_ps();
  try {
    if (driver_.precision(j.sa_) != j.prec_) driver_.set_precision(j.sa_, j.prec_);
    advance(j);
  } catch (...) {
    // A driver failure (timeout, bus error) is fatal for the job; do not leave it blocking the SA.
    if (j.tickets_.empty()) jobs_.pop_back();
    throw;
  }
  return j;
}

bool NnRuntime::ticket_retired(Sa sa, uint64_t ticket) const {
  // Tickets retire in submission order; the driver counts what is still outstanding on the queue.
  const unsigned i = static_cast<unsigned>(sa);
  return ticket + driver_.outstanding(sa) < next_ticket_[i];
}

void NnRuntime::finish(Job& job) {
  job.done_ = true;
  job.end_ps_ = hal_.now_ps();
  if (job.on_finish) job.on_finish();
}

void NnRuntime::advance(Job& job) {
  while (!job.done_) {
    if (!job.tickets_.empty()) {
      if (!ticket_retired(job.sa_, job.tickets_.back())) return;
      for (uint64_t t : job.tickets_) {
        const fw::JobResult r = driver_.wait(job.sa_, t);  // already retired: returns at once
        ++job.descriptors_;
        job.total_cycles_ += r.total_cycles;
        job.compute_cycles_ += r.compute_cycles;
        if (!r.ok() && job.error_.empty()) {
          const auto kind = static_cast<JobKind>(r.tag >> 8);
          job.error_ = job.name_ + ": " + to_string(kind) + " descriptor of stage " + std::to_string(r.tag & 0xFF) +
                       " failed on the " + fw::sa_name(job.sa_) + ": " + fw::to_string(r.error);
        }
      }
      job.tickets_.clear();
      if (job.failed()) {
        finish(job);
        return;
      }
    }
    if (job.next_step_ == job.steps_.size()) {
      finish(job);
      return;
    }
    std::vector<regs::Descriptor> descs;
    try {
      descs = job.steps_[job.next_step_++]();
    } catch (const std::exception& e) {
      job.error_ = job.name_ + ": " + e.what();
    }
    charge_ops(job.pending_ops_);
    job.host_ops_ += job.pending_ops_;
    job.pending_ops_ = 0;
    if (job.failed()) {
      finish(job);
      return;
    }
    for (const regs::Descriptor& d : descs) {
      const uint64_t t = driver_.submit(job.sa_, d);
      job.tickets_.push_back(t);
      next_ticket_[static_cast<unsigned>(job.sa_)] = t + 1;
    }
  }
}

void NnRuntime::poll() {
  driver_.service();
  for (auto& j : jobs_)
    if (!j->done_) advance(*j);
}

std::unique_ptr<Job> NnRuntime::take_finished(Job* only) {
  for (auto it = jobs_.begin(); it != jobs_.end(); ++it) {
    if ((*it)->done_ && (only == nullptr || it->get() == only)) {
      std::unique_ptr<Job> j = std::move(*it);
      jobs_.erase(it);
      return j;
    }
  }
  return nullptr;
}

namespace {
uint64_t progress(const std::vector<std::unique_ptr<Job>>& jobs) {
  uint64_t p = 0;
  for (const auto& j : jobs) p += j->descriptors() + (j->done() ? 1 : 0);
  return p;
}
}  // namespace

std::unique_ptr<Job> NnRuntime::wait_any() {
  if (jobs_.empty()) return nullptr;
  uint64_t deadline = hal_.now_ps() + cfg_.timeout_ps;
  uint64_t seen = progress(jobs_);
  while (true) {
    poll();
    if (auto j = take_finished(nullptr)) return j;
    if (const uint64_t p = progress(jobs_); p != seen) {
      seen = p;
      deadline = hal_.now_ps() + cfg_.timeout_ps;
    }
    const uint64_t now = hal_.now_ps();
    if (now >= deadline) throw NnError("runtime: no job progressed for the timeout (accelerator hung?)");
    hal_.wait_irq(1u << cfg_.irq_line, deadline - now);
  }
}

std::unique_ptr<Job> NnRuntime::wait(Job& job) {
  const bool ours = std::any_of(jobs_.begin(), jobs_.end(), [&](const auto& j) { return j.get() == &job; });
  if (!ours) throw NnError("runtime: wait for a job that is not running here (or was already collected)");
  uint64_t deadline = hal_.now_ps() + cfg_.timeout_ps;
  uint64_t seen = progress(jobs_);
  while (true) {
    poll();
    if (job.done_) return take_finished(&job);
    if (const uint64_t p = progress(jobs_); p != seen) {
      seen = p;
      deadline = hal_.now_ps() + cfg_.timeout_ps;
    }
    const uint64_t now = hal_.now_ps();
    if (now >= deadline) throw NnError("runtime: job '" + job.name_ + "' made no progress for the timeout");
    hal_.wait_irq(1u << cfg_.irq_line, deadline - now);
  }
}

std::unique_ptr<Job> NnRuntime::run(std::unique_ptr<Job> job) {
  Job& j = start(std::move(job));
  std::unique_ptr<Job> done = wait(j);
  if (done->failed()) throw NnError(done->error());
  return done;
}

}  // namespace dacapo::nn
