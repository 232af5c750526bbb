// Energy model of the accelerator (models/dacapo/energy.h), without the SystemC kernel: the shipped data file,
// its error messages, config-key overrides, the arithmetic of counts x energies and the calibration point against
// the paper's 0.236 W (DESIGN.md §2).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "models/dacapo/acc_config.h"
#include "models/dacapo/energy.h"

using namespace dacapo;
using namespace dacapo::acc;
using regs::Precision;

namespace {

const std::string kDataFile = std::string(DACAPO_SOURCE_DIR) + "/models/dacapo/data/energy_28nm.ini";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The error message of parsing `text` as a data file named "e.ini" ("" if it parses).
std::string parse_error(const std::string& text) {
  std::istringstream in(text);
  try {
    parse_energy_data(in, "e.ini");
  } catch (const ParamError& e) {
    return e.what();
  }
  return "";
}

// The shipped file with the line holding `key` replaced by `line` (or removed when `line` is empty).
std::string shipped_with(const std::string& key, const std::string& line) {
  std::istringstream in(read_file(kDataFile));
  std::string out, l;
  while (std::getline(in, l)) {
    if (l.rfind(key + " ", 0) == 0) {
      if (!line.empty()) out += line + "\n";
      continue;
    }
    out += l + "\n";
  }
  return out;
}

// Line number (1-based) of the line starting with `key` in the shipped file.
int line_of(const std::string& key) {
  std::istringstream in(read_file(kDataFile));
  std::string l;
  for (int n = 1; std::getline(in, l); ++n)
    if (l.rfind(key + " ", 0) == 0) return n;
  return -1;
}

}  // namespace

TEST_CASE("the built-in energy defaults are the shipped data file") {
  const EnergyConfig on_disk = load_energy_file(kDataFile);
  const EnergyConfig& built_in = default_energy_config();
  CHECK(built_in.file.empty());
  CHECK(on_disk.file == kDataFile);
  // Every key of the file, compared through the parameter listing (key, unit and value text).
  const auto a = describe_config("soc.acc.energy", on_disk);
  const auto b = describe_config("soc.acc.energy", built_in);
  REQUIRE(a.size() == b.size());
  REQUIRE(a.size() == 14);
  for (size_t i = 1; i < a.size(); ++i) {  // [0] is the file key
    INFO(a[i].key);
    CHECK(a[i].default_value == b[i].default_value);
    CHECK(!a[i].unit.empty());
  }
  CHECK(AccConfig{}.energy.dpe_block_mx6_pj == built_in.dpe_block_mx6_pj);
}

TEST_CASE("bad energy data file lines give errors naming file line and key") {
  REQUIRE(parse_error(read_file(kDataFile)).empty());
  const int mx6 = line_of("dpe_block_mx6_pj");
  REQUIRE(mx6 > 0);
  const std::string at = "e.ini:" + std::to_string(mx6) + ": ";

  // Not a number.
  std::string e = parse_error(shipped_with("dpe_block_mx6_pj", "dpe_block_mx6_pj = four"));
  CHECK(e.find(at) == 0);
  CHECK(e.find("'dpe_block_mx6_pj'") != std::string::npos);
  // Negative.
  e = parse_error(shipped_with("dpe_block_mx6_pj", "dpe_block_mx6_pj = -1"));
  CHECK(e.find(at) == 0);
  CHECK(e.find("'dpe_block_mx6_pj' must be >= 0") != std::string::npos);
  // Not a "key = value" line.
  e = parse_error(shipped_with("dpe_block_mx6_pj", "dpe_block_mx6_pj 4.96"));
  CHECK(e.find(at) == 0);
  CHECK(e.find("expected 'key = value'") != std::string::npos);
  // Unknown key (a typo) at its line.
  e = parse_error(shipped_with("dpe_block_mx6_pj", "dpe_block_mx7_pj = 4.96"));
  CHECK(e.find(at) == 0);
  CHECK(e.find("unknown key 'dpe_block_mx7_pj'") != std::string::npos);
  // Missing key: file and key.
  e = parse_error(shipped_with("pcu_block_pj", ""));
  CHECK(e == "e.ini: missing key 'pcu_block_pj'");
  // A data file cannot name another data file.
  e = parse_error(read_file(kDataFile) + "file = other.ini\n");
  CHECK(e.find("unknown key 'file'") != std::string::npos);
  // A missing file.
  CHECK_THROWS_WITH(load_energy_file("/nonexistent/e.ini"), "/nonexistent/e.ini: cannot open energy data file");
}

TEST_CASE("config keys override the energy data file") {
  SECTION("single keys on top of the built-in file") {
    ParamStore store;
    store.set("soc.acc.energy.dpe_block_mx9_pj", "30");
    const EnergyConfig e = load_energy_config(store, "soc.acc.energy");
    CHECK(e.dpe_block_mx9_pj == 30.0);
    CHECK(e.dpe_block_mx6_pj == default_energy_config().dpe_block_mx6_pj);
    CHECK(store.unconsumed().empty());
  }
  SECTION("another data file, then a key on top") {
    const std::string path = "energy_override_test.ini";
    {
      std::ofstream out(path);
      out << shipped_with("static_sram_mw", "static_sram_mw = 7.5");
    }
    ParamStore store;
    store.set("soc.acc.energy.file", path, "run.ini:3");
    store.set("soc.acc.energy.pcu_block_pj", "1");
    const EnergyConfig e = load_energy_config(store, "soc.acc.energy");
    CHECK(e.static_sram_mw == 7.5);
    CHECK(e.pcu_block_pj == 1.0);
    CHECK(e.file == path);
    std::remove(path.c_str());
  }
  SECTION("a bad data file named by a key reports the key's origin and the file's line") {
    const std::string path = "energy_bad_test.ini";
    {
      std::ofstream out(path);
      out << shipped_with("dma_pj_per_byte", "dma_pj_per_byte = x");
    }
    ParamStore store;
    store.set("soc.acc.energy.file", path, "run.ini:3");
    std::string msg;
    try {
      load_energy_config(store, "soc.acc.energy");
    } catch (const ParamError& e) {
      msg = e.what();
    }
    CHECK(msg.find("run.ini:3: " + path + ":" + std::to_string(line_of("dma_pj_per_byte"))) == 0);
    CHECK(msg.find("'dma_pj_per_byte'") != std::string::npos);
    std::remove(path.c_str());
  }
  SECTION("a negative value from --set names the key") {
    ParamStore store;
    store.set("soc.acc.energy.dma_pj_per_byte", "-0.5");
    CHECK_THROWS_WITH(load_energy_config(store, "soc.acc.energy"),
                      Catch::Contains("soc.acc.energy.dma_pj_per_byte"));
  }
}

