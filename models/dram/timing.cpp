#include "models/dram/timing.h"

namespace dacapo::dram {

const char* command_name(Command c) {
  switch (c) {
    case Command::Act: return "ACT";
    case Command::Pre: return "PRE";
    case Command::PreAll: return "PREA";
    case Command::Rd: return "RD";
    case Command::Wr: return "WR";
    case Command::RefAll: return "REFab";
    case Command::RefBank: return "REFpb";
    case Command::Count: break;
  }
  return "?";
}

uint32_t burst_cycles(const DramConfig& c) { return c.burst_length / (c.data_rate * c.wck_ratio); }
uint32_t read_to_precharge(const DramConfig& c) { return burst_cycles(c) + c.t_rbtp; }
uint32_t write_to_precharge(const DramConfig& c) { return c.wl + burst_cycles(c) + 1 + c.t_wr; }
uint32_t write_to_read_other_group(const DramConfig& c) { return c.wl + burst_cycles(c) + c.t_wtr_s; }
uint32_t write_to_read_same_group(const DramConfig& c) { return c.wl + c.t_ccd_l + c.t_wtr_l; }
uint32_t read_to_write(const DramConfig& c) { return c.t_rtw; }
uint32_t read_data_done(const DramConfig& c) { return c.rl + burst_cycles(c); }
uint32_t write_data_done(const DramConfig& c) { return c.wl + burst_cycles(c); }

uint32_t unloaded_read_latency_hit(const DramConfig& c, uint32_t bursts) {
  return (bursts - 1) * c.t_ccd_l + read_data_done(c);
}
uint32_t unloaded_read_latency_miss(const DramConfig& c, uint32_t bursts) {
  return c.t_rcd + unloaded_read_latency_hit(c, bursts);
}
uint32_t unloaded_read_latency_conflict(const DramConfig& c, uint32_t bursts) {
  return c.t_rp_pb + unloaded_read_latency_miss(c, bursts);
}

std::vector<TimingRule> build_timing_rules(const DramConfig& c) {
  using C = Command;
  using S = Scope;
  return {
      // Activation
      {C::Act, C::Act, S::Bank, c.t_rc_pb, "tRCpb"},
      {C::Act, C::Act, S::Channel, c.t_rrd, "tRRD"},
      {C::Act, C::Rd, S::Bank, c.t_rcd, "tRCD"},
      {C::Act, C::Wr, S::Bank, c.t_rcd, "tRCD"},
      {C::Act, C::Pre, S::Bank, c.t_ras, "tRAS"},
      {C::Act, C::PreAll, S::Bank, c.t_ras, "tRAS"},
      // Precharge
      {C::Pre, C::Act, S::Bank, c.t_rp_pb, "tRPpb"},
      {C::Pre, C::RefBank, S::Bank, c.t_rp_pb, "tRPpb"},
      {C::Pre, C::Pre, S::Channel, c.t_ppd, "tPPD"},
      {C::Pre, C::PreAll, S::Channel, c.t_ppd, "tPPD"},
      {C::PreAll, C::Act, S::Channel, c.t_rp_ab, "tRPab"},
      {C::PreAll, C::RefAll, S::Channel, c.t_rp_ab, "tRPab"},
      {C::PreAll, C::RefBank, S::Channel, c.t_rp_ab, "tRPab"},
      // Reads
      {C::Rd, C::Rd, S::Channel, c.t_ccd_s, "tCCD_S (BL/n_S)"},
      {C::Rd, C::Rd, S::BankGroup, c.t_ccd_l, "tCCD_L (BL/n_L)"},
      {C::Rd, C::Wr, S::Channel, read_to_write(c), "RTW"},
      {C::Rd, C::Pre, S::Bank, read_to_precharge(c), "BL/n_min + tRBTP"},
      {C::Rd, C::PreAll, S::Bank, read_to_precharge(c), "BL/n_min + tRBTP"},
      // Writes
      {C::Wr, C::Wr, S::Channel, c.t_ccd_s, "tCCD_S (BL/n_S)"},
      {C::Wr, C::Wr, S::BankGroup, c.t_ccd_l, "tCCD_L (BL/n_L)"},
      {C::Wr, C::Rd, S::Channel, write_to_read_other_group(c), "WL + BL/n_min + tWTR_S"},
      {C::Wr, C::Rd, S::BankGroup, write_to_read_same_group(c), "WL + BL/n_L + tWTR_L"},
      {C::Wr, C::Pre, S::Bank, write_to_precharge(c), "WL + BL/n_min + 1 + tWR"},
      {C::Wr, C::PreAll, S::Bank, write_to_precharge(c), "WL + BL/n_min + 1 + tWR"},
      // Refresh
      {C::RefAll, C::Act, S::Channel, c.t_rfc_ab, "tRFCab"},
      {C::RefAll, C::RefAll, S::Channel, c.t_rfc_ab, "tRFCab"},
      {C::RefAll, C::RefBank, S::Channel, c.t_rfc_ab, "tRFCab"},
      {C::RefAll, C::PreAll, S::Channel, c.t_rfc_ab, "tRFCab"},
      {C::RefAll, C::Pre, S::Channel, c.t_rfc_ab, "tRFCab"},
      {C::RefBank, C::Act, S::Bank, c.t_rfc_pb, "tRFCpb"},
      {C::RefBank, C::Act, S::Channel, c.t_pbr2act, "tpbR2act"},
      {C::RefBank, C::RefBank, S::Channel, c.t_pbr2pbr, "tpbR2pbR"},
      {C::RefBank, C::RefAll, S::Channel, c.t_rfc_pb, "tRFCpb"},
  };
}

}  // namespace dacapo::dram
