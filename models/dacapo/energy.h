// Energy model of the DaCapo accelerator (DESIGN.md §8: action counts per component × per-action energies from a
// data file). Pure C++, no SystemC.
//
// The per-action energies live in one data file shipped with the sources, models/dacapo/data/energy_28nm.ini.
// CMake compiles its text into the library, so the built-in defaults are that file (one source of truth, no path
// lookup at run time). A run may load another file (soc.acc.energy.file) and override single keys
// (soc.acc.energy.<key>); the derivation of the defaults is in docs/accelerator.md#energy.
//
// Actions: one 16-element MX block dot product in one DPE (per precision), a byte read from / written to the
// input, weight or output buffer, one block converted by a precision-conversion unit, a byte moved by the DMA of
// the memory interface; plus static (leakage) power of the array logic and of the SRAM over time.
#pragma once

#include <array>
#include <cstdint>
#include <istream>
#include <limits>
#include <string>

#include "firmware/hal/dacapo_regs.h"
#include "models/common/params.h"

namespace dacapo::acc {

struct EnergyConfig {
  static constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();

  std::string file;  // energy data file the values below were loaded from ("" = the built-in one)
  double dpe_block_mx4_pj = kUnset;  // one MX4 block dot product (16 products, exponent add, FP32 accumulate)
  double dpe_block_mx6_pj = kUnset;
  double dpe_block_mx9_pj = kUnset;
  double sram_input_read_pj_per_byte = kUnset;
  double sram_input_write_pj_per_byte = kUnset;
  double sram_weight_read_pj_per_byte = kUnset;
  double sram_weight_write_pj_per_byte = kUnset;
  double sram_output_read_pj_per_byte = kUnset;
  double sram_output_write_pj_per_byte = kUnset;
  double pcu_block_pj = kUnset;       // one FP32 → MX block conversion (16 values)
  double dma_pj_per_byte = kUnset;    // memory interface: DMA engine, on-chip interconnect, MX pack/unpack
  double static_array_mw = kUnset;    // leakage of the whole array and its logic (rows, PCUs, memif, control)
  double static_sram_mw = kUnset;     // leakage of all buffer SRAM

  template <class V>
  void visit_params(V& v) {
    v("file", file, "", "energy data file (INI, keys below); empty = built-in models/dacapo/data/energy_28nm.ini");
    visit_energies(v);
  }
  // The energies alone (the keys a data file holds).
  template <class V>
  void visit_energies(V& v) {
    v("dpe_block_mx4_pj", dpe_block_mx4_pj, "pJ", "one MX4 block dot product in one DPE");
    v("dpe_block_mx6_pj", dpe_block_mx6_pj, "pJ", "one MX6 block dot product in one DPE");
    v("dpe_block_mx9_pj", dpe_block_mx9_pj, "pJ", "one MX9 block dot product in one DPE");
    v("sram_input_read_pj_per_byte", sram_input_read_pj_per_byte, "pJ/B", "input (A) buffer read");
    v("sram_input_write_pj_per_byte", sram_input_write_pj_per_byte, "pJ/B", "input (A) buffer write");
    v("sram_weight_read_pj_per_byte", sram_weight_read_pj_per_byte, "pJ/B", "weight (B) buffer read");
    v("sram_weight_write_pj_per_byte", sram_weight_write_pj_per_byte, "pJ/B", "weight (B) buffer write");
    v("sram_output_read_pj_per_byte", sram_output_read_pj_per_byte, "pJ/B", "output (C) buffer read");
    v("sram_output_write_pj_per_byte", sram_output_write_pj_per_byte, "pJ/B", "output (C) buffer write");
    v("pcu_block_pj", pcu_block_pj, "pJ", "one FP32 -> MX block conversion in a precision-conversion unit");
    v("dma_pj_per_byte", dma_pj_per_byte, "pJ/B", "one byte moved by the memory interface (DRAM itself excluded)");
    v("static_array_mw", static_array_mw, "mW", "leakage of the DPE array and accelerator logic");
    v("static_sram_mw", static_sram_mw, "mW", "leakage of all buffer SRAM");
  }
  // Every energy set, finite and >= 0; throws ParamError naming soc.acc.energy.<key>.
  void validate() const;

