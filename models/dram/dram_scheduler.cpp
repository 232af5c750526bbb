#include "models/dram/dram_scheduler.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "models/common/output_file.h"

namespace dacapo::dram {
namespace {
// Latencies up to this many cycles (1.3 ms at 800 MHz) are kept exactly; longer ones share the last bucket
// (the maximum is kept exactly regardless).
constexpr size_t kHistogramCycles = size_t{1} << 20;
}  // namespace

DramScheduler::DramScheduler(const DramConfig& cfg)
    : cfg_((cfg.validate(), cfg)),
      capacity_(cfg_.capacity_bytes()),
      map_(cfg_),
      rules_(build_timing_rules(cfg_)),
      channel_seq_(cfg_.channels, 0),
      channel_touched_(cfg_.channels, 0),
      read_bytes_per_channel_(cfg_.channels, 0),
      write_bytes_per_channel_(cfg_.channels, 0) {
  channels_.reserve(cfg_.channels);
  for (uint32_t c = 0; c < cfg_.channels; ++c) channels_.emplace_back(cfg_, rules_);
  recording_ = !cfg_.trace_out.empty();
}

std::string DramScheduler::check(uint64_t address, uint64_t length) const {
  const uint64_t capacity = capacity_;
  if (length == 0) return "zero-length request";
  if (address >= capacity || length > capacity - address) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "request [0x%llx, +%llu) outside the DRAM capacity of 0x%llx bytes",
                  static_cast<unsigned long long>(address), static_cast<unsigned long long>(length),
                  static_cast<unsigned long long>(capacity));
    return buf;
  }
  return {};
}

uint64_t DramScheduler::channel_mask(uint64_t address, uint64_t length) const {
  const uint64_t all = cfg_.channels >= 64 ? ~uint64_t{0} : (uint64_t{1} << cfg_.channels) - 1;
  const uint64_t burst = cfg_.burst_bytes();
  uint64_t mask = 0;
  for (uint64_t a = address / burst * burst; a < address + length && mask != all; a += burst)
    mask |= uint64_t{1} << (map_.decode(a).channel % 64);
  return mask;
}

uint64_t DramScheduler::submit(const Request& request) {
  if (const std::string why = check(request.address, request.length); !why.empty())
    throw std::invalid_argument("dram: " + why);
  const uint64_t id = next_id_++;
  RequestState& state = inflight_.emplace_back();
  state.arrival = request.arrival;
  // One extra count while bursts are still being queued, so the request cannot finish half-submitted.
  state.bursts_left = 1;
  ++requests_;
  (request.write ? write_requests_ : read_requests_) += 1;
  (request.write ? write_bytes_ : read_bytes_) += request.length;
  if (recording_)
    trace_.push_back(StlRecord{static_cast<uint64_t>(std::max<int64_t>(0, request.arrival)), request.write,
                               request.address, request.length});
  for (const uint32_t c : touched_) channel_touched_[c] = 0;
  touched_.clear();

  const uint64_t burst = cfg_.burst_bytes();
  const uint64_t end = request.address + request.length;
  int64_t admitted_max = request.arrival;
  for (uint64_t a = request.address / burst * burst; a < end; a += burst) {
    const DecodedAddress d = map_.decode(a);
    ChannelScheduler& channel = channels_[d.channel];
    const uint64_t bytes = std::min(end, a + burst) - std::max(request.address, a);
    (request.write ? write_bytes_per_channel_ : read_bytes_per_channel_)[d.channel] += bytes;
    // The controller acts on everything queued before this request arrived before it sees this request.
    channel.advance_to(request.arrival);
    int64_t admitted = request.arrival;
    if (channel.full()) admitted = std::max(admitted, channel.make_room(request.arrival));
    collect(channel);
    ++state.bursts_left;  // deque references survive the pops in collect() (this request is not popped)
    channel_seq_[d.channel] = channel.enqueue(Burst{id, d.bank, d.row, request.write, admitted});
    if (!channel_touched_[d.channel]) {
      channel_touched_[d.channel] = 1;
      touched_.push_back(d.channel);
    }
    admitted_max = std::max(admitted_max, admitted);
  }
  last_admission_ = admitted_max;
  if (--state.bursts_left == 0) finish_request(state);
  return id;
}

int64_t DramScheduler::access(const Request& request) {
  const uint64_t id = submit(request);
  // Channels are independent controllers: the order in which they are drained does not matter.
  for (const uint32_t c : touched_) {
    channels_[c].drain_through(channel_seq_[c]);
    collect(channels_[c]);
  }
  // The request is complete now; everything queued before it that is still queued stays queued.
  if (id < first_inflight_id_) return popped_completion(id);
  const RequestState& r = inflight_[id - first_inflight_id_];
  if (r.bursts_left != 0) throw std::logic_error("dram: request not complete after draining its bursts");
  return r.completion;
}

