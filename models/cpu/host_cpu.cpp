#include "models/cpu/host_cpu.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "models/common/params.h"

using namespace sc_core;

namespace dacapo::cpu {

void CpuConfig::validate() const {
  if (!(clock_mhz > 0.0)) throw ParamError("cpu: clock_mhz must be > 0");
  if (mem_chunk_bytes == 0) throw ParamError("cpu: mem_chunk_bytes must be > 0");
  if (!(dmi_bytes_per_ns > 0.0)) throw ParamError("cpu: dmi_bytes_per_ns must be > 0");
}

HostCpu::HostCpu(const sc_module_name& name, const CpuConfig& cfg, Firmware firmware, ConsoleSink console)
    : sc_module(name),
      bus_initiator_socket("bus_initiator_socket"),
      irq_in("irq_in", soc::kIrqCount),
      phase("phase", 0),
      drift_flag("drift_flag", false),
      running_accuracy("running_accuracy", 0.0),
      cfg_(cfg),
      period_(cfg.period()),
      firmware_(std::move(firmware)),
      console_sink_(std::move(console)) {
  cfg_.validate();
  bus_initiator_socket.register_invalidate_direct_mem_ptr(this, &HostCpu::invalidate_direct_mem_ptr);
  SC_HAS_PROCESS(HostCpu);
  SC_THREAD(run);
}

void HostCpu::run() {
  qk_.reset();
  set_phase(fw::Phase::Boot);
  try {
    exit_code_ = firmware_(*this);
  } catch (const sc_unwind_exception&) {
    throw;  // killed (platform::ThreadReaper on Ctrl-C or a time limit): let the kernel finish the kill
  } catch (const std::exception& e) {
    error_ = e.what();
    exit_code_ = -1;
  }
  qk_.sync();
  set_phase(fw::Phase::Done);
  finished_ = true;
  finish_time_ = sc_time_stamp();
  if (cfg_.stop_on_exit) sc_stop();
}

uint32_t HostCpu::irq_levels() const {
  uint32_t lines = 0;
  for (unsigned i = 0; i < irq_in.size(); ++i)
    if (irq_in[i].read()) lines |= 1u << i;
  return lines;
}

void HostCpu::transact(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned bytes) {
  tlm::tlm_generic_payload t;
  t.set_command(cmd);
  t.set_address(addr);
  t.set_data_ptr(data);
  t.set_data_length(bytes);
  t.set_streaming_width(bytes);
  t.set_byte_enable_ptr(nullptr);
  t.set_dmi_allowed(false);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time delay = qk_.get_local_time();
  bus_initiator_socket->b_transport(t, delay);
  qk_.set(delay);
  if (t.is_response_error()) {
    ++bus_errors_;
    std::ostringstream os;
    os << name() << ": " << (cmd == tlm::TLM_READ_COMMAND ? "read" : "write") << " of " << bytes << " B at 0x"
       << std::hex << addr << " failed: " << t.get_response_string();
    throw fw::BusError(os.str(), addr);
  }
  if (qk_.need_sync()) qk_.sync();
}

uint32_t HostCpu::read32(uint64_t addr) {
  uint32_t v = 0;
  ++mmio_reads_;
  qk_.inc(period_ * cfg_.mmio_cycles);
  transact(tlm::TLM_READ_COMMAND, addr, reinterpret_cast<uint8_t*>(&v), 4);
  return v;
}

void HostCpu::write32(uint64_t addr, uint32_t value) {
  ++mmio_writes_;
  qk_.inc(period_ * cfg_.mmio_cycles);
  transact(tlm::TLM_WRITE_COMMAND, addr, reinterpret_cast<uint8_t*>(&value), 4);
}

uint32_t HostCpu::wait_irq(uint32_t mask, uint64_t timeout_ps) {
  // Synchronise first: the interrupt lines reflect the kernel's time, not our local time.
  qk_.sync();
  const uint32_t valid = mask & ((1u << irq_in.size()) - 1);
  // Cap absurd timeouts at ~100 days so the sc_time arithmetic stays exact.
  const double capped_ps = std::min<double>(double(timeout_ps), 1e19);
  const sc_time deadline = sc_time_stamp() + sc_time(capped_ps, SC_PS);
  if (valid == 0) {
    ++polls_;
    wait(deadline - sc_time_stamp());
    return 0;
  }
  ++irq_waits_;
  const sc_time start = sc_time_stamp();
  uint32_t lines = irq_levels() & valid;
  while (lines == 0 && sc_time_stamp() < deadline) {
    sc_event_or_list events;
    for (unsigned i = 0; i < irq_in.size(); ++i)
      if (valid & (1u << i)) events |= irq_in[i].posedge_event();
    wait(deadline - sc_time_stamp(), events);
    lines = irq_levels() & valid;
  }
  irq_wait_time_ += sc_time_stamp() - start;
  if (lines == 0) ++irq_timeouts_;
  return lines;
}

uint64_t HostCpu::now_ps() {
  const sc_time t = sc_time_stamp() + qk_.get_local_time();
  return static_cast<uint64_t>(std::llround(t / sc_time(1, SC_PS)));
}

bool HostCpu::dmi_copy(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, size_t bytes) {
  const auto covers = [&] {
    return dmi_valid_ && addr >= dmi_.get_start_address() && bytes > 0 &&
           addr + (bytes - 1) <= dmi_.get_end_address() &&
           (cmd == tlm::TLM_READ_COMMAND ? dmi_.is_read_allowed() : dmi_.is_write_allowed());
  };
  if (!covers()) {
    tlm::tlm_generic_payload t;
    t.set_command(cmd);
    t.set_address(addr);
    dmi_ = tlm::tlm_dmi();
    dmi_valid_ = bus_initiator_socket->get_direct_mem_ptr(t, dmi_);
    if (!covers()) return false;
  }
  uint8_t* p = dmi_.get_dmi_ptr() + (addr - dmi_.get_start_address());
  if (cmd == tlm::TLM_READ_COMMAND)
    std::memcpy(data, p, bytes);
  else
    std::memcpy(p, data, bytes);
  dmi_bytes_ += bytes;
  qk_.inc(sc_time(double(bytes) / cfg_.dmi_bytes_per_ns, SC_NS));
  if (qk_.need_sync()) qk_.sync();
  return true;
}

void HostCpu::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
  if (dmi_valid_ && start <= dmi_.get_end_address() && end >= dmi_.get_start_address()) dmi_valid_ = false;
}

