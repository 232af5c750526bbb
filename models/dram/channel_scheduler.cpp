#include "models/dram/channel_scheduler.h"

#include <algorithm>
#include <stdexcept>

namespace dacapo::dram {

ChannelScheduler::ChannelScheduler(const DramConfig& cfg, const std::vector<TimingRule>& rules)
    : cfg_(cfg),
      depth_(cfg.queue_depth),
      banks_per_group_(cfg.banks / cfg.bank_groups),
      data_done_read_(read_data_done(cfg)),
      data_done_write_(write_data_done(cfg)),
      banks_(cfg.banks),
      groups_(cfg.bank_groups) {
  for (const TimingRule& r : rules) rules_from_[static_cast<int>(r.from)].push_back(r);
  for (auto& g : groups_) g.fill(0);
  channel_.fill(0);
  act_window_.fill(-kNever);
  queue_.reserve(depth_);
  switch (cfg.refresh) {
    case RefreshMode::AllBank: refresh_due_ = cfg.t_refi; break;
    case RefreshMode::PerBank: refresh_due_ = cfg.t_refi_pb; break;
    case RefreshMode::Off: refresh_due_ = kNever; break;
  }
}

uint32_t ChannelScheduler::open_banks() const {
  uint32_t n = 0;
  for (const auto& b : banks_) n += b.open_row >= 0;
  return n;
}

int64_t ChannelScheduler::earliest(Command c, uint32_t bank) const {
  const int ci = static_cast<int>(c);
  return std::max({banks_[bank].next[ci], groups_[bank / banks_per_group_][ci], channel_[ci], bus_free_});
}

int64_t ChannelScheduler::earliest_act(uint32_t bank) const {
  // act_window_[act_window_pos_] is the oldest of the last four ACTs: a fifth ACT waits tFAW after it.
  return std::max(earliest(Command::Act, bank), act_window_[act_window_pos_] + int64_t{cfg_.t_faw});
}

void ChannelScheduler::refresh_candidate(Candidate& best) const {
  if (refresh_due_ >= kNever) return;
  Candidate c;
  c.rank = 0;
  if (cfg_.refresh == RefreshMode::AllBank) {
    int64_t pre_all = std::max(channel_[int(Command::PreAll)], bus_free_);
    bool any_open = false;
    for (const auto& b : banks_)
      if (b.open_row >= 0) {
        any_open = true;
        pre_all = std::max(pre_all, b.next[int(Command::PreAll)]);
      }
    if (any_open) {
      c.command = Command::PreAll;
      c.time = std::max(refresh_due_, pre_all);
    } else {
      c.command = Command::RefAll;
      c.time = std::max({refresh_due_, channel_[int(Command::RefAll)], bus_free_});
    }
  } else {
    const uint32_t half = cfg_.banks / 2;
    const uint32_t first = refresh_pair_, second = refresh_pair_ + half;
    if (banks_[first].open_row >= 0 || banks_[second].open_row >= 0) {
      c.command = Command::Pre;
      c.bank = banks_[first].open_row >= 0 ? first : second;
      c.time = std::max(refresh_due_, earliest(Command::Pre, c.bank));
    } else {
      c.command = Command::RefBank;
      c.bank = first;
      c.time = std::max({refresh_due_, earliest(Command::RefBank, first), earliest(Command::RefBank, second)});
    }
  }
  best = c;
}

bool ChannelScheduler::step(int64_t limit) {
  Candidate best;
  const bool per_bank_refresh = cfg_.refresh == RefreshMode::PerBank;
  const uint32_t half = cfg_.banks / 2;

  // Row hits first: a bank with a queued hit is not precharged for an older miss. Computed only when a
  // precharge is considered (rare in streaming traffic).
  bool hits_known = false;
  uint64_t hit_banks = 0;
  // No command can issue before this cycle; a row hit that can issue at it is the best choice (older bursts
  // were scanned first), so the scan stops there.
  const int64_t lower_bound =
      std::max(bus_free_, std::min({channel_[int(Command::Rd)], channel_[int(Command::Wr)],
                                    channel_[int(Command::Act)], channel_[int(Command::Pre)]}));

  for (size_t i = 0; i < queue_.size(); ++i) {
    const Burst& b = queue_[i].burst;
    const BankState& bank = banks_[b.bank];
    Command c;
    int64_t t;
    int rank;
    if (bank.open_row == int64_t{b.row}) {
      c = b.write ? Command::Wr : Command::Rd;
      t = earliest(c, b.bank);
      rank = 1;
    } else if (bank.open_row < 0) {
      c = Command::Act;
      t = earliest_act(b.bank);
      rank = 2;
    } else {
      if (!hits_known) {
        for (const Entry& e : queue_)
          if (banks_[e.burst.bank].open_row == int64_t{e.burst.row}) hit_banks |= uint64_t{1} << e.burst.bank;
        hits_known = true;
      }
      if (hit_banks & (uint64_t{1} << b.bank)) continue;
      c = Command::Pre;
      t = earliest(Command::Pre, b.bank);
      rank = 2;
    }
    t = std::max(t, b.arrival);
    // A due refresh holds back new commands to the banks it needs (all of them, or the refreshed pair).
    if (t >= refresh_due_ && (!per_bank_refresh || b.bank % half == refresh_pair_)) continue;
    if (t < best.time || (t == best.time && rank < best.rank)) {
      best.time = t;
      best.command = c;
      best.bank = b.bank;
      best.rank = rank;
      best.entry = i;
      if (rank == 1 && t <= lower_bound) break;
    }
  }
  // The refresh sequence issues no earlier than its due cycle and wins ties.
  if (refresh_due_ <= best.time) {
    Candidate refresh;
    refresh_candidate(refresh);
    if (refresh.time <= best.time) best = refresh;
  }
  if (best.command == Command::Count || best.time >= limit) {
    next_command_ = best.time;  // valid until the queue or the state changes
    return false;
  }
  issue(best.command, best.bank, best.time, best.entry, best.rank == 0);
  return true;
}

void ChannelScheduler::apply_rules(Command c, uint32_t bank, int64_t t) {
  const uint32_t half = cfg_.banks / 2;
  for (const TimingRule& r : rules_from_[static_cast<int>(c)]) {
    const int to = static_cast<int>(r.to);
    const int64_t until = t + r.delay;
    switch (r.scope) {
      case Scope::Bank:
        banks_[bank].next[to] = std::max(banks_[bank].next[to], until);
        if (c == Command::RefBank)  // per-2-bank refresh: the rule binds both banks of the pair
          banks_[bank + half].next[to] = std::max(banks_[bank + half].next[to], until);
        break;
      case Scope::BankGroup: {
        auto& slot = groups_[bank / banks_per_group_][to];
        slot = std::max(slot, until);
        break;
      }
      case Scope::Channel: channel_[to] = std::max(channel_[to], until); break;
    }
  }
}

void ChannelScheduler::issue(Command c, uint32_t bank, int64_t t, size_t entry, bool for_refresh) {
  next_command_ = -1;
  apply_rules(c, bank, t);
  bus_free_ = t + 1;
  ++counters_.commands[static_cast<int>(c)];
  switch (c) {
    case Command::Act: {
      const uint32_t row = queue_[entry].burst.row;
      banks_[bank].open_row = row;
      act_window_[act_window_pos_] = t;
      act_window_pos_ = (act_window_pos_ + 1) % 4;
      for (Entry& e : queue_)
        if (e.burst.bank == bank && e.burst.row == row && e.outcome == RowOutcome::Hit) e.outcome = RowOutcome::Miss;
      break;
    }
    case Command::Pre: {
      const int64_t closed = banks_[bank].open_row;
      banks_[bank].open_row = -1;
      // A PRE on behalf of a queued burst (not for refresh) makes every queued burst to another row a conflict.
      if (!for_refresh)
        for (Entry& e : queue_)
          if (e.burst.bank == bank && int64_t{e.burst.row} != closed) e.outcome = RowOutcome::Conflict;
      break;
    }
    case Command::PreAll:
      for (auto& b : banks_) b.open_row = -1;
      break;
    case Command::Rd:
    case Command::Wr: {
      const Entry& e = queue_[entry];
      const int64_t done = t + (c == Command::Rd ? data_done_read_ : data_done_write_);
      completed_.push_back(BurstDone{e.burst.request_id, done, e.outcome});
      (c == Command::Rd ? counters_.read_bursts : counters_.write_bursts) += 1;
      counters_.data_bus_cycles += burst_cycles(cfg_);
      counters_.last_data_done = std::max(counters_.last_data_done, done);
      last_column_ = t;
      queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(entry));
      break;
    }
    case Command::RefAll: refresh_due_ += cfg_.t_refi; break;
    case Command::RefBank:
      refresh_due_ += cfg_.t_refi_pb;
      refresh_pair_ = (refresh_pair_ + 1) % (cfg_.banks / 2);
      break;
    case Command::Count: break;
  }
}

void ChannelScheduler::advance_to(int64_t limit) {
  // A failed step leaves the cycle of the next command in next_command_ until something changes.
  while (bus_free_ < limit && next_command_ < limit && step(limit)) {
  }
}

int64_t ChannelScheduler::make_room(int64_t now) {
  int64_t freed = now;
  while (full()) {
    if (!step(kNever)) throw std::logic_error("dram channel scheduler: full queue but no command can issue");
    freed = std::max(freed, last_column_);
  }
  return freed;
}

uint64_t ChannelScheduler::enqueue(const Burst& burst) {
  if (full()) throw std::logic_error("dram channel scheduler: enqueue on a full queue");
  queue_.push_back(Entry{burst, next_seq_, RowOutcome::Hit});
  next_command_ = -1;
  return next_seq_++;
}

void ChannelScheduler::drain_through(uint64_t seq) {
  while (!queue_.empty() && queue_.front().seq <= seq)
    if (!step(kNever)) throw std::logic_error("dram channel scheduler: queued bursts but no command can issue");
}

void ChannelScheduler::drain_all() { drain_through(~uint64_t{0}); }

}  // namespace dacapo::dram
