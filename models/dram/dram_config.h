// Configuration of the LPDDR5 model (DESIGN.md §5). Plain C++: used by the scheduler, the TLM target and
// dram-replay alike.
//
// Defaults are LPDDR5-6400, x16 channel, 16 Gb die, bank-group mode, BL16, from test/data/lpddr5/ (Ramulator 2
// LPDDR5_6400 and gem5 LPDDR5_6400_1x16_BG_BL16 presets). Timings are in CK cycles (tCK = 1.25 ns), as in a
// DRAMSys memspec. In the platform the keys live under `soc.dram.`; dram-replay uses the same prefix so that one
// config file serves both.
#pragma once

#include <cstdint>
#include <string>

#include "models/common/params.h"

namespace dacapo::dram {

enum class RefreshMode { AllBank, PerBank, Off };

struct DramConfig {
  // --- organisation ---------------------------------------------------------------------------------------
  uint32_t channels = 16;
  uint32_t width_bits = 16;      // DQ per channel
  uint32_t data_rate = 2;        // bits per DQ per WCK cycle
  uint32_t wck_ratio = 4;        // WCK:CK
  uint32_t burst_length = 16;    // beats per column command
  uint32_t banks = 16;           // per channel
  uint32_t bank_groups = 4;
  uint32_t rows = 65536;
  uint32_t columns = 1024;       // columns of width_bits each -> 2 KiB page
  std::string address_map;       // bit-field list, LSB first; "" = default (see address_map.h)

  // --- controller -----------------------------------------------------------------------------------------
  uint32_t queue_depth = 32;     // per-channel request queue, in bursts
  RefreshMode refresh = RefreshMode::AllBank;

  // --- timing (CK cycles unless stated) -------------------------------------------------------------------
  uint32_t tck_ps = 1250;
  uint32_t rl = 17;
  uint32_t wl = 9;
  uint32_t t_rcd = 15;
  uint32_t t_rp_pb = 15;
  uint32_t t_rp_ab = 17;
  uint32_t t_ras = 34;
  uint32_t t_rc_pb = 49;
  uint32_t t_wr = 28;
  uint32_t t_rbtp = 6;
  uint32_t t_ppd = 2;
  uint32_t t_rrd = 4;
  uint32_t t_faw = 16;
  uint32_t t_ccd_s = 2;   // BL_n_S_16: column to column, other bank group
  uint32_t t_ccd_l = 4;   // BL_n_L_16: column to column, same bank group
  uint32_t t_wtr_s = 5;
  uint32_t t_wtr_l = 10;
  uint32_t t_rtw = 12;    // RTW_S_16/RTW_L_16: read to write command spacing
  uint32_t t_refi = 3125;
  uint32_t t_refi_pb = 391;
  uint32_t t_rfc_ab = 224;
  uint32_t t_rfc_pb = 112;
  uint32_t t_pbr2pbr = 72;
  uint32_t t_pbr2act = 6;

  // --- energy (estimates, see docs/dram.md) ---------------------------------------------------------------
  double e_act_pj = 1200.0;       // one ACT + its PRE, 2 KiB page
  double e_rd_pj = 770.0;         // one BL16 read burst (32 B): ~3.0 pJ/bit core + I/O
  double e_wr_pj = 820.0;         // one BL16 write burst (32 B): ~3.2 pJ/bit
  double e_ref_ab_pj = 28000.0;   // one all-bank refresh of a 16 Gb die
  double e_ref_pb_pj = 3500.0;    // one per-2-bank refresh (1/8 of the die)
  double p_background_mw = 10.0;  // per channel, standby + WCK

  // --- inputs / outputs -----------------------------------------------------------------------------------
  std::string memspec;      // DRAMSys-schema LPDDR5 memspec JSON; its values replace the defaults above
  std::string trace_out;    // write all traffic as a DRAMSys .stl trace here ("" = off)
  bool dmi = true;          // grant DMI (functional data only: DMI accesses bypass timing)