void HostCpu::mem_read(uint64_t addr, void* dst, size_t bytes) {
  auto* out = static_cast<uint8_t*>(dst);
  mem_read_bytes_ += bytes;
  if (cfg_.use_dmi && dmi_copy(tlm::TLM_READ_COMMAND, addr, out, bytes)) return;
  for (size_t done = 0; done < bytes;) {
    const unsigned n = static_cast<unsigned>(std::min<size_t>(cfg_.mem_chunk_bytes, bytes - done));
    transact(tlm::TLM_READ_COMMAND, addr + done, out + done, n);
    done += n;
  }
}

void HostCpu::mem_write(uint64_t addr, const void* src, size_t bytes) {
  // The payload's data pointer is non-const by TLM's design; targets do not modify it on a write.
  auto* in = const_cast<uint8_t*>(static_cast<const uint8_t*>(src));
  mem_write_bytes_ += bytes;
  if (cfg_.use_dmi && dmi_copy(tlm::TLM_WRITE_COMMAND, addr, in, bytes)) return;
  for (size_t done = 0; done < bytes;) {
    const unsigned n = static_cast<unsigned>(std::min<size_t>(cfg_.mem_chunk_bytes, bytes - done));
    transact(tlm::TLM_WRITE_COMMAND, addr + done, in + done, n);
    done += n;
  }
}

void HostCpu::charge(uint64_t cpu_cycles) {
  charged_cycles_ += cpu_cycles;
  qk_.inc(period_ * double(cpu_cycles));
  if (qk_.need_sync()) qk_.sync();
}

void HostCpu::write_output(std::string_view name, std::string_view content) {
  if (!fw::valid_output_name(name))
    throw std::invalid_argument("write_output: bad output name '" + std::string(name) + "'");
  outputs_[std::string(name)] = std::string(content);
}

void HostCpu::print(std::string_view text) {
  console_ += text;
  if (console_sink_) console_sink_(text);
}

void HostCpu::set_phase(fw::Phase p) {
  qk_.sync();  // the traced phase changes at the firmware's time, not at the last quantum boundary
  phase.write(static_cast<uint32_t>(p));
}

void HostCpu::report_stats(StatsReport& r, const std::string& path) const {
  r.add_count(path, "mmio_reads", mmio_reads_, "", "32-bit register reads");
  r.add_count(path, "mmio_writes", mmio_writes_, "", "32-bit register writes");
  r.add_count(path, "mem_read_bytes", mem_read_bytes_, "B", "bytes read by bulk memory accesses");
  r.add_count(path, "mem_write_bytes", mem_write_bytes_, "B", "bytes written by bulk memory accesses");
  r.add_count(path, "dmi_bytes", dmi_bytes_, "B", "bulk bytes copied through DMI");
  r.add_count(path, "charged_cycles", charged_cycles_, "cycles", "host computation charged by the firmware");
  r.add_real(path, "charged_time", double(charged_cycles_) / cfg_.clock_mhz * 1e-6, "s",
             "charged cycles at the CPU clock");
  r.add_count(path, "irq_waits", irq_waits_, "", "waits for an interrupt");
  r.add_count(path, "irq_timeouts", irq_timeouts_, "", "interrupt waits that ended by timeout");
  r.add_count(path, "polls", polls_, "", "timed waits without an interrupt (polling delays)");
  r.add_real(path, "irq_wait_time", irq_wait_time_.to_seconds(), "s", "simulated time spent waiting for interrupts");
  r.add_count(path, "bus_errors", bus_errors_, "", "transactions answered with an error response");
  r.add_real(path, "firmware_end_time", finish_time_.to_seconds(), "s", "simulated time the firmware returned");
  r.add(path, "firmware_exit_code", StatsReport::Value{int64_t{exit_code_}}, "", "firmware return value (-1: exception)");
}

void HostCpu::trace(sc_trace_file* tf) const {
  // The interrupt lines belong to the board's "irq" trace group (platform/soc.cpp), not to the CPU's.
  sc_core::sc_trace(tf, phase, std::string(name()) + ".phase");
  sc_core::sc_trace(tf, drift_flag, std::string(name()) + ".drift_flag");
  sc_core::sc_trace(tf, running_accuracy, std::string(name()) + ".running_accuracy");
}

}  // namespace dacapo::cpu
