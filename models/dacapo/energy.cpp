#include "models/dacapo/energy.h"

#include <cmath>
#include <fstream>
#include <sstream>

namespace dacapo::acc {
namespace {

// After a data file's values were loaded: each energy key present (not NaN) and >= 0, naming file:line and key.
class DataFileChecker {
 public:
  DataFileChecker(const ParamStore& store, const std::string& name) : store_(store), name_(name) {}
  void operator()(const char* key, double& value, const char*, const char*) {
    const auto it = store_.entries().find(key);
    if (it == store_.entries().end()) throw ParamError(name_ + ": missing key '" + key + "'");
    if (!(value >= 0.0))
      throw ParamError(it->second.origin + ": key '" + key + "' must be >= 0 (got '" + it->second.value + "')");
  }

 private:
  const ParamStore& store_;
  const std::string& name_;
};

class Validator {
 public:
  void operator()(const char* key, double& value, const char*, const char*) {
    if (!std::isfinite(value) || value < 0.0)
      throw ParamError(std::string("soc.acc.energy.") + key + ": must be a finite number >= 0");
  }
};

}  // namespace

void EnergyConfig::validate() const {
  Validator v;
  EnergyConfig copy = *this;  // visit_energies hands out references; the validator only reads them
  copy.visit_energies(v);
}

EnergyConfig parse_energy_data(std::istream& in, const std::string& name) {
  ParamStore store;
  store.load_ini_stream(in, name);
  EnergyConfig cfg;
  detail::ParamLoader loader(store, "");
  cfg.visit_energies(loader);  // bad values: "name:line: bad value '...' for key '...'"
  for (const auto& [key, entry] : store.entries())
    if (!entry.consumed) throw ParamError(entry.origin + ": unknown key '" + key + "' in energy data file");
  DataFileChecker check(store, name);
  cfg.visit_energies(check);
  cfg.file = name;
  return cfg;
}

EnergyConfig load_energy_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ParamError(path + ": cannot open energy data file");
  return parse_energy_data(in, path);
}

const EnergyConfig& default_energy_config() {
  static const EnergyConfig cfg = [] {
    std::istringstream in(kBuiltinEnergyFileText);
    EnergyConfig c = parse_energy_data(in, kBuiltinEnergyFileName);
    c.file.clear();  // "" = built in
    return c;
  }();
  return cfg;
}

EnergyConfig load_energy_config(const ParamStore& store, const std::string& prefix) {
  EnergyConfig base = default_energy_config();
  if (const auto* entry = store.take(detail::join_key(prefix, "file")); entry && !entry->value.empty()) {
    try {
      base = load_energy_file(entry->value);
    } catch (const ParamError& e) {
      throw ParamError(entry->origin + ": " + e.what());
    }
  }
  return load_config(store, prefix, base);
}

EnergyBreakdown& EnergyBreakdown::operator+=(const EnergyBreakdown& o) {
  dpe_pj += o.dpe_pj;
  for (unsigned b = 0; b < 3; ++b) sram_pj[b] += o.sram_pj[b];
  pcu_pj += o.pcu_pj;
  dma_pj += o.dma_pj;
  static_array_pj += o.static_array_pj;
  static_sram_pj += o.static_sram_pj;
  return *this;
}

EnergyBreakdown dynamic_energy(const JobActions& a, regs::Precision p, const EnergyConfig& e) {
  EnergyBreakdown r;
  r.dpe_pj = double(a.block_dots) * e.dpe_block_pj(p);
  const double read[3] = {e.sram_input_read_pj_per_byte, e.sram_weight_read_pj_per_byte,
                          e.sram_output_read_pj_per_byte};
  const double write[3] = {e.sram_input_write_pj_per_byte, e.sram_weight_write_pj_per_byte,
                           e.sram_output_write_pj_per_byte};
  for (unsigned b = 0; b < 3; ++b)
    r.sram_pj[b] = double(a.sram_read_bytes[b]) * read[b] + double(a.sram_write_bytes[b]) * write[b];
  r.pcu_pj = double(a.pcu_blocks) * e.pcu_block_pj;
  r.dma_pj = double(a.dma_bytes) * e.dma_pj_per_byte;
  return r;
}

EnergyBreakdown static_energy(double seconds, double array_share, double sram_share, const EnergyConfig& e) {
  EnergyBreakdown r;
  // mW x s = 1e-3 J = 1e9 pJ
  r.static_array_pj = e.static_array_mw * array_share * seconds * 1e9;
  r.static_sram_pj = e.static_sram_mw * sram_share * seconds * 1e9;
  return r;
}

EnergyBreakdown full_utilisation_energy_per_second(const EnergyConfig& e, regs::Precision p,
                                                   const CalibrationWorkload& w) {
  const double c = p == regs::Precision::MX4 ? 1 : p == regs::Precision::MX6 ? 4 : 16;
  const double bb = regs::mx_block_bytes(p == regs::Precision::MX4   ? regs::ElemFormat::MX4
                                         : p == regs::Precision::MX6 ? regs::ElemFormat::MX6
                                                                     : regs::ElemFormat::MX9);
  const double cycles = w.clock_mhz * 1e6;  // per second
  const double tile_cycles = double(w.k_blocks) * c;
  const double dpes = double(w.rows) * w.cols;
  // Per-cycle action rates in steady state, times the cycles of one second.
  JobActions a;
  auto per_second = [&](double per_cycle) { return static_cast<uint64_t>(std::llround(per_cycle * cycles)); };
  a.block_dots = per_second(dpes / c);
  a.sram_read_bytes[kInputBuffer] = per_second(w.cols * bb / c);   // each column takes a block every c cycles
  a.sram_read_bytes[kWeightBuffer] = per_second(w.rows * bb / c);  // each row likewise
  a.sram_write_bytes[kWeightBuffer] = a.sram_read_bytes[kWeightBuffer];  // streamed: each block written once
  a.sram_write_bytes[kOutputBuffer] = per_second(dpes * 4 / tile_cycles);  // the rows write the FP32 tile
  a.sram_read_bytes[kOutputBuffer] = a.sram_write_bytes[kOutputBuffer];    // the PCU reads it
  a.pcu_blocks = per_second(dpes / 16 / tile_cycles);
  a.dma_bytes = a.sram_write_bytes[kWeightBuffer] + per_second(dpes / 16 * bb / tile_cycles);
  EnergyBreakdown r = dynamic_energy(a, p, e);
  r += static_energy(1.0, 1.0, 1.0, e);
  return r;
}

}  // namespace dacapo::acc