  template <class V>
  void visit_params(V& v) {
    v("channels", channels, "", "number of independent x16 channels (power of two)");
    v("width_bits", width_bits, "bit", "DQ width per channel (memspec width)");
    v("data_rate", data_rate, "bit/WCK", "data beats per WCK cycle (memspec dataRate)");
    v("wck_ratio", wck_ratio, "", "WCK:CK ratio (memspec WCK2CK)");
    v("burst_length", burst_length, "beat", "beats per column command; only BL16 is modelled (memspec burstLength)");
    v("banks", banks, "", "banks per channel (memspec nbrOfBanks)");
    v("bank_groups", bank_groups, "", "bank groups per channel (memspec nbrOfBankGroups)");
    v("rows", rows, "", "rows per bank (memspec nbrOfRows)");
    v("columns", columns, "", "columns per row, width_bits each (memspec nbrOfColumns)");
    v("address_map", address_map, "",
      "address bit fields LSB first, e.g. 'byte:5 column:1 channel:4 bankgroup:2 bank:2 column:5 row:16'; "
      "empty = default map (64 B lines over channels, then bank groups, then banks)");
    v("queue_depth", queue_depth, "burst", "per-channel FR-FCFS request queue depth");
    v("refresh", refresh, "", "refresh mode");
    v("tck_ps", tck_ps, "ps", "CK period (memspec tCK)");
    v("rl", rl, "tCK", "read latency (memspec RL)");
    v("wl", wl, "tCK", "write latency (memspec WL)");
    v("t_rcd", t_rcd, "tCK", "ACT to RD/WR (memspec RCD)");
    v("t_rp_pb", t_rp_pb, "tCK", "per-bank PRE to ACT (memspec RPpb)");
    v("t_rp_ab", t_rp_ab, "tCK", "all-bank PRE to ACT/REF (memspec RPab)");
    v("t_ras", t_ras, "tCK", "ACT to PRE (memspec RAS)");
    v("t_rc_pb", t_rc_pb, "tCK", "ACT to ACT same bank (memspec RCpb)");
    v("t_wr", t_wr, "tCK", "write recovery (memspec WR)");
    v("t_rbtp", t_rbtp, "tCK", "read burst end to PRE (memspec RBTP)");
    v("t_ppd", t_ppd, "tCK", "PRE to PRE (memspec PPD)");
    v("t_rrd", t_rrd, "tCK", "ACT to ACT other bank (memspec RRD)");
    v("t_faw", t_faw, "tCK", "four-activate window (memspec FAW)");
    v("t_ccd_s", t_ccd_s, "tCK", "column to column, other bank group (memspec BL_n_S_16)");
    v("t_ccd_l", t_ccd_l, "tCK", "column to column, same bank group (memspec BL_n_L_16)");
    v("t_wtr_s", t_wtr_s, "tCK", "write to read, other bank group (memspec WTR_S)");
    v("t_wtr_l", t_wtr_l, "tCK", "write to read, same bank group (memspec WTR_L)");
    v("t_rtw", t_rtw, "tCK", "RD to WR command spacing (memspec RTW_S_16/RTW_L_16)");
    v("t_refi", t_refi, "tCK", "all-bank refresh interval (memspec REFI)");
    v("t_refi_pb", t_refi_pb, "tCK", "per-bank refresh interval (memspec REFIpb)");
    v("t_rfc_ab", t_rfc_ab, "tCK", "all-bank refresh cycle time (memspec RFCab)");
    v("t_rfc_pb", t_rfc_pb, "tCK", "per-bank refresh cycle time (memspec RFCpb)");
    v("t_pbr2pbr", t_pbr2pbr, "tCK", "per-bank REF to per-bank REF (memspec pbR2pbR)");
    v("t_pbr2act", t_pbr2act, "tCK", "per-bank REF to ACT of another bank (memspec pbR2act)");
    v("e_act_pj", e_act_pj, "pJ", "energy of one ACT+PRE pair (estimate)");
    v("e_rd_pj", e_rd_pj, "pJ", "energy of one read burst incl. I/O (estimate)");
    v("e_wr_pj", e_wr_pj, "pJ", "energy of one write burst incl. I/O (estimate)");
    v("e_ref_ab_pj", e_ref_ab_pj, "pJ", "energy of one all-bank refresh (estimate)");
    v("e_ref_pb_pj", e_ref_pb_pj, "pJ", "energy of one per-bank refresh (estimate)");
    v("p_background_mw", p_background_mw, "mW", "background power per channel (estimate)");
    v("memspec", memspec, "", "DRAMSys-schema LPDDR5 memspec JSON; its values replace the defaults, "
                              "explicit keys override it");
    v("trace_out", trace_out, "", "write all traffic as a DRAMSys .stl trace to this file (empty = off)");
    v("dmi", dmi, "", "grant DMI for functional data access (bypasses timing)");
  }

  // Throws ParamError naming the offending key when values are inconsistent.
  void validate() const;

  // Derived quantities.
  uint32_t burst_cycles() const { return burst_length / (data_rate * wck_ratio); }  // data-bus CK per burst
  uint32_t burst_bytes() const { return burst_length * width_bits / 8; }
  uint64_t row_bytes() const { return uint64_t{columns} * width_bits / 8; }
  uint64_t channel_bytes() const { return row_bytes() * rows * banks; }
  uint64_t capacity_bytes() const { return channel_bytes() * channels; }
  double peak_bytes_per_s_per_channel() const {
    return double(burst_bytes()) / (double(burst_cycles()) * tck_ps * 1e-12);
  }
};

// Overwrites the fields of `cfg` that the memspec defines. Throws ParamError naming file and key on an unknown,
// unsupported or malformed value. Fields DRAMSys defines but this model does not use are listed in docs/dram.md
// and accepted.
void apply_memspec(const std::string& path, DramConfig& cfg);

// The DRAM config under `prefix` (e.g. "soc.dram"): defaults, then the memspec file named by `<prefix>.memspec`
// (if any), then every explicitly set key. Validates the result.
DramConfig load_dram_config(const ParamStore& store, const std::string& prefix);

}  // namespace dacapo::dram

DACAPO_PARAM_ENUM(dacapo::dram::RefreshMode, {dacapo::dram::RefreshMode::AllBank, "all_bank"},
                  {dacapo::dram::RefreshMode::PerBank, "per_bank"}, {dacapo::dram::RefreshMode::Off, "off"});
