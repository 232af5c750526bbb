#include "models/dram/channel_scheduler.h"

#include <algorithm>
#include <stdexcept>

namespace dacapo::dram {

ChannelScheduler::ChannelScheduler(const DramConfig& cfg, const std::vector<TimingRule>& rules)
    : cfg_(cfg),
      depth_(cfg.queue_depth),
      group_shift_(static_cast<uint32_t>(__builtin_ctz(cfg.banks / cfg.bank_groups))),
      data_done_read_(read_data_done(cfg)),
      data_done_write_(write_data_done(cfg)),
      burst_cycles_(burst_cycles(cfg)),
      banks_(cfg.banks),
      groups_(cfg.bank_groups) {
  for (const TimingRule& r : rules)
    rules_from_[static_cast<int>(r.from)][static_cast<int>(r.scope)].push_back(
        RuleTarget{static_cast<uint8_t>(r.to), r.delay});
  for (auto& g : groups_) g.fill(0);
  channel_.fill(0);
  act_window_.fill(-kNever);
  slots_.resize(depth_);
  for (uint32_t i = depth_; i-- > 0;) free_slots_.push_back(i);
  bank_queue_.resize(cfg.banks);
  picks_.resize(cfg.banks);
  for (auto& q : bank_queue_) q.reserve(depth_);
  switch (cfg.refresh) {
    case RefreshMode::AllBank: refresh_due_ = cfg.t_refi; break;
    case RefreshMode::PerBank: refresh_due_ = cfg.t_refi_pb; break;
    case RefreshMode::Off: refresh_due_ = kNever; break;
  }
}

int64_t ChannelScheduler::earliest(Command c, uint32_t bank) const {
  const int ci = static_cast<int>(c);
  return std::max({banks_[bank].next[ci], groups_[bank >> group_shift_][ci], channel_[ci], bus_free_});
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
    const bool any_open = open_banks_ > 0;
    if (any_open)
      for (const auto& b : banks_)
        if (b.open_row >= 0) pre_all = std::max(pre_all, b.next[int(Command::PreAll)]);
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
  const int64_t act_window = act_window_[act_window_pos_] + int64_t{cfg_.t_faw};
  // Better = earlier; at equal cycles refresh, then column commands, then the oldest burst.
  auto consider = [&](const Offer& offer, Command c, uint32_t bank, int rank, int64_t shared_time) {
    const int64_t t = std::max(offer.bank_time, shared_time);
    if (t > best.time || (t == best.time && (rank > best.rank || (rank == best.rank && offer.seq > best.seq)))) return;
    // A due refresh holds back new commands to the banks it needs (all of them, or the refreshed pair).
    if (t >= refresh_due_ && (!per_bank_refresh || bank % half == refresh_pair_)) return;
    best.time = t;
    best.command = c;
    best.bank = bank;
    best.rank = rank;
    best.slot = offer.slot;
    best.seq = offer.seq;
  };
  // The parts of the earliest cycle shared by all banks of the channel.
  const int64_t channel_rd = std::max(channel_[int(Command::Rd)], bus_free_);
  const int64_t channel_wr = std::max(channel_[int(Command::Wr)], bus_free_);
  const int64_t channel_act = std::max({channel_[int(Command::Act)], bus_free_, act_window});
  const int64_t channel_pre = std::max(channel_[int(Command::Pre)], bus_free_);

  for (uint64_t banks = nonempty_banks_; banks != 0; banks &= banks - 1) {
    const uint32_t b = static_cast<uint32_t>(__builtin_ctzll(banks));
    if (dirty_banks_ >> b & 1) update_pick(b);
    const BankPick& pick = picks_[b];
    const auto& group = groups_[b >> group_shift_];
    if (pick.read.slot != kNone)
      consider(pick.read, Command::Rd, b, 1, std::max(channel_rd, group[int(Command::Rd)]));
    if (pick.write.slot != kNone)
      consider(pick.write, Command::Wr, b, 1, std::max(channel_wr, group[int(Command::Wr)]));
    if (pick.row.slot != kNone) {
      const int c = int(pick.row_command);
      consider(pick.row, pick.row_command, b, 2,
               std::max(pick.row_command == Command::Act ? channel_act : channel_pre, group[c]));
    }
  }
  // The refresh sequence issues no earlier than its due cycle and wins ties.
  if (refresh_due_ <= best.time) {
    Candidate refresh;
    refresh_candidate(refresh);
    if (refresh.time <= best.time) best = refresh;
  }
  if (best.command == Command::Count || best.time >= limit) {
    next_command_ = best.time;  // a lower bound on the next command until the state changes
    return false;
  }
  issue(best.command, best.bank, best.time, best.slot, best.rank == 0);
  return true;
}

void ChannelScheduler::update_pick(uint32_t b) {
  dirty_banks_ &= ~(uint64_t{1} << b);
  BankPick& pick = picks_[b];  // rebuilt in place
  pick.read.slot = pick.write.slot = pick.row.slot = kNone;
  pick.row_command = Command::Act;
  const auto& list = bank_queue_[b];
  const BankState& bank = banks_[b];
  auto offer = [&](Offer& o, uint32_t slot, Command c) {
    o.slot = slot;
    o.bank_time = std::max(bank.next[int(c)], slots_[slot].burst.arrival);
    o.seq = slots_[slot].seq;
  };
  if (!list.empty()) {
    if (bank.open_row >= 0) {
      // Row hits first: the oldest read hit and the oldest write hit.
      for (const uint32_t slot : list) {
        const Burst& burst = slots_[slot].burst;
        if (int64_t{burst.row} != bank.open_row) continue;
        if (burst.write && pick.write.slot == kNone) offer(pick.write, slot, Command::Wr);
        if (!burst.write && pick.read.slot == kNone) offer(pick.read, slot, Command::Rd);
        if (pick.read.slot != kNone && pick.write.slot != kNone) break;
      }
      // No queued burst hits the open row: precharge it for the oldest burst.
      if (pick.read.slot == kNone && pick.write.slot == kNone) {
        pick.row_command = Command::Pre;
        offer(pick.row, list.front(), Command::Pre);
      }
    } else {
      pick.row_command = Command::Act;
      offer(pick.row, list.front(), Command::Act);
    }
  }
}

void ChannelScheduler::apply_rules(Command c, uint32_t bank, int64_t t) {
  const auto& rules = rules_from_[static_cast<int>(c)];
  const auto& bank_rules = rules[static_cast<int>(Scope::Bank)];
  if (!bank_rules.empty()) {
    auto& next = banks_[bank].next;
    for (const RuleTarget& r : bank_rules) next[r.to] = std::max(next[r.to], t + r.delay);
    dirty_banks_ |= uint64_t{1} << bank;
    if (c == Command::RefBank) {  // per-2-bank refresh: the rule binds both banks of the pair
      const uint32_t pair = bank + cfg_.banks / 2;
      auto& pair_next = banks_[pair].next;
      for (const RuleTarget& r : bank_rules) pair_next[r.to] = std::max(pair_next[r.to], t + r.delay);
      dirty_banks_ |= uint64_t{1} << pair;
    }
  }
  auto& group = groups_[bank >> group_shift_];
  for (const RuleTarget& r : rules[static_cast<int>(Scope::BankGroup)]) group[r.to] = std::max(group[r.to], t + r.delay);
  for (const RuleTarget& r : rules[static_cast<int>(Scope::Channel)]) channel_[r.to] = std::max(channel_[r.to], t + r.delay);
}

void ChannelScheduler::issue(Command c, uint32_t bank, int64_t t, uint32_t slot, bool for_refresh) {
  next_command_ = -1;
  apply_rules(c, bank, t);
  bus_free_ = t + 1;
  ++counters_.commands[static_cast<int>(c)];
  switch (c) {
    case Command::Act: {
      const uint32_t row = slots_[slot].burst.row;
      open_banks_ += banks_[bank].open_row < 0;
      banks_[bank].open_row = row;
      dirty_banks_ |= uint64_t{1} << bank;
      act_window_[act_window_pos_] = t;
      act_window_pos_ = (act_window_pos_ + 1) % 4;
      for (const uint32_t i : bank_queue_[bank]) {
        Entry& e = slots_[i];
        if (e.burst.row == row && e.outcome == RowOutcome::Hit) e.outcome = RowOutcome::Miss;
      }
      break;
    }
    case Command::Pre: {
      const int64_t closed = banks_[bank].open_row;
      open_banks_ -= closed >= 0;
      banks_[bank].open_row = -1;
      dirty_banks_ |= uint64_t{1} << bank;
      // A PRE on behalf of a queued burst (not for refresh) makes every queued burst to another row a conflict.
      if (!for_refresh)
        for (const uint32_t i : bank_queue_[bank])
          if (int64_t{slots_[i].burst.row} != closed) slots_[i].outcome = RowOutcome::Conflict;
      break;
    }
    case Command::PreAll:
      for (auto& b : banks_) b.open_row = -1;
      open_banks_ = 0;
      dirty_banks_ = ~uint64_t{0};
      break;
    case Command::Rd:
    case Command::Wr: {
      const Entry& e = slots_[slot];
      if (e.seq <= drain_seq_ && drain_left_ > 0) --drain_left_;
      const int64_t done = t + (c == Command::Rd ? data_done_read_ : data_done_write_);
      BurstDone& d = completed_.emplace_back();  // filled in place (a temporary costs a store-forwarding stall)
      d.request_id = e.burst.request_id;
      d.data_done = done;
      d.outcome = e.outcome;
      (c == Command::Rd ? counters_.read_bursts : counters_.write_bursts) += 1;
      counters_.data_bus_cycles += burst_cycles_;
      counters_.last_data_done = std::max(counters_.last_data_done, done);
      last_column_ = t;
      auto& list = bank_queue_[bank];
      list.erase(std::find(list.begin(), list.end(), slot));
      if (list.empty()) nonempty_banks_ &= ~(uint64_t{1} << bank);
      dirty_banks_ |= uint64_t{1} << bank;
      free_slots_.push_back(slot);
      --count_;
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

void ChannelScheduler::skip_idle_refreshes(int64_t limit) {
  // An idle channel with all banks closed issues each due refresh exactly at its due cycle. Count all but the
  // last of those before `limit` arithmetically (a long gap in a trace would otherwise cost one step per
  // tREFI); the last one is issued normally so that its timing rules take effect.
  if (count_ != 0 || refresh_due_ >= limit || cfg_.refresh == RefreshMode::Off) return;
  for (const auto& b : banks_)
    if (b.open_row >= 0) return;
  const bool all_bank = cfg_.refresh == RefreshMode::AllBank;
  const Command ref = all_bank ? Command::RefAll : Command::RefBank;
  for (uint32_t b = 0; b < cfg_.banks; ++b)
    if (earliest(ref, b) > refresh_due_) return;
  const int64_t interval = all_bank ? cfg_.t_refi : cfg_.t_refi_pb;
  const int64_t due_before_limit = (limit - 1 - refresh_due_) / interval + 1;
  if (due_before_limit < 2) return;
  const int64_t skipped = due_before_limit - 1;
  counters_.commands[static_cast<int>(ref)] += static_cast<uint64_t>(skipped);
  refresh_due_ += skipped * interval;
  if (!all_bank) refresh_pair_ = static_cast<uint32_t>((refresh_pair_ + skipped) % (cfg_.banks / 2));
  next_command_ = -1;
}

void ChannelScheduler::advance_to_slow(int64_t limit) {
  // A failed step leaves the cycle of the next command in next_command_ until something changes.
  do {
    skip_idle_refreshes(limit);
  } while (bus_free_ < limit && next_command_ < limit && step(limit));
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
  const uint32_t slot = free_slots_.back();
  free_slots_.pop_back();
  // The controller sees bursts in the order they are queued: one never becomes eligible before an older one.
  // (Fields are written in place: building the entry on the stack and copying it costs a store-forwarding stall.)
  Entry& e = slots_[slot];
  e.burst.request_id = burst.request_id;
  e.burst.bank = burst.bank;
  e.burst.row = burst.row;
  e.burst.write = burst.write;
  e.burst.arrival = std::max(burst.arrival, last_arrival_);
  e.seq = next_seq_;
  e.outcome = RowOutcome::Hit;
  last_arrival_ = e.burst.arrival;
  bank_queue_[burst.bank].push_back(slot);
  nonempty_banks_ |= uint64_t{1} << burst.bank;
  dirty_banks_ |= uint64_t{1} << burst.bank;
  ++count_;
  // The new burst adds candidates no earlier than its arrival (and the command bus); it can only remove
  // others (a new row hit blocks a precharge), so the known lower bound stays valid with this minimum.
  if (next_command_ >= 0) next_command_ = std::min(next_command_, std::max(burst.arrival, bus_free_));
  return next_seq_++;
}

void ChannelScheduler::drain_through(uint64_t seq) {
  // Count the queued bursts at or before `seq` once; issue() counts them down as their column commands issue.
  drain_seq_ = seq;
  if (seq + 1 >= next_seq_) {
    drain_left_ = count_;  // every queued burst (the usual case: draining through the newest request)
  } else {
    drain_left_ = 0;
    for (uint64_t banks = nonempty_banks_; banks != 0; banks &= banks - 1)
      for (const uint32_t slot : bank_queue_[__builtin_ctzll(banks)]) drain_left_ += slots_[slot].seq <= seq;
  }
  while (drain_left_ > 0)
    if (!step(kNever)) throw std::logic_error("dram channel scheduler: queued bursts but no command can issue");
  drain_seq_ = 0;
}

void ChannelScheduler::drain_all() { drain_through(~uint64_t{0}); }

}  // namespace dacapo::dram
