#include "models/dram/dram_config.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "models/dram/address_map.h"

namespace dacapo::dram {
namespace {

bool is_pow2(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

void require(bool ok, const std::string& key, const std::string& what) {
  if (!ok) throw ParamError("dram config: key '" + key + "': " + what);
}

}  // namespace

void DramConfig::validate() const {
  require(is_pow2(channels) && channels <= 1024, "channels", "must be a power of two in [1, 1024]");
  require(width_bits == 8 || width_bits == 16, "width_bits", "must be 8 or 16");
  require(data_rate >= 1, "data_rate", "must be >= 1");
  require(wck_ratio >= 1, "wck_ratio", "must be >= 1");
  require(burst_length == 16, "burst_length", "only BL16 is modelled (BL32 in bank-group mode is not)");
  require(burst_length % (data_rate * wck_ratio) == 0 && burst_cycles() >= 1, "burst_length",
          "must be a multiple of data_rate * wck_ratio (a burst lasts whole CK cycles)");
  require(is_pow2(banks) && banks <= 64, "banks", "must be a power of two <= 64");
  require(is_pow2(bank_groups) && bank_groups <= banks, "bank_groups", "must be a power of two <= banks");
  require(is_pow2(rows), "rows", "must be a power of two");
  require(is_pow2(columns) && row_bytes() >= burst_bytes(), "columns",
          "must be a power of two and a row must hold at least one burst");
  require(queue_depth >= 1 && queue_depth <= 4096, "queue_depth", "must be in [1, 4096]");
  require(tck_ps >= 1, "tck_ps", "must be > 0");
  require(rl >= 1, "rl", "must be > 0");
  require(wl >= 1, "wl", "must be > 0");
  require(t_rcd >= 1, "t_rcd", "must be > 0");
  require(t_rp_pb >= 1, "t_rp_pb", "must be > 0");
  require(t_rp_ab >= t_rp_pb, "t_rp_ab", "must be >= t_rp_pb");
  require(t_ras >= 1, "t_ras", "must be > 0");
  require(t_rc_pb >= t_ras + t_rp_pb, "t_rc_pb", "must be >= t_ras + t_rp_pb");
  require(t_ccd_s >= burst_cycles(), "t_ccd_s", "must be >= the burst duration on the data bus");
  require(t_ccd_l >= t_ccd_s, "t_ccd_l", "must be >= t_ccd_s");
  require(t_wtr_l >= t_wtr_s, "t_wtr_l", "must be >= t_wtr_s");
  require(t_rtw >= 1, "t_rtw", "must be > 0");
  require(t_faw >= t_rrd, "t_faw", "must be >= t_rrd");
  require(t_ppd >= 1, "t_ppd", "must be > 0");
  require(t_rrd >= 1, "t_rrd", "must be > 0");
  if (refresh == RefreshMode::AllBank) {
    require(t_refi > t_rfc_ab + t_rp_ab, "t_refi", "must exceed t_rfc_ab + t_rp_ab");
  }
  if (refresh == RefreshMode::PerBank) {
    require(banks % 2 == 0, "banks", "per-bank refresh needs an even bank count (bank pairs b, b+banks/2)");
    require(t_refi_pb >= t_pbr2pbr && t_refi_pb >= 1, "t_refi_pb", "must be >= t_pbr2pbr and > 0");
    require(uint64_t{t_refi_pb} * (banks / 2) > t_rfc_pb + t_rp_pb, "t_refi_pb",
            "a bank pair's refresh period (t_refi_pb * banks/2) must exceed t_rfc_pb + t_rp_pb");
  }
  for (const auto& [key, value] :
       {std::pair<const char*, double>{"e_act_pj", e_act_pj}, {"e_rd_pj", e_rd_pj}, {"e_wr_pj", e_wr_pj},
        {"e_ref_ab_pj", e_ref_ab_pj}, {"e_ref_pb_pj", e_ref_pb_pj}, {"p_background_mw", p_background_mw}})
    require(std::isfinite(value) && value >= 0, key, "must be a finite value >= 0");
  // The address map must match the geometry; parsing it checks that and names the problem.
  try {
    AddressMap map(*this);
    (void)map;
  } catch (const std::invalid_argument& e) {
    throw ParamError(std::string("dram config: key 'address_map': ") + e.what());
  }
}

void apply_memspec(const std::string& path, DramConfig& cfg) {
  std::ifstream in(path);
  if (!in) throw ParamError(path + ": cannot open memspec file");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw ParamError(path + ": malformed JSON: " + e.what());
  }
  auto fail = [&](const std::string& key, const std::string& what) -> void {
    throw ParamError(path + ": key '" + key + "': " + what);
  };
  if (!doc.is_object() || !doc.contains("memspec") || !doc["memspec"].is_object())
    fail("memspec", "missing top-level object 'memspec'");
  const auto& spec = doc["memspec"];
  for (const auto& [key, value] : spec.items()) {
    static const std::set<std::string> known{"memoryId", "memoryType", "memarchitecturespec", "memtimingspec",
                                             "mempowerspec", "memimpedancespec"};
    if (!known.count(key)) fail("memspec." + key, "unknown field");
  }
  if (!spec.contains("memoryType") || spec["memoryType"] != "LPDDR5")
    fail("memspec.memoryType", "must be \"LPDDR5\"");

