#include "models/bus/router.h"

#include <algorithm>

#include "models/common/params.h"

namespace dacapo::bus {

void BusConfig::validate() const {
  if (!(latency_ns >= 0.0)) throw ParamError("bus: latency_ns must be >= 0");
}

Router::Router(const sc_core::sc_module_name& name, const BusConfig& cfg, std::vector<AddressRange> map)
    : sc_module(name),
      target_socket("target_socket"),
      initiator_socket("initiator_socket"),
      cfg_(cfg),
      decoder_(std::move(map)),
      latency_(sc_core::sc_time(cfg.latency_ns, sc_core::SC_NS)),
      per_target_(decoder_.ranges().size()) {
  target_socket.register_b_transport(this, &Router::b_transport);
  target_socket.register_get_direct_mem_ptr(this, &Router::get_direct_mem_ptr);
  target_socket.register_transport_dbg(this, &Router::transport_dbg);
  initiator_socket.register_invalidate_direct_mem_ptr(this, &Router::invalidate_direct_mem_ptr);
}

void Router::end_of_elaboration() {
  if (static_cast<size_t>(initiator_socket.size()) != decoder_.ranges().size())
    SC_REPORT_ERROR(name(), "initiator_socket bindings must match the address map (one per window)");
}

void Router::b_transport(int, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t addr = trans.get_address();
  const auto hit = decoder_.decode(addr, trans.get_data_length());
  delay += latency_;
  if (!hit) {
    ++decode_errors_;
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  Counters& c = per_target_[hit->target];
  if (trans.is_write()) {
    ++c.writes;
    c.write_bytes += trans.get_data_length();
  } else if (trans.is_read()) {
    ++c.reads;
    c.read_bytes += trans.get_data_length();
  }
  trans.set_address(hit->offset);
  initiator_socket[static_cast<int>(hit->target)]->b_transport(trans, delay);
  trans.set_address(addr);
  if (trans.is_response_error()) ++c.errors;
}

bool Router::get_direct_mem_ptr(int, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  const uint64_t addr = trans.get_address();
  const auto hit = decoder_.decode(addr, 1);
  if (!hit) {
    // Deny DMI for the hole around addr: the whole address space is the safe answer for an unmapped address.
    dmi.set_start_address(0);
    dmi.set_end_address(~sc_dt::uint64(0));
    return false;
  }
  const AddressRange& r = decoder_.ranges()[hit->target];
  trans.set_address(hit->offset);
  const bool granted = initiator_socket[static_cast<int>(hit->target)]->get_direct_mem_ptr(trans, dmi);
  trans.set_address(addr);
  // Translate the (granted or denied) local range back to bus addresses, clipped to the window.
  const sc_dt::uint64 start = std::min<sc_dt::uint64>(dmi.get_start_address(), r.size - 1);
  const sc_dt::uint64 end = std::min<sc_dt::uint64>(dmi.get_end_address(), r.size - 1);
  dmi.set_start_address(r.base + start);
  dmi.set_end_address(r.base + end);
  if (granted) ++dmi_grants_;
  return granted;
}

unsigned Router::transport_dbg(int, tlm::tlm_generic_payload& trans) {
  const uint64_t addr = trans.get_address();
  const auto hit = decoder_.decode(addr, trans.get_data_length());
  if (!hit) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return 0;
  }
  trans.set_address(hit->offset);
  const unsigned n = initiator_socket[static_cast<int>(hit->target)]->transport_dbg(trans);
  trans.set_address(addr);
  return n;
}

void Router::invalidate_direct_mem_ptr(int id, sc_dt::uint64 start, sc_dt::uint64 end) {
  const AddressRange& r = decoder_.ranges()[static_cast<size_t>(id)];
  const sc_dt::uint64 lo = r.base + std::min<sc_dt::uint64>(start, r.size - 1);
  const sc_dt::uint64 hi = r.base + std::min<sc_dt::uint64>(end, r.size - 1);
  for (int i = 0; i < static_cast<int>(target_socket.size()); ++i) target_socket[i]->invalidate_direct_mem_ptr(lo, hi);
}

void Router::report_stats(StatsReport& report, const std::string& path) const {
  report.add_count(path, "decode_errors", decode_errors_, "",
                   "transactions to unmapped addresses (TLM_ADDRESS_ERROR_RESPONSE)");
  report.add_count(path, "dmi_grants", dmi_grants_, "", "DMI requests granted by a target");
  for (size_t i = 0; i < per_target_.size(); ++i) {
    const Counters& c = per_target_[i];
    const std::string p = path + "." + decoder_.ranges()[i].name;
    report.add_count(p, "reads", c.reads, "", "read transactions forwarded to this window");
    report.add_count(p, "writes", c.writes, "", "write transactions forwarded to this window");
    report.add_count(p, "read_bytes", c.read_bytes, "B", "bytes read through this window");
    report.add_count(p, "write_bytes", c.write_bytes, "B", "bytes written through this window");
    report.add_count(p, "error_responses", c.errors, "", "transactions the target answered with an error");
  }
}

}  // namespace dacapo::bus
