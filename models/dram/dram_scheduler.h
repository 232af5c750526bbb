// The whole LPDDR5 memory: splits requests of any length and alignment into bursts, maps them to channels,
// runs one ChannelScheduler per channel, and keeps the statistics. Pure C++ (no SystemC), times in CK cycles.
// The TLM target (dram.h) and dram-replay both drive this class, so the timing they report is the same code.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "models/common/stats.h"
#include "models/dram/address_map.h"
#include "models/dram/channel_scheduler.h"
#include "models/dram/dram_config.h"
#include "models/dram/stl_trace.h"

namespace dacapo::dram {

struct Request {
  uint64_t address = 0;   // DRAM-local byte offset
  uint64_t length = 0;    // bytes
  bool write = false;
  int64_t arrival = 0;    // CK cycle
};

struct LatencySummary {
  double avg_ns = 0, p50_ns = 0, p95_ns = 0, p99_ns = 0, max_ns = 0;
};

struct DramSummary {
  uint64_t requests = 0;
  uint64_t read_bytes = 0;
  uint64_t write_bytes = 0;
  double simulated_ns = 0;
  double bandwidth_bytes_per_s = 0;
  double peak_bytes_per_s = 0;
  LatencySummary latency;
  uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
  double row_hit_rate = 0;
  uint64_t refreshes = 0;
  double energy_pj = 0;
};

class DramScheduler {
 public:
  explicit DramScheduler(const DramConfig& cfg);

  const DramConfig& config() const { return cfg_; }
  const AddressMap& address_map() const { return map_; }

  // Empty when the request is acceptable, else why not (zero length, outside the capacity).
  std::string check(uint64_t address, uint64_t length) const;
  // check(address, length).empty(), without building a message.
  bool acceptable(uint64_t address, uint64_t length) const {
    return length != 0 && address < capacity_ && length <= capacity_ - address;
  }

  // Queues the request's bursts (waiting for queue room, which may admit them later than `arrival`) and
  // returns its id. Does not wait for completion: use for trace replay.
  uint64_t submit(const Request& request);
  // Cycle at which the last burst of the most recent submit() entered its queue.
  int64_t last_admission() const { return last_admission_; }
  // Queues the request and runs the controllers until it completes; returns the cycle its last data beat is on
  // the bus. Requests queued before it are served first or interleaved as FR-FCFS decides; later ones cannot
  // overtake it. Use for the loosely-timed TLM target.
  int64_t access(const Request& request);
  // Runs every queued burst to completion.
  void drain();

  // Per-channel state for tracing.
  uint32_t channels() const { return cfg_.channels; }
  uint32_t open_banks(uint32_t channel) const { return channels_[channel].open_banks(); }
  int64_t channel_busy_until(uint32_t channel) const { return channels_[channel].counters().last_data_done; }
  // Channels a request touches (bitmask over the first 64 channels; all bits when more).
  uint64_t channel_mask(uint64_t address, uint64_t length) const;
  // The channels the most recent submit()/access() touched, in the order its bursts reached them.
  const std::vector<uint32_t>& touched_channels() const { return touched_; }

  DramSummary summary() const;
  void report_stats(StatsReport& report, const std::string& path) const;

  // The traffic seen so far (recorded only when cfg.trace_out is set or record_trace(true) was called).
  void record_trace(bool on) { recording_ = on; }
  const std::vector<StlRecord>& trace() const { return trace_; }
  // Writes the recorded traffic to cfg.trace_out (completely or not at all); no-op when the key is empty.
  void write_trace() const;

 private:
  struct RequestState {
    int64_t arrival;
    int64_t completion = 0;
    uint32_t bursts_left = 0;
    RowOutcome outcome = RowOutcome::Hit;
  };
  // Consumes the channel's completed bursts and retires finished requests from the front of inflight_.
  void collect(ChannelScheduler& channel) {
    if (!channel.completed().empty() || (!inflight_.empty() && inflight_.front().bursts_left == 0))
      collect_slow(channel);
  }
  void collect_slow(ChannelScheduler& channel);
  void finish_request(const RequestState& r);
  double cycles_to_ns(double cycles) const { return cycles * cfg_.tck_ps * 1e-3; }
  uint64_t latency_percentile(double q) const;
  int64_t popped_completion(uint64_t id) const;

  const DramConfig cfg_;
  const uint64_t capacity_;
  const AddressMap map_;
  const std::vector<TimingRule> rules_;
  std::vector<ChannelScheduler> channels_;
  std::deque<RequestState> inflight_;  // by request id, starting at first_inflight_id_
  uint64_t first_inflight_id_ = 0;
  uint64_t next_id_ = 0;
  int64_t last_admission_ = 0;
  int64_t recent_completion_ = 0;        // completion of the request popped last (for access())
  uint64_t recent_completion_id_ = ~uint64_t{0};
  std::vector<uint64_t> channel_seq_;      // scratch: last sequence number per channel for access()
  std::vector<uint8_t> channel_touched_;   // scratch: 1 for the channels in touched_
  std::vector<uint32_t> touched_;          // channels the last submit() queued bursts on

  // Statistics.
  uint64_t requests_ = 0, read_requests_ = 0, write_requests_ = 0;
  uint64_t read_bytes_ = 0, write_bytes_ = 0;
  std::vector<uint64_t> read_bytes_per_channel_, write_bytes_per_channel_;
  uint64_t completed_requests_ = 0;
  double latency_sum_cycles_ = 0;
  int64_t latency_max_cycles_ = 0;
  std::vector<uint64_t> latency_histogram_;  // count per latency in cycles (last bucket: overflow)
  uint64_t row_outcomes_[3] = {};
  int64_t last_completion_ = 0;

  bool recording_ = false;
  std::vector<StlRecord> trace_;
};

}  // namespace dacapo::dram
