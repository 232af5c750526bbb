#include "models/dacapo/memif.h"

namespace dacapo::acc {

using namespace sc_core;

Memif::Memif(sc_module_name name)
    : sc_module(name), sa_socket("sa_socket"), dram_initiator_socket("dram_initiator_socket"),
      channel_busy("channel_busy", 2) {
  SC_HAS_PROCESS(Memif);
  sa_socket.register_b_transport(this, &Memif::b_transport);
  SC_METHOD(end_busy_top);
  sensitive << busy_end_event_[0];
  dont_initialize();
  SC_METHOD(end_busy_bottom);
  sensitive << busy_end_event_[1];
  dont_initialize();
}

void Memif::b_transport(int channel, tlm::tlm_generic_payload& trans, sc_time& delay) {
  const unsigned ch = static_cast<unsigned>(channel) & 1u;
  dram_initiator_socket->b_transport(trans, delay);
  Counters& c = counters_[ch];
  if (!trans.is_response_ok()) {
    ++c.errors;
    return;
  }
  if (trans.is_read()) {
    ++c.reads;
    c.read_bytes += trans.get_data_length();
  } else {
    ++c.writes;
    c.write_bytes += trans.get_data_length();
  }
  const sc_time done = sc_time_stamp() + delay;
  if (done > busy_until_[ch]) {
    busy_until_[ch] = done;
    busy_end_event_[ch].notify(SC_ZERO_TIME);
  }
}

// One writer per trace signal: busy from a burst's issue until the channel's last completion.
void Memif::end_busy(unsigned ch) {
  const bool busy = sc_time_stamp() < busy_until_[ch];
  channel_busy[ch].write(busy);
  if (busy) next_trigger(busy_until_[ch] - sc_time_stamp());
}

void Memif::trace(sc_trace_file* tf) const {
  const std::string p = name();
  sc_core::sc_trace(tf, channel_busy[0], p + ".dma_busy_top");
  sc_core::sc_trace(tf, channel_busy[1], p + ".dma_busy_bottom");
}

void Memif::report_stats(StatsReport& r, const std::string& path) const {
  static const char* names[2] = {"top", "bottom"};
  for (unsigned ch = 0; ch < 2; ++ch) {
    const Counters& c = counters_[ch];
    const std::string p = path + "." + names[ch];
    r.add_count(p, "read_transactions", c.reads, "", "DRAM read bursts issued by this SA's DMA channel");
    r.add_count(p, "write_transactions", c.writes, "", "DRAM write bursts issued by this SA's DMA channel");
    r.add_count(p, "read_bytes", c.read_bytes, "B", "bytes read from DRAM (operands, descriptors)");
    r.add_count(p, "write_bytes", c.write_bytes, "B", "bytes written to DRAM (results, descriptor write-back)");
    r.add_count(p, "error_responses", c.errors, "", "bursts answered with a TLM error");
  }
}

}  // namespace dacapo::acc
