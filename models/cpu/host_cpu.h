// Host CPU model (DESIGN.md §1, §6): runs one firmware image — a C++ entry point taking the Hal — on one
// SC_THREAD and implements the Hal with TLM-2.0 transactions and loosely-timed time annotation.
//
//   bus_initiator_socket  → the SoC bus: MMIO (read32/write32) and bulk memory access (mem_read/mem_write)
//   irq_in[soc::kIrqCount] ← level interrupt lines
//   phase                  traced firmware phase (fw::Phase)
//   drift_flag, running_accuracy   traced markers of a learning firmware (Hal::set_drift_flag, set_running_accuracy)
//
// Timing: every transaction's annotated delay and every charge() goes into a tlm_quantumkeeper; the thread
// synchronises with the kernel when the global quantum (set once by the platform top) is used up, before waiting
// for an interrupt, on every poll (wait_irq with mask 0 is a plain timed wait), and before changing the traced
// phase. Bulk memory goes through b_transport in chunks, so the DRAM model times it; with `use_dmi` the CPU copies
// through a DMI pointer instead and charges the bytes at `dmi_bytes_per_ns`.
// When the firmware returns (or throws), the model records the exit code / error and, by default, stops the
// simulation with sc_stop().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "firmware/hal/hal.h"
#include "firmware/hal/soc_map.h"
#include "models/common/stats.h"

namespace dacapo::cpu {

struct CpuConfig {
  double clock_mhz = 1500.0;       // host application core (an estimate: a mid-range embedded Arm core)
  uint32_t mem_chunk_bytes = 256;  // bulk accesses are issued as transactions of at most this size
  bool use_dmi = false;            // bulk accesses through DMI (functional copy + charged bandwidth)
  double dmi_bytes_per_ns = 8.0;   // bandwidth charged for DMI copies
  uint32_t mmio_cycles = 4;        // CPU cycles per register access on top of the bus/target latency
  bool stop_on_exit = true;        // sc_stop() when the firmware returns

  template <class V>
  void visit_params(V& v) {
    v("clock_mhz", clock_mhz, "MHz", "host CPU clock (charge() cycles are counted at this clock)");
    v("mem_chunk_bytes", mem_chunk_bytes, "B", "largest bus transaction of a bulk memory access");
    v("use_dmi", use_dmi, "", "bulk memory through DMI (copy + charged bandwidth) instead of timed transactions");
    v("dmi_bytes_per_ns", dmi_bytes_per_ns, "B/ns", "bandwidth charged for DMI copies");
    v("mmio_cycles", mmio_cycles, "cycles", "CPU cycles per register access, added to the bus latency");
    v("stop_on_exit", stop_on_exit, "", "stop the simulation when the firmware returns");
  }
  void validate() const;
  sc_core::sc_time period() const { return sc_core::sc_time(1e3 / clock_mhz, sc_core::SC_NS); }
};

class HostCpu : public sc_core::sc_module, private fw::Hal {
 public:
  using Firmware = std::function<int(fw::Hal&)>;
  using ConsoleSink = std::function<void(std::string_view)>;

  tlm_utils::simple_initiator_socket<HostCpu> bus_initiator_socket;
  sc_core::sc_vector<sc_core::sc_in<bool>> irq_in;
  sc_core::sc_signal<uint32_t> phase;
  sc_core::sc_signal<bool> drift_flag;          // Hal::set_drift_flag
  sc_core::sc_signal<double> running_accuracy;  // Hal::set_running_accuracy, percent

  HostCpu(const sc_core::sc_module_name& name, const CpuConfig& cfg, Firmware firmware, ConsoleSink console = {});

  bool finished() const { return finished_; }
  int exit_code() const { return exit_code_; }
  // The message of an exception that ended the firmware ("" if it returned normally).
  const std::string& error() const { return error_; }
  const std::string& console() const { return console_; }
  // Result files the firmware produced (Hal::write_output), by name.
  const std::map<std::string, std::string>& outputs() const { return outputs_; }
  // Simulated time at which the firmware returned.
  sc_core::sc_time finish_time() const { return finish_time_; }

  void report_stats(StatsReport& report, const std::string& path) const;
  void trace(sc_core::sc_trace_file* tf) const;

 private:
  // fw::Hal
  uint32_t read32(uint64_t addr) override;
  void write32(uint64_t addr, uint32_t value) override;
  uint32_t wait_irq(uint32_t mask, uint64_t timeout_ps) override;
  uint64_t now_ps() override;
  void mem_read(uint64_t addr, void* dst, size_t bytes) override;
  void mem_write(uint64_t addr, const void* src, size_t bytes) override;
  void charge(uint64_t cpu_cycles) override;
  void print(std::string_view text) override;
  void set_phase(fw::Phase p) override;
  void set_drift_flag(bool drift) override { drift_flag.write(drift); }
  void set_running_accuracy(double percent) override { running_accuracy.write(percent); }
  void write_output(std::string_view name, std::string_view content) override;

  void run();
  // One timed transaction; throws fw::BusError on an error response.
  void transact(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned bytes);
  bool dmi_copy(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, size_t bytes);
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);
  uint32_t irq_levels() const;

  const CpuConfig cfg_;
  const sc_core::sc_time period_;
  Firmware firmware_;
  ConsoleSink console_sink_;
  tlm_utils::tlm_quantumkeeper qk_;
  tlm::tlm_dmi dmi_;
  bool dmi_valid_ = false;

  bool finished_ = false;
  int exit_code_ = -1;
  std::string error_;
  std::string console_;
  std::map<std::string, std::string> outputs_;
  sc_core::sc_time finish_time_;

  // Statistics.
  uint64_t mmio_reads_ = 0, mmio_writes_ = 0;
  uint64_t mem_read_bytes_ = 0, mem_write_bytes_ = 0, dmi_bytes_ = 0;
  uint64_t charged_cycles_ = 0;
  uint64_t irq_waits_ = 0, irq_timeouts_ = 0, polls_ = 0;
  sc_core::sc_time irq_wait_time_;
  uint64_t bus_errors_ = 0;
};

}  // namespace dacapo::cpu
