// One LPDDR5 channel's controller: a bounded FR-FCFS queue of bursts, per-bank open-row state, the timing-rule
// table of timing.h, all-bank or per-bank refresh. Pure C++ (no SystemC), times in CK cycles.
//
// The controller is event driven: each step finds, among the commands the queued bursts need next (RD/WR on a
// row hit, else ACT on a closed bank, else PRE when no queued burst still hits the open row) and the refresh
// sequence when due, the one that can issue earliest (ties: refresh, then column commands, then the oldest
// burst), and issues it at that cycle. One command per cycle on the command bus. This is what a cycle-by-cycle
// FR-FCFS controller would do, without visiting idle cycles.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "models/dram/dram_config.h"
#include "models/dram/timing.h"

namespace dacapo::dram {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max() / 4;

enum class RowOutcome : uint8_t { Hit, Miss, Conflict };

struct Burst {
  uint64_t request_id = 0;
  uint32_t bank = 0;
  uint32_t row = 0;
  bool write = false;
  int64_t arrival = 0;  // cycle from which the controller may act on it
};

// A burst whose column command has issued.
struct BurstDone {
  uint64_t request_id;
  int64_t data_done;   // cycle at which its last data beat is on the bus
  RowOutcome outcome;
};

struct ChannelCounters {
  std::array<uint64_t, kCommandCount> commands{};
  uint64_t read_bursts = 0;
  uint64_t write_bursts = 0;
  uint64_t data_bus_cycles = 0;
  int64_t last_data_done = 0;
};

class ChannelScheduler {
 public:
  ChannelScheduler(const DramConfig& cfg, const std::vector<TimingRule>& rules);

  bool full() const { return count_ >= depth_; }
  bool empty() const { return count_ == 0; }
  size_t queued() const { return count_; }
  // Issues every command the controller would issue before cycle `limit` (refreshes included).
  void advance_to(int64_t limit) {
    // Fast exit when neither an idle-refresh skip nor a command can happen before `limit` (the common case).
    if ((count_ != 0 || refresh_due_ >= limit) && (bus_free_ >= limit || next_command_ >= limit)) return;
    advance_to_slow(limit);
  }
  // Issues commands until a queue slot is free; returns the cycle of the command that freed it (or `now`).
  int64_t make_room(int64_t now);
  // Queues a burst; the queue must not be full. Returns its sequence number.
  uint64_t enqueue(const Burst& burst);
  // Issues commands until every burst with sequence number <= `seq` has issued its column command.
  void drain_through(uint64_t seq);
  void drain_all();

  // Bursts completed since the last call (the caller consumes and clears them).
  std::vector<BurstDone>& completed() { return completed_; }
  const ChannelCounters& counters() const { return counters_; }
  int64_t last_command_cycle() const { return bus_free_ - 1; }
  uint32_t open_banks() const { return open_banks_; }
  uint64_t refreshes() const {
    return counters_.commands[int(Command::RefAll)] + counters_.commands[int(Command::RefBank)];
  }

 private:
  struct Entry {
    Burst burst;
    uint64_t seq;
    RowOutcome outcome;  // worst seen so far while queued
  };
  struct Candidate {
    int64_t time = kNever;
    Command command = Command::Count;
    uint32_t bank = 0;
    int rank = 3;          // 0 refresh, 1 column, 2 ACT/PRE
    uint32_t slot = 0;     // queue slot of the burst (column/ACT/PRE)
    uint64_t seq = ~uint64_t{0};
  };
  struct BankState {
    int64_t open_row = -1;
    std::array<int64_t, kCommandCount> next{};
  };

  void advance_to_slow(int64_t limit);
  // Finds the next command; false when nothing can issue before `limit`.
  bool step(int64_t limit);
  int64_t earliest(Command c, uint32_t bank) const;
  int64_t earliest_act(uint32_t bank) const;
  void refresh_candidate(Candidate& best) const;
  void issue(Command c, uint32_t bank, int64_t t, uint32_t slot, bool for_refresh);
  void skip_idle_refreshes(int64_t limit);
  void apply_rules(Command c, uint32_t bank, int64_t t);

  const DramConfig cfg_;
  const uint32_t depth_;
  const uint32_t group_shift_;  // bank >> group_shift_ = bank group (banks per group is a power of two)
  const uint32_t data_done_read_;
  const uint32_t data_done_write_;
  const uint32_t burst_cycles_;
  // The rule table by issuing command and scope, as (to, delay) pairs: apply_rules needs no scope dispatch.
  struct RuleTarget {
    uint8_t to;
    uint32_t delay;
  };
  std::array<std::array<std::vector<RuleTarget>, 3>, kCommandCount> rules_from_;
  // The queue: bursts live in fixed slots; each bank lists its bursts' slots in age order. Arrival cycles are
  // non-decreasing in queue order (enqueue clamps them), so within a bank the oldest burst of a kind is also
  // the one that can issue earliest, and a step only looks at the head bursts of each bank.
  std::vector<Entry> slots_;
  std::vector<uint32_t> free_slots_;
  std::vector<std::vector<uint32_t>> bank_queue_;
  uint64_t nonempty_banks_ = 0;
  // Per bank, which queued bursts offer a command (the oldest read hit, the oldest write hit, or the oldest
  // burst for ACT/PRE); recomputed only when the bank's list or open row changed (dirty bit).
  static constexpr uint32_t kNone = ~uint32_t{0};
  // Each offer caches the bank-local part of its earliest cycle (the bank's own rule slots and the burst's
  // arrival); the bank-group, channel, tFAW and command-bus parts are added at each step.
  struct Offer {
    uint32_t slot = kNone;
    int64_t bank_time = 0;
    uint64_t seq = 0;
  };
  struct BankPick {
    Offer read, write, row;
    Command row_command = Command::Act;
  };
  std::vector<BankPick> picks_;
  uint64_t dirty_banks_ = ~uint64_t{0};
  void update_pick(uint32_t bank);
  size_t count_ = 0;
  int64_t last_arrival_ = 0;
  std::vector<BankState> banks_;
  uint32_t open_banks_ = 0;            // banks with an open row (kept by issue())
  std::vector<std::array<int64_t, kCommandCount>> groups_;
  std::array<int64_t, kCommandCount> channel_{};
  std::array<int64_t, 4> act_window_;  // last four ACT cycles (ring) for tFAW
  uint32_t act_window_pos_ = 0;
  int64_t bus_free_ = 0;               // next cycle the command bus is free
  int64_t last_column_ = 0;
  int64_t next_command_ = -1;          // cycle of the next command as found by the last failed step, -1 unknown            // cycle of the last RD/WR
  uint64_t next_seq_ = 0;
  // drain_through(): bursts with seq <= drain_seq_ still queued (counted down by issue()).
  uint64_t drain_seq_ = 0;
  size_t drain_left_ = 0;
  // Refresh: all-bank due cycle, or per-bank due cycle and the pair it refreshes.
  int64_t refresh_due_ = kNever;
  uint32_t refresh_pair_ = 0;
  std::vector<BurstDone> completed_;
  ChannelCounters counters_;
};

}  // namespace dacapo::dram
