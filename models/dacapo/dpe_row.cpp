#include "models/dacapo/dpe_row.h"

#include <string>

namespace dacapo::acc {

using namespace sc_core;

DpeRow::DpeRow(sc_module_name name, unsigned index)
    : sc_module(name),
      work_socket("work_socket"),
      partition_in("partition_in"),
      top_precision_in("top_precision_in"),
      bottom_precision_in("bottom_precision_in"),
      top_busy_rows_in("top_busy_rows_in"),
      bottom_busy_rows_in("bottom_busy_rows_in"),
      owner("owner"),
      busy("busy"),
      precision("precision"),
      index_(index) {
  SC_HAS_PROCESS(DpeRow);
  work_socket.register_b_transport(this, &DpeRow::b_transport);
  SC_METHOD(update);
  sensitive << partition_in << top_precision_in << bottom_precision_in << top_busy_rows_in << bottom_busy_rows_in;
}

void DpeRow::update() {
  const unsigned o = owner_of(partition_in.read());
  owner.write(o);
  precision.write(o == 0 ? top_precision_in.read() : bottom_precision_in.read());
  const uint32_t mask = o == 0 ? top_busy_rows_in.read() : bottom_busy_rows_in.read();
  busy.write(((mask >> index_) & 1u) != 0);
}

void DpeRow::b_transport(int from, tlm::tlm_generic_payload& trans, sc_time&) {
  auto* work = reinterpret_cast<RowWork*>(trans.get_data_ptr());
  if (!work || trans.get_data_length() != sizeof(RowWork) || static_cast<unsigned>(from) != work->sa ||
      owner_of(partition_in.read()) != work->sa) {
    trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  for (uint32_t c = 0; c < work->cols; ++c)
    work->acc[c] = mx::dot(work->a + uint64_t(c) * work->blocks, work->b, work->blocks, work->acc[c]);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void DpeRow::trace(sc_trace_file* tf) const {
  const std::string p = name();
  sc_core::sc_trace(tf, owner, p + ".owner");
  sc_core::sc_trace(tf, busy, p + ".busy");
  sc_core::sc_trace(tf, precision, p + ".precision");
}

}  // namespace dacapo::acc