  double dpe_block_pj(regs::Precision p) const {
    return p == regs::Precision::MX4 ? dpe_block_mx4_pj : p == regs::Precision::MX6 ? dpe_block_mx6_pj : dpe_block_mx9_pj;
  }
};

// The built-in data file (compiled in) and its name for messages.
extern const char* const kBuiltinEnergyFileName;
extern const char* const kBuiltinEnergyFileText;

// Parses an energy data file: "key = value" lines with the keys of EnergyConfig::visit_energies, '#' comments,
// no sections. Every key must be present, as a finite number >= 0.
// Throws ParamError naming `name`, the line and the key (malformed line, bad or negative value, unknown key) or
// `name` and the key (missing key).
EnergyConfig parse_energy_data(std::istream& in, const std::string& name);
EnergyConfig load_energy_file(const std::string& path);
// The built-in defaults (parsed once).
const EnergyConfig& default_energy_config();
// built-in < the file named by <prefix>.file < explicit <prefix>.<key> values (normally prefix "soc.acc.energy").
EnergyConfig load_energy_config(const ParamStore& store, const std::string& prefix);

enum BufferKind : unsigned { kInputBuffer = 0, kWeightBuffer = 1, kOutputBuffer = 2 };

// Actions of one job, counted by the SA controller.
struct JobActions {
  uint64_t block_dots = 0;                       // DPE block dot products (K padded to whole blocks)
  std::array<uint64_t, 3> sram_read_bytes{};     // per BufferKind
  std::array<uint64_t, 3> sram_write_bytes{};
  uint64_t pcu_blocks = 0;                       // FP32 → MX conversions (FP32 operands on load, MX results)
  uint64_t dma_bytes = 0;                        // DRAM bytes read + written by the job's DMA
};

// Energy per component, in pJ.
struct EnergyBreakdown {
  double dpe_pj = 0;
  std::array<double, 3> sram_pj{};  // per BufferKind (reads + writes)
  double pcu_pj = 0;
  double dma_pj = 0;
  double static_array_pj = 0;
  double static_sram_pj = 0;

  double sram_total_pj() const { return sram_pj[0] + sram_pj[1] + sram_pj[2]; }
  double static_pj() const { return static_array_pj + static_sram_pj; }
  double dynamic_pj() const { return dpe_pj + sram_total_pj() + pcu_pj + dma_pj; }
  double total_pj() const { return dynamic_pj() + static_pj(); }
  EnergyBreakdown& operator+=(const EnergyBreakdown& o);
};

// Dynamic energy of the actions (the DPE term at precision p); static terms zero.
EnergyBreakdown dynamic_energy(const JobActions& a, regs::Precision p, const EnergyConfig& e);
// Leakage of `array_share` of the array and `sram_share` of the SRAM over `seconds`; dynamic terms zero.
EnergyBreakdown static_energy(double seconds, double array_share, double sram_share, const EnergyConfig& e);

// Calibration point (docs/accelerator.md#energy): the whole array (rows x cols DPEs) computing one block dot
// product every c cycles in every DPE, on output tiles of `k_blocks` K blocks. The weight (B) blocks are
// streamed from DRAM into the weight buffer (written once, read once); the input (A) panel stays resident
// (its write is amortised away); each tile's FP32 results are written to and read from the output buffer once and
// leave as MX blocks of the SA precision through the PCU and the DMA.
struct CalibrationWorkload {
  uint32_t rows = 16;
  uint32_t cols = 16;
  uint64_t k_blocks = 36;  // K = 576, a 3x3x64 convolution
  double clock_mhz = 500.0;
};
// Steady-state energy per second of the calibration workload at precision p (pJ per s; x 1e-12 = W).
EnergyBreakdown full_utilisation_energy_per_second(const EnergyConfig& e, regs::Precision p,
                                                   const CalibrationWorkload& w = {});

}  // namespace dacapo::acc