TEST_CASE("dynamic energy is action counts times per-action energies") {
  EnergyConfig e = default_energy_config();
  JobActions a;
  a.block_dots = 1000;
  a.sram_read_bytes = {100, 200, 300};
  a.sram_write_bytes = {10, 20, 30};
  a.pcu_blocks = 7;
  a.dma_bytes = 4096;
  for (Precision p : {Precision::MX4, Precision::MX6, Precision::MX9}) {
    const double dpe = p == Precision::MX4 ? e.dpe_block_mx4_pj : p == Precision::MX6 ? e.dpe_block_mx6_pj
                                                                                         : e.dpe_block_mx9_pj;
    const EnergyBreakdown r = dynamic_energy(a, p, e);
    CHECK(r.dpe_pj == Approx(1000 * dpe));
    CHECK(r.sram_pj[kInputBuffer] == Approx(100 * e.sram_input_read_pj_per_byte + 10 * e.sram_input_write_pj_per_byte));
    CHECK(r.sram_pj[kWeightBuffer] ==
          Approx(200 * e.sram_weight_read_pj_per_byte + 20 * e.sram_weight_write_pj_per_byte));
    CHECK(r.sram_pj[kOutputBuffer] ==
          Approx(300 * e.sram_output_read_pj_per_byte + 30 * e.sram_output_write_pj_per_byte));
    CHECK(r.pcu_pj == Approx(7 * e.pcu_block_pj));
    CHECK(r.dma_pj == Approx(4096 * e.dma_pj_per_byte));
    CHECK(r.static_pj() == 0);
  }
  // Leakage: mW x s; 1 ms of a quarter of the array and half of the SRAM.
  const EnergyBreakdown s = static_energy(1e-3, 0.25, 0.5, e);
  CHECK(s.static_array_pj == Approx(e.static_array_mw * 1e-3 * 0.25 * 1e-3 * 1e12));
  CHECK(s.static_sram_pj == Approx(e.static_sram_mw * 1e-3 * 0.5 * 1e-3 * 1e12));
  CHECK(s.dynamic_pj() == 0);
}

// The calibration point of docs/accelerator.md#energy: the shipped energies put the fully used 16x16 array at the
// paper's 0.236 W in MX6 and in MX9 (500 MHz). The rates are recomputed here from the dataflow (DESIGN.md §2).
TEST_CASE("energy defaults reproduce the calibration point of 0.236 W") {
  const EnergyConfig& e = default_energy_config();
  const double target_w = 0.236, tolerance = 0.005;  // 0.5 %: the file's values are rounded to 3 digits
  struct Case {
    Precision p;
    double cycles_per_block, block_bytes, dpe_pj;
  };
  for (const Case& c : {Case{Precision::MX6, 4, 12, e.dpe_block_mx6_pj}, Case{Precision::MX9, 16, 18, e.dpe_block_mx9_pj}}) {
    const double f = 500e6, k_blocks = 36, tile = k_blocks * c.cycles_per_block;
    // Per cycle: 256 DPEs each finish a block every c cycles; each of the 16 columns reads an input block and each
    // of the 16 rows a weight block every c cycles; weights are streamed (each block written once into SRAM and
    // brought by the DMA); per tile of `tile` cycles 256 FP32 results are written to and read from the output
    // buffer and leave as 16 MX blocks (PCU + DMA).
    const double dots = 256 / c.cycles_per_block;
    const double in_rd = 16 * c.block_bytes / c.cycles_per_block, w_rd = in_rd, w_wr = w_rd;
    const double out_b = 1024 / tile, pcu = 16 / tile, dma = w_wr + 16 * c.block_bytes / tile;
    const double pj_per_cycle = dots * c.dpe_pj + in_rd * e.sram_input_read_pj_per_byte +
                                w_rd * e.sram_weight_read_pj_per_byte + w_wr * e.sram_weight_write_pj_per_byte +
                                out_b * (e.sram_output_read_pj_per_byte + e.sram_output_write_pj_per_byte) +
                                pcu * e.pcu_block_pj + dma * e.dma_pj_per_byte;
    const double watts = pj_per_cycle * 1e-12 * f + (e.static_array_mw + e.static_sram_mw) * 1e-3;
    const EnergyBreakdown model = full_utilisation_energy_per_second(e, c.p);
    INFO("precision " << int(c.p) << ": " << watts << " W recomputed, " << model.total_pj() * 1e-12 << " W model");
    CHECK(model.total_pj() * 1e-12 == Approx(watts).epsilon(1e-6));
    CHECK(std::fabs(watts - target_w) <= tolerance * target_w);
    // The DPEs take the largest share (docs/accelerator.md): more than half of the total.
    CHECK(model.dpe_pj > 0.5 * model.total_pj());
  }
}