void DramScheduler::drain() {
  for (auto& channel : channels_) {
    channel.drain_all();
    collect(channel);
  }
}

void DramScheduler::collect_slow(ChannelScheduler& channel) {
  auto& done = channel.completed();
  for (const BurstDone& b : done) {
    RequestState& r = inflight_[b.request_id - first_inflight_id_];
    r.completion = std::max(r.completion, b.data_done);
    r.outcome = std::max(r.outcome, b.outcome);
    if (--r.bursts_left == 0) finish_request(r);
  }
  done.clear();
  while (!inflight_.empty() && inflight_.front().bursts_left == 0) {
    recent_completion_ = inflight_.front().completion;
    recent_completion_id_ = first_inflight_id_;
    inflight_.pop_front();
    ++first_inflight_id_;
  }
}

void DramScheduler::finish_request(const RequestState& r) {
  const int64_t latency = std::max<int64_t>(0, r.completion - r.arrival);
  ++completed_requests_;
  latency_sum_cycles_ += double(latency);
  latency_max_cycles_ = std::max(latency_max_cycles_, latency);
  const size_t bucket = std::min<size_t>(size_t(latency), kHistogramCycles - 1);
  if (latency_histogram_.size() <= bucket) latency_histogram_.resize(bucket + 1, 0);
  ++latency_histogram_[bucket];
  ++row_outcomes_[static_cast<int>(r.outcome)];
  last_completion_ = std::max(last_completion_, r.completion);
}

int64_t DramScheduler::popped_completion(uint64_t id) const {
  if (id != recent_completion_id_) throw std::logic_error("dram: completion of an old request requested");
  return recent_completion_;
}

