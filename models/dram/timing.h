// LPDDR5 timing: one pure function per derived formula, and the table of command-to-command rules the channel
// scheduler enforces. All values in CK cycles. No SystemC.
//
// A rule says: after command `from` is issued to a bank, command `to` may not be issued to a bank in `scope`
// (the same bank, the same bank group, or anywhere in the channel) for `delay` cycles. Rules with a wider scope
// and a smaller delay plus rules with a narrower scope and a larger delay express "short to other bank groups,
// long within the bank group" (tCCD_S / tCCD_L, tWTR_S / tWTR_L). The four-activate window (tFAW) is a sliding
// window, not a pairwise rule, and is enforced separately.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "models/dram/dram_config.h"

namespace dacapo::dram {

enum class Command : uint8_t { Act, Pre, PreAll, Rd, Wr, RefAll, RefBank, Count };
constexpr int kCommandCount = static_cast<int>(Command::Count);
const char* command_name(Command c);

enum class Scope : uint8_t { Bank, BankGroup, Channel };

struct TimingRule {
  Command from;
  Command to;
  Scope scope;
  uint32_t delay;
  const char* why;  // the parameter(s) the delay comes from
};

// --- derived formulas (JEDEC LPDDR5 relations, as in the reference CSV) ------------------------------------
// Data-bus time of one burst: BL / (dataRate * WCK:CK), 2 CK for BL16 at 4:1.
uint32_t burst_cycles(const DramConfig& c);
// RD -> PRE same bank: BL/n_min + tRBTP.
uint32_t read_to_precharge(const DramConfig& c);
// WR -> PRE same bank: WL + BL/n_min + 1 + tWR (write recovery counts from the end of the data burst).
uint32_t write_to_precharge(const DramConfig& c);
// WR -> RD other bank group: WL + BL/n_min + tWTR_S; same bank group: WL + BL/n_L + tWTR_L.
uint32_t write_to_read_other_group(const DramConfig& c);
uint32_t write_to_read_same_group(const DramConfig& c);
// RD -> WR: the memspec's RTW (RL + BL/n + tWCKDQO - WL + 1, already folded into one number).
uint32_t read_to_write(const DramConfig& c);
// Time from a RD command to the end of its data on the bus: RL + burst.
uint32_t read_data_done(const DramConfig& c);
// Time from a WR command to the end of its data: WL + burst.
uint32_t write_data_done(const DramConfig& c);

// Unloaded latency of a request of `bursts` bursts in one bank (consecutive column commands, tCCD_L apart),
// from arrival to the last data beat, for a row hit, a closed bank (miss) and an open other row (conflict,
// tRAS already satisfied). Used by tests as an independent sum of parameters and by docs.
uint32_t unloaded_read_latency_hit(const DramConfig& c, uint32_t bursts);
uint32_t unloaded_read_latency_miss(const DramConfig& c, uint32_t bursts);
uint32_t unloaded_read_latency_conflict(const DramConfig& c, uint32_t bursts);

// The rule table for a configuration.
std::vector<TimingRule> build_timing_rules(const DramConfig& c);

}  // namespace dacapo::dram
