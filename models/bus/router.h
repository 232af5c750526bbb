// The SoC bus: a loosely-timed TLM-2.0 router (DESIGN.md §1).
//
//   target_socket     ← any number of initiators (host CPU, accelerator DMA, camera), bound in any order
//   initiator_socket  → the targets; binding i serves window i of the address map given to the constructor
//
// Targets see window-local offsets: the router subtracts the window base before forwarding and restores the
// address afterwards. A request that does not lie entirely inside one window gets TLM_ADDRESS_ERROR_RESPONSE and
// reaches no target. DMI requests are forwarded with the local address; granted ranges are translated back to
// bus addresses and clipped to the window, and invalidations from a target are translated and broadcast to every
// initiator. Debug transport is translated the same way. Each forwarded transaction costs `latency_ns`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "models/bus/address_decoder.h"
#include "models/common/stats.h"

namespace dacapo::bus {

struct BusConfig {
  double latency_ns = 2.0;  // decode + arbitration per transaction (an estimate: a few interconnect cycles)

  template <class V>
  void visit_params(V& v) {
    v("latency_ns", latency_ns, "ns", "delay the router adds to every forwarded transaction (estimate)");
  }
  void validate() const;
};

class Router : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<Router> target_socket;
  tlm_utils::multi_passthrough_initiator_socket<Router> initiator_socket;

  // Throws std::invalid_argument on overlapping windows. Bind initiator_socket once per window, in map order.
  Router(const sc_core::sc_module_name& name, const BusConfig& cfg, std::vector<AddressRange> map);

  void report_stats(StatsReport& report, const std::string& path) const;

 private:
  void b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  unsigned transport_dbg(int id, tlm::tlm_generic_payload& trans);
  void invalidate_direct_mem_ptr(int id, sc_dt::uint64 start, sc_dt::uint64 end);
  void end_of_elaboration() override;

  struct Counters {
    uint64_t reads = 0, writes = 0, read_bytes = 0, write_bytes = 0, errors = 0;
  };

  const BusConfig cfg_;
  const AddressDecoder decoder_;
  const sc_core::sc_time latency_;
  std::vector<Counters> per_target_;
  uint64_t decode_errors_ = 0;
  uint64_t dmi_grants_ = 0;
};

}  // namespace dacapo::bus
