#include "models/dacapo/accelerator.h"

#include <algorithm>
#include <ostream>

namespace dacapo::acc {

using namespace sc_core;

namespace {
AccConfig validated(const AccConfig& cfg) {
  cfg.validate();
  return cfg;
}
}  // namespace

Accelerator::Accelerator(sc_module_name name, const AccConfig& cfg)
    : sc_module(name),
      mmio_target_socket("mmio_target_socket"),
      dram_initiator_socket("dram_initiator_socket"),
      irq_out("irq_out"),
      cfg_(validated(cfg)),
      csr("csr", cfg_),
      memif("memif"),
      sa("sa", 2, [this](const char* n, size_t i) { return new SaController(n, static_cast<unsigned>(i), cfg_); }),
      rows("rows", cfg_.rows, [](const char* n, size_t i) { return new DpeRow(n, static_cast<unsigned>(i)); }),
      partition_("partition"),
      control_("control", 2),
      state_("state", 2),
      perf_("perf", 2),
      busy_rows_("busy_rows", 2),
      precision_("precision", 2),
      irq_("irq") {
  SC_HAS_PROCESS(Accelerator);
  mmio_target_socket.bind(csr.mmio_target_socket);
  memif.dram_initiator_socket.bind(dram_initiator_socket);
  csr.irq_out.bind(irq_out);
  csr.partition_out.bind(partition_);
  for (unsigned s = 0; s < 2; ++s) {
    csr.control_out[s].bind(control_[s]);
    csr.state_in[s].bind(state_[s]);
    csr.perf_in[s].bind(perf_[s]);
    sa[s].control_in.bind(control_[s]);
    sa[s].state_out.bind(state_[s]);
    sa[s].perf_out.bind(perf_[s]);
    sa[s].busy_rows_out.bind(busy_rows_[s]);
    sa[s].dma_socket.bind(memif.sa_socket);  // binding order = channel index = SA index
  }
  for (unsigned s = 0; s < 2; ++s)
    for (unsigned r = 0; r < cfg_.rows; ++r) sa[s].row_socket.bind(rows[r].work_socket);  // index = row
  for (unsigned r = 0; r < cfg_.rows; ++r) {
    rows[r].partition_in.bind(partition_);
    rows[r].top_precision_in.bind(precision_[0]);
    rows[r].bottom_precision_in.bind(precision_[1]);
    rows[r].top_busy_rows_in.bind(busy_rows_[0]);
    rows[r].bottom_busy_rows_in.bind(busy_rows_[1]);
  }
  SC_METHOD(project_precision);
  sensitive << control_[0] << control_[1];
  dont_initialize();
}

void Accelerator::project_precision() {
  for (unsigned s = 0; s < 2; ++s) precision_[s].write(control_[s].read().precision);
}

std::vector<JobRecord> Accelerator::jobs() const {
  std::vector<JobRecord> all = sa[0].jobs();
  all.insert(all.end(), sa[1].jobs().begin(), sa[1].jobs().end());
  return all;
}

void Accelerator::write_jobs_csv(std::ostream& os, const std::vector<JobRecord>& jobs) {
  static const char* sa_names[2] = {"T-SA", "B-SA"};
  static const char* prec_names[3] = {"MX4", "MX6", "MX9"};
  os << "sa,slot,tag,precision,opcode,m,n,k,rows,tiles,start_cycle,end_cycle,compute_cycles,queue_stall_cycles,"
        "dram_stall_cycles,utilisation,macs,dram_read_bytes,dram_write_bytes,sram_input_bytes,sram_weight_bytes,"
        "sram_output_bytes,error,block_dots,pcu_blocks,energy_dpe_pj,energy_sram_input_pj,energy_sram_weight_pj,"
        "energy_sram_output_pj,energy_pcu_pj,energy_dma_pj,energy_static_pj,energy_pj\n";
  auto real = [](double v) { return format_stat_value(StatsReport::Value{v}); };
  for (const JobRecord& j : jobs) {
    os << sa_names[j.sa & 1] << ',' << j.slot << ',' << j.tag << ',' << prec_names[static_cast<unsigned>(j.precision) % 3]
       << ',' << j.opcode << ',' << j.m << ',' << j.n << ',' << j.k << ',' << j.rows << ',' << j.tiles << ','
       << j.start_cycle << ',' << j.end_cycle << ',' << j.compute_cycles << ',' << j.queue_stall_cycles << ','
       << j.dram_stall_cycles << ',' << format_stat_value(StatsReport::Value{j.utilisation}) << ',' << j.macs << ','
       << j.dram_read_bytes << ',' << j.dram_write_bytes << ',' << j.sram_input_bytes << ',' << j.sram_weight_bytes
       << ',' << j.sram_output_bytes << ',' << static_cast<unsigned>(j.error) << ',' << j.actions.block_dots << ','
       << j.actions.pcu_blocks << ',' << real(j.energy.dpe_pj) << ',' << real(j.energy.sram_pj[kInputBuffer]) << ','
       << real(j.energy.sram_pj[kWeightBuffer]) << ',' << real(j.energy.sram_pj[kOutputBuffer]) << ','
       << real(j.energy.pcu_pj) << ',' << real(j.energy.dma_pj) << ',' << real(j.energy.static_pj()) << ','
       << real(j.energy.total_pj()) << '\n';
  }
}

void Accelerator::report_stats(StatsReport& report, const std::string& path) const {
  sa[0].report_stats(report, path);
  sa[1].report_stats(report, path);
  memif.report_stats(report, path + ".memif");
  report_energy(report, path);
}

void Accelerator::report_energy(StatsReport& report, const std::string& path) const {
  static const char* sa_paths[2] = {".t_sa", ".b_sa"};
  EnergyBreakdown dynamic;
  for (unsigned s = 0; s < 2; ++s) {
    EnergyBreakdown sa_energy;
    uint64_t busy = 0;
    for (const JobRecord& j : sa[s].jobs()) {
      sa_energy += j.energy;
      busy += j.end_cycle - std::min(j.end_cycle, j.start_cycle);
    }
    dynamic += sa_energy;
    const double busy_s = double(busy) * cfg_.period_ns() * 1e-9;
    report.add_real(path + sa_paths[s], "energy_pj", sa_energy.total_pj(), "pJ",
                    "accelerator energy of this SA's jobs (dynamic + leakage of its rows and SRAM half while busy)");
    report.add_real(path + sa_paths[s], "busy_power_mw", busy_s > 0 ? sa_energy.total_pj() / busy_s * 1e-9 : 0.0,
                    "mW", "energy_pj / busy time");
  }
  // The run: dynamic energy of all jobs; leakage of the whole accelerator over the whole simulated time.
  const double seconds = sc_core::sc_time_stamp().to_seconds();
  const EnergyBreakdown leak = static_energy(seconds, 1.0, 1.0, cfg_.energy);
  EnergyBreakdown total = dynamic;
  total.static_array_pj = leak.static_array_pj;
  total.static_sram_pj = leak.static_sram_pj;
  const std::string p = path + ".energy";
  report.add_real(p, "simulated_s", seconds, "s", "simulated time the average powers refer to");
  auto add = [&](const std::string& name, double pj, const std::string& what) {
    report.add_real(p, name + "_pj", pj, "pJ", what);
    report.add_real(p, name + "_mw", seconds > 0 ? pj / seconds * 1e-9 : 0.0, "mW", "average power: " + what);
  };
  add("dpe", total.dpe_pj, "DPE block dot products");
  add("sram_input", total.sram_pj[kInputBuffer], "input buffer reads and writes");
  add("sram_weight", total.sram_pj[kWeightBuffer], "weight buffer reads and writes");
  add("sram_output", total.sram_pj[kOutputBuffer], "output buffer reads and writes");
  add("pcu", total.pcu_pj, "precision-conversion units (FP32 -> MX blocks)");
  add("dma", total.dma_pj, "memory-interface data movement (DRAM itself: soc.dram.energy_pj)");
  add("static_array", total.static_array_pj, "leakage of the array and logic over the simulated time");
  add("static_sram", total.static_sram_pj, "leakage of the SRAM over the simulated time");
  add("total", total.total_pj(), "accelerator total (DRAM excluded)");
}

void Accelerator::trace(sc_trace_file* tf) const {
  for (const DpeRow& r : rows) r.trace(tf);
  for (const SaController& s : sa) s.trace(tf);
  memif.trace(tf);
  sc_core::sc_trace(tf, partition_, std::string(name()) + ".partition");
}

}  // namespace dacapo::acc