  // Reads an unsigned integer field into `out`; range-checked.
  auto get_uint = [&](const std::string& where, const nlohmann::json& value, uint32_t& out) {
    if (!value.is_number_integer() || value.get<int64_t>() < 0 || value.get<int64_t>() > 0xffffffffLL)
      fail(where, "expected a non-negative integer, got " + value.dump());
    out = static_cast<uint32_t>(value.get<int64_t>());
  };

  if (spec.contains("memarchitecturespec")) {
    const auto& arch = spec["memarchitecturespec"];
    if (!arch.is_object()) fail("memspec.memarchitecturespec", "must be an object");
    const std::map<std::string, uint32_t*> fields{
        {"nbrOfBankGroups", &cfg.bank_groups}, {"nbrOfBanks", &cfg.banks},       {"nbrOfRows", &cfg.rows},
        {"nbrOfColumns", &cfg.columns},        {"width", &cfg.width_bits},       {"burstLength", &cfg.burst_length},
        {"dataRate", &cfg.data_rate}};
    // DRAMSys fields accepted without effect: the channel count is a platform parameter (`channels`), BL32 is
    // not modelled, per-2-bank pairing is fixed to (b, b + banks/2), WCK is assumed always running.
    static const std::set<std::string> ignored{"nbrOfChannels", "maxBurstLength", "WCKalwaysOn"};
    for (const auto& [key, value] : arch.items()) {
      const std::string where = "memspec.memarchitecturespec." + key;
      if (auto it = fields.find(key); it != fields.end()) {
        get_uint(where, value, *it->second);
      } else if (key == "per2BankOffset") {
        // Per-2-bank refresh pairs bank b with b + per2BankOffset; the model pairs b with b + banks/2.
        uint32_t offset = 0;
        get_uint(where, value, offset);
        const uint32_t banks = arch.contains("nbrOfBanks") && arch["nbrOfBanks"].is_number_unsigned()
                                   ? arch["nbrOfBanks"].get<uint32_t>()
                                   : cfg.banks;
        if (offset * 2 != banks) fail(where, "must be nbrOfBanks / 2 (refresh pairs b and b + banks/2)");
      } else if (key == "nbrOfRanks" || key == "nbrOfDevices") {
        uint32_t n = 0;
        get_uint(where, value, n);
        if (n != 1) fail(where, "only 1 is supported (one x16 device per channel)");
      } else if (!ignored.count(key)) {
        fail(where, "unknown field");
      }
    }
  }
  if (spec.contains("memtimingspec")) {
    const auto& timing = spec["memtimingspec"];
    if (!timing.is_object()) fail("memspec.memtimingspec", "must be an object");
    const std::map<std::string, uint32_t*> fields{
        {"WCK2CK", &cfg.wck_ratio}, {"RL", &cfg.rl},           {"WL", &cfg.wl},
        {"RCD", &cfg.t_rcd},        {"RPpb", &cfg.t_rp_pb},    {"RPab", &cfg.t_rp_ab},
        {"RAS", &cfg.t_ras},        {"RCpb", &cfg.t_rc_pb},    {"WR", &cfg.t_wr},
        {"RBTP", &cfg.t_rbtp},      {"PPD", &cfg.t_ppd},       {"RRD", &cfg.t_rrd},
        {"FAW", &cfg.t_faw},        {"BL_n_S_16", &cfg.t_ccd_s}, {"BL_n_L_16", &cfg.t_ccd_l},
        {"WTR_S", &cfg.t_wtr_s},    {"WTR_L", &cfg.t_wtr_l},   {"REFI", &cfg.t_refi},
        {"REFIpb", &cfg.t_refi_pb}, {"RFCab", &cfg.t_rfc_ab},  {"RFCpb", &cfg.t_rfc_pb},
        {"pbR2pbR", &cfg.t_pbr2pbr}, {"pbR2act", &cfg.t_pbr2act}};
    // Accepted without effect (documented in docs/dram.md): RCD_L/RCD_S must equal RCD; RCab is derived;
    // BL_n_min/max_16 equal the burst duration / tCCD_L; WCK2DQO and RTRS (rank switch) are not modelled.
    static const std::set<std::string> ignored{"RCab", "BL_n_min_16", "BL_n_max_16", "WCK2DQO", "RTRS",
                                               "tRTRS", "XP", "XSR", "CKE"};
    uint32_t rtw_s = 0, rtw_l = 0;
    bool have_rtw_s = false, have_rtw_l = false;
    for (const auto& [key, value] : timing.items()) {
      const std::string where = "memspec.memtimingspec." + key;
      if (auto it = fields.find(key); it != fields.end()) {
        get_uint(where, value, *it->second);
      } else if (key == "tCK") {
        if (!value.is_number() || !(value.get<double>() > 0) || value.get<double>() > 1e-6)
          fail(where, "expected a clock period in seconds (e.g. 1.25e-09), got " + value.dump());
        cfg.tck_ps = static_cast<uint32_t>(std::llround(value.get<double>() * 1e12));
        if (std::fabs(cfg.tck_ps * 1e-12 - value.get<double>()) > 1e-15)
          fail(where, "must be a whole number of picoseconds");
      } else if (key == "RTW_S_16") {
        get_uint(where, value, rtw_s);
        have_rtw_s = true;
      } else if (key == "RTW_L_16") {
        get_uint(where, value, rtw_l);
        have_rtw_l = true;
      } else if (key == "RCD_L" || key == "RCD_S") {
        uint32_t v = 0;
        get_uint(where, value, v);
        const uint32_t rcd = timing.contains("RCD") ? timing["RCD"].get<uint32_t>() : cfg.t_rcd;
        if (v != rcd) fail(where, "must equal RCD (separate RCD_L/RCD_S are not modelled)");
      } else if (!ignored.count(key)) {
        fail(where, "unknown field");
      }
    }
    if (have_rtw_s || have_rtw_l) {
      if (have_rtw_s && have_rtw_l && rtw_s != rtw_l)
        fail("memspec.memtimingspec.RTW_L_16", "must equal RTW_S_16 (one read-to-write spacing is modelled)");
      cfg.t_rtw = have_rtw_s ? rtw_s : rtw_l;
    }
  }
  // mempowerspec (IDD currents) is accepted but unused: energy comes from per-command energy parameters.
}

DramConfig load_dram_config(const ParamStore& store, const std::string& prefix) {
  DramConfig base;
  const std::string memspec_key = detail::join_key(prefix, "memspec");
  if (const auto* entry = store.take(memspec_key); entry && !entry->value.empty()) {
    try {
      apply_memspec(entry->value, base);
    } catch (const ParamError& e) {
      throw ParamError(entry->origin + ": " + e.what());
    }
  }
  return load_config(store, prefix, base);
}

}  // namespace dacapo::dram
