#include "models/dacapo/accelerator.h"

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
        "sram_output_bytes,error\n";
  for (const JobRecord& j : jobs) {
    os << sa_names[j.sa & 1] << ',' << j.slot << ',' << j.tag << ',' << prec_names[static_cast<unsigned>(j.precision) % 3]
       << ',' << j.opcode << ',' << j.m << ',' << j.n << ',' << j.k << ',' << j.rows << ',' << j.tiles << ','
       << j.start_cycle << ',' << j.end_cycle << ',' << j.compute_cycles << ',' << j.queue_stall_cycles << ','
       << j.dram_stall_cycles << ',' << format_stat_value(StatsReport::Value{j.utilisation}) << ',' << j.macs << ','
       << j.dram_read_bytes << ',' << j.dram_write_bytes << ',' << j.sram_input_bytes << ',' << j.sram_weight_bytes
       << ',' << j.sram_output_bytes << ',' << static_cast<unsigned>(j.error) << '\n';
  }
}

void Accelerator::report_stats(StatsReport& report, const std::string& path) const {
  sa[0].report_stats(report, path);
  sa[1].report_stats(report, path);
  memif.report_stats(report, path + ".memif");
}

void Accelerator::trace(sc_trace_file* tf) const {
  for (const DpeRow& r : rows) r.trace(tf);
  for (const SaController& s : sa) s.trace(tf);
  memif.trace(tf);
  sc_core::sc_trace(tf, partition_, std::string(name()) + ".partition");
}

}  // namespace dacapo::acc
