#include "models/dram/dram.h"

#include <cmath>

namespace dacapo::dram {
namespace {

int64_t to_ps(const sc_core::sc_time& t) { return std::llround(t.to_seconds() * 1e12); }

// With the (default) 1 ps time resolution an sc_time's value is its picosecond count: integer arithmetic then
// gives exactly what the double conversions above give (they are exact below ~2^51 ps), only faster.
bool resolution_is_ps() { return sc_core::sc_get_time_resolution() == sc_core::sc_time(1, sc_core::SC_PS); }

}  // namespace

Lpddr5::Lpddr5(const sc_core::sc_module_name& name, const DramConfig& config)
    : sc_module(name),
      target_socket("target_socket"),
      channel_busy("channel_busy", config.channels),
      channel_open_banks("channel_open_banks", config.channels),
      config_(config),
      scheduler_(config),
      busy_until_ps_(config.channels, 0),
      open_banks_(config.channels, 0) {
  target_socket.register_b_transport(this, &Lpddr5::b_transport);
  target_socket.register_get_direct_mem_ptr(this, &Lpddr5::get_direct_mem_ptr);
  target_socket.register_transport_dbg(this, &Lpddr5::transport_dbg);
  SC_HAS_PROCESS(Lpddr5);
  SC_METHOD(update_signals);
  sensitive << signal_update_;
  dont_initialize();
}

bool Lpddr5::accept(tlm::tlm_generic_payload& trans, bool timed) {
  const tlm::tlm_command cmd = trans.get_command();
  if (cmd != tlm::TLM_READ_COMMAND && cmd != tlm::TLM_WRITE_COMMAND) {
    trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return false;
  }
  if (trans.get_data_length() == 0 || trans.get_data_ptr() == nullptr) {
    trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return false;
  }
  if (!scheduler_.acceptable(trans.get_address(), trans.get_data_length())) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  if (timed && trans.get_streaming_width() != 0 && trans.get_streaming_width() < trans.get_data_length()) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  if (trans.get_byte_enable_ptr() != nullptr && trans.get_byte_enable_length() == 0) {
    trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return false;
  }
  return true;
}

void Lpddr5::copy_data(tlm::tlm_generic_payload& trans) {
  const uint64_t address = trans.get_address();
  const uint64_t length = trans.get_data_length();
  uint8_t* data = trans.get_data_ptr();
  const uint8_t* enables = trans.get_byte_enable_ptr();
  if (trans.is_read()) {
    store_.read(address, data, length);
  } else if (enables == nullptr) {
    store_.write(address, data, length);
  } else {
    // Masked write: only bytes whose enable is 0xff are written.
    const unsigned be_length = trans.get_byte_enable_length();
    for (uint64_t i = 0; i < length; ++i)
      if (enables[i % be_length] == TLM_BYTE_ENABLED) store_.write(address + i, data + i, 1);
  }
}

void Lpddr5::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (!accept(trans, true)) return;
  copy_data(trans);

  if (ps_resolution_ < 0) ps_resolution_ = resolution_is_ps() ? 1 : 0;
  const sc_core::sc_time& now = sc_core::sc_time_stamp();
  const int64_t now_ps = ps_resolution_ ? static_cast<int64_t>(now.value()) : to_ps(now);
  const int64_t arrival_ps = now_ps + (ps_resolution_ ? static_cast<int64_t>(delay.value()) : to_ps(delay));
  const int64_t tck = config_.tck_ps;
  const int64_t arrival_cycle = (arrival_ps + tck - 1) / tck;
  const int64_t done_cycle = scheduler_.access(
      Request{trans.get_address(), trans.get_data_length(), trans.is_write(), arrival_cycle});
  const int64_t done_ps = std::max(arrival_ps, done_cycle * tck);
  delay = ps_resolution_ ? sc_core::sc_time::from_value(static_cast<sc_dt::uint64>(done_ps - now_ps))
                         : sc_core::sc_time(static_cast<double>(done_ps - now_ps), sc_core::SC_PS);

  // Trace signals: busy from now until the data is done, at request granularity.
  // The signals are written only by update_signals (one driver), in the next delta cycle.
  if (config_.channels <= 64) {
    for (const uint32_t c : scheduler_.touched_channels()) {
      busy_until_ps_[c] = std::max(busy_until_ps_[c], done_ps);
      open_banks_[c] = scheduler_.open_banks(c);
    }
  } else {  // channel_mask() marks every channel beyond the 64th as touched
    const uint64_t mask = scheduler_.channel_mask(trans.get_address(), trans.get_data_length());
    for (uint32_t c = 0; c < config_.channels; ++c) {
      if (c < 64 && !(mask >> c & 1)) continue;
      busy_until_ps_[c] = std::max(busy_until_ps_[c], done_ps);
      open_banks_[c] = scheduler_.open_banks(c);
    }
  }
  signal_update_.notify(sc_core::SC_ZERO_TIME);
  trans.set_dmi_allowed(config_.dmi);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void Lpddr5::update_signals() {
  const int64_t now_ps = to_ps(sc_core::sc_time_stamp());
  int64_t next = -1;
  for (uint32_t c = 0; c < config_.channels; ++c) {
    const bool busy = busy_until_ps_[c] > now_ps;
    if (channel_busy[c].read() != busy) channel_busy[c].write(busy);
    if (channel_open_banks[c].read() != open_banks_[c]) channel_open_banks[c].write(open_banks_[c]);
    if (busy && (next < 0 || busy_until_ps_[c] < next)) next = busy_until_ps_[c];
  }
  if (next >= 0) signal_update_.notify(sc_core::sc_time(static_cast<double>(next - now_ps), sc_core::SC_PS));
}

bool Lpddr5::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  const uint64_t address = trans.get_address();
  if (!config_.dmi || address >= config_.capacity_bytes()) return false;
  // One backing page per grant: pages are allocated on touch, so a contiguous pointer exists only per page.
  const uint64_t base = address / BackingStore::kPageBytes * BackingStore::kPageBytes;
  dmi.set_dmi_ptr(store_.page(address));
  dmi.set_start_address(base);
  dmi.set_end_address(std::min(base + BackingStore::kPageBytes, config_.capacity_bytes()) - 1);
  dmi.allow_read_write();
  // DMI is untimed (functional access only, see dram.h).
  dmi.set_read_latency(sc_core::SC_ZERO_TIME);
  dmi.set_write_latency(sc_core::SC_ZERO_TIME);
  return true;
}

unsigned Lpddr5::transport_dbg(tlm::tlm_generic_payload& trans) {
  if (!accept(trans, false)) return 0;
  copy_data(trans);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  return trans.get_data_length();
}

void Lpddr5::write_trace() {
  if (trace_written_) return;
  trace_written_ = true;
  scheduler_.write_trace();
}

void Lpddr5::end_of_simulation() { write_trace(); }

}  // namespace dacapo::dram