uint64_t DramScheduler::latency_percentile(double q) const {
  if (completed_requests_ == 0) return 0;
  const uint64_t rank = std::max<uint64_t>(1, uint64_t(std::ceil(q * double(completed_requests_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < latency_histogram_.size(); ++i) {
    seen += latency_histogram_[i];
    if (seen >= rank) return i == kHistogramCycles - 1 ? uint64_t(latency_max_cycles_) : i;
  }
  return uint64_t(latency_max_cycles_);
}

DramSummary DramScheduler::summary() const {
  DramSummary s;
  s.requests = requests_;
  s.read_bytes = read_bytes_;
  s.write_bytes = write_bytes_;
  int64_t end = last_completion_;
  for (const auto& ch : channels_) end = std::max(end, ch.counters().last_data_done);
  s.simulated_ns = cycles_to_ns(double(end));
  s.peak_bytes_per_s = cfg_.peak_bytes_per_s_per_channel() * cfg_.channels;
  s.bandwidth_bytes_per_s = end > 0 ? double(read_bytes_ + write_bytes_) / (s.simulated_ns * 1e-9) : 0.0;
  if (completed_requests_) {
    s.latency.avg_ns = cycles_to_ns(latency_sum_cycles_ / double(completed_requests_));
    s.latency.p50_ns = cycles_to_ns(double(latency_percentile(0.50)));
    s.latency.p95_ns = cycles_to_ns(double(latency_percentile(0.95)));
    s.latency.p99_ns = cycles_to_ns(double(latency_percentile(0.99)));
    s.latency.max_ns = cycles_to_ns(double(latency_max_cycles_));
  }
  s.row_hits = row_outcomes_[int(RowOutcome::Hit)];
  s.row_misses = row_outcomes_[int(RowOutcome::Miss)];
  s.row_conflicts = row_outcomes_[int(RowOutcome::Conflict)];
  const uint64_t classified = s.row_hits + s.row_misses + s.row_conflicts;
  s.row_hit_rate = classified ? double(s.row_hits) / double(classified) : 0.0;
  for (const auto& ch : channels_) {
    s.refreshes += ch.refreshes();
    const auto& n = ch.counters().commands;
    s.energy_pj += double(n[int(Command::Act)]) * cfg_.e_act_pj + double(n[int(Command::Rd)]) * cfg_.e_rd_pj +
                   double(n[int(Command::Wr)]) * cfg_.e_wr_pj + double(n[int(Command::RefAll)]) * cfg_.e_ref_ab_pj +
                   double(n[int(Command::RefBank)]) * cfg_.e_ref_pb_pj;
  }
  s.energy_pj += cfg_.p_background_mw * cfg_.channels * s.simulated_ns;  // mW x ns = pJ
  return s;
}

void DramScheduler::report_stats(StatsReport& report, const std::string& path) const {
  const DramSummary s = summary();
  report.add_count(path, "requests", s.requests, "", "requests completed or queued (reads + writes)");
  report.add_count(path, "read_requests", read_requests_, "", "read requests");
  report.add_count(path, "write_requests", write_requests_, "", "write requests");
  report.add_count(path, "read_bytes", s.read_bytes, "B", "bytes requested by reads");
  report.add_count(path, "write_bytes", s.write_bytes, "B", "bytes requested by writes");
  report.add_real(path, "simulated_ns", s.simulated_ns, "ns", "time from 0 to the last data beat on any channel");
  report.add_real(path, "bandwidth_bytes_per_s", s.bandwidth_bytes_per_s, "B/s",
                  "requested bytes / simulated_ns, all channels");
  report.add_real(path, "peak_bytes_per_s", s.peak_bytes_per_s, "B/s", "data-bus peak of all channels");
  report.add_real(path, "bandwidth_efficiency", s.peak_bytes_per_s > 0 ? s.bandwidth_bytes_per_s / s.peak_bytes_per_s : 0,
                  "", "bandwidth / peak");
  report.add_real(path, "latency_avg_ns", s.latency.avg_ns, "ns", "mean request latency (arrival to last data beat)");
  report.add_real(path, "latency_p50_ns", s.latency.p50_ns, "ns", "median request latency");
  report.add_real(path, "latency_p95_ns", s.latency.p95_ns, "ns", "95th percentile request latency");
  report.add_real(path, "latency_p99_ns", s.latency.p99_ns, "ns", "99th percentile request latency");
  report.add_real(path, "latency_max_ns", s.latency.max_ns, "ns", "maximum request latency");
  report.add_count(path, "row_hits", s.row_hits, "", "requests served from open rows only");
  report.add_count(path, "row_misses", s.row_misses, "", "requests that needed an ACT on a closed bank");
  report.add_count(path, "row_conflicts", s.row_conflicts, "", "requests that needed a PRE of another row first");
  report.add_real(path, "row_hit_rate", s.row_hit_rate, "", "row_hits / completed requests");
  report.add_count(path, "refreshes", s.refreshes, "", "REFab + REFpb commands");
  std::array<uint64_t, kCommandCount> total{};
  for (const auto& ch : channels_)
    for (int c = 0; c < kCommandCount; ++c) total[c] += ch.counters().commands[c];
  for (int c = 0; c < kCommandCount; ++c)
    report.add_count(path, std::string("commands_") + command_name(Command(c)), total[c], "",
                     std::string(command_name(Command(c))) + " commands, all channels");
  report.add_real(path, "energy_pj", s.energy_pj, "pJ",
                  "command energies x counts + background power x time (estimates, docs/dram.md)");
  report.add_real(path, "average_power_mw", s.simulated_ns > 0 ? s.energy_pj / s.simulated_ns : 0, "mW",
                  "energy_pj / simulated_ns");
  const double seconds = s.simulated_ns * 1e-9;
  for (uint32_t c = 0; c < cfg_.channels; ++c) {
    char name[32];
    std::snprintf(name, sizeof name, ".channel%02u", c);
    const std::string p = path + name;
    const auto& k = channels_[c].counters();
    const uint64_t bytes = read_bytes_per_channel_[c] + write_bytes_per_channel_[c];
    report.add_count(p, "bytes", bytes, "B", "requested bytes mapped to this channel");
    report.add_real(p, "bandwidth_bytes_per_s", seconds > 0 ? double(bytes) / seconds : 0, "B/s",
                    "bytes / simulated_ns");
    report.add_real(p, "data_bus_utilisation",
                    s.simulated_ns > 0 ? double(k.data_bus_cycles) * cfg_.tck_ps * 1e-3 / s.simulated_ns : 0, "",
                    "cycles with data on the bus / simulated cycles");
    report.add_count(p, "commands_ACT", k.commands[int(Command::Act)], "", "activations");
    report.add_count(p, "commands_RD", k.commands[int(Command::Rd)], "", "read bursts");
    report.add_count(p, "commands_WR", k.commands[int(Command::Wr)], "", "write bursts");
    report.add_count(p, "refreshes", channels_[c].refreshes(), "", "REFab + REFpb commands");
  }
}

void DramScheduler::write_trace() const {
  if (cfg_.trace_out.empty()) return;
  write_file_atomically(cfg_.trace_out, [&](std::ostream& os) { write_stl(os, trace_); });
}

}  // namespace dacapo::dram
