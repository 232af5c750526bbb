// Register block of the DaCapo accelerator (DESIGN.md §4, layout in firmware/hal/dacapo_regs.h).
//
// A TLM target for 32-bit, 4-byte aligned accesses inside the 16 KiB window (addresses relative to the window);
// everything else gets TLM_ADDRESS_ERROR_RESPONSE. Writes to read-only registers, and queue configuration writes
// while the queue is busy, get TLM_COMMAND_ERROR_RESPONSE and change nothing. It drives each SA controller's
// QueueControl signal and the PARTITION signal, latches the controllers' done/error events into IRQ_RAW, and
// drives the level `irq_out` = OR(IRQ_RAW & IRQ_ENABLE).
#pragma once

#include <array>
#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/dacapo/acc_config.h"
#include "models/dacapo/acc_signals.h"

namespace dacapo::acc {

class Csr : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Csr> mmio_target_socket;
  sc_core::sc_out<bool> irq_out;
  sc_core::sc_out<uint32_t> partition_out;
  sc_core::sc_vector<sc_core::sc_out<QueueControl>> control_out;
  sc_core::sc_vector<sc_core::sc_in<QueueState>> state_in;
  sc_core::sc_vector<sc_core::sc_in<PerfState>> perf_in;

  Csr(sc_core::sc_module_name name, const AccConfig& cfg);

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  // Returns a TLM response status; `value` is read or written.
  tlm::tlm_response_status read(uint64_t addr, uint32_t& value, const sc_core::sc_time& at);
  tlm::tlm_response_status write(uint64_t addr, uint32_t value);
  tlm::tlm_response_status read_global(uint32_t off, uint32_t& value, const sc_core::sc_time& at);
  tlm::tlm_response_status write_global(uint32_t off, uint32_t value);
  tlm::tlm_response_status read_queue(unsigned sa, uint32_t off, uint32_t& value);
  tlm::tlm_response_status write_queue(unsigned sa, uint32_t off, uint32_t value);
  tlm::tlm_response_status read_perf(uint32_t off, uint32_t& value);

  bool queue_busy(unsigned sa) const;  // executing, or work pending on an enabled, non-halted queue
  void publish();                      // drives control_out / partition_out from the register values
  void on_state();                     // latches controller events into IRQ_RAW
  void update_irq();
  void drive_irq();

  const AccConfig cfg_;
  const sc_core::sc_time period_;
  uint32_t partition_;
  bool partition_error_ = false;
  uint32_t irq_raw_ = 0, irq_enable_ = 0;
  std::array<QueueControl, 2> control_{};
  std::array<uint32_t, 2> seen_done_{}, seen_error_{};
  uint32_t cycle_hi_latch_ = 0;
  std::array<std::array<uint32_t, kPerfCounters>, 2> perf_hi_latch_{};
  sc_core::sc_event publish_event_;
  sc_core::sc_event irq_event_;
};

}  // namespace dacapo::acc
