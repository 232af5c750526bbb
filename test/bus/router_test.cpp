// Router model tests: stimulus initiators and memory targets bound through real sockets; checks data, addresses
// seen by the targets, error responses, timing and DMI translation. One design per process (one TEST_CASE each).
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/bus/router.h"

using namespace sc_core;
using dacapo::bus::BusConfig;
using dacapo::bus::Router;

namespace {

// A memory target that records the local addresses it sees and grants DMI over all of itself.
struct Memory : sc_module {
  tlm_utils::simple_target_socket<Memory> socket;
  std::vector<uint8_t> data;
  std::vector<uint64_t> seen;
  bool grant_dmi = true;
  sc_time latency;
  Memory(sc_module_name n, size_t bytes, sc_time lat = SC_ZERO_TIME) : sc_module(n), socket("socket"), data(bytes), latency(lat) {
    socket.register_b_transport(this, &Memory::b_transport);
    socket.register_get_direct_mem_ptr(this, &Memory::get_dmi);
    socket.register_transport_dbg(this, &Memory::dbg);
  }
  void b_transport(tlm::tlm_generic_payload& t, sc_time& delay) {
    seen.push_back(t.get_address());
    if (t.get_address() + t.get_data_length() > data.size()) {
      t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    if (t.is_write())
      std::memcpy(&data[t.get_address()], t.get_data_ptr(), t.get_data_length());
    else
      std::memcpy(t.get_data_ptr(), &data[t.get_address()], t.get_data_length());
    delay += latency;
    t.set_dmi_allowed(grant_dmi);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  bool get_dmi(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
    dmi.set_dmi_ptr(data.data());
    dmi.set_start_address(0);
    dmi.set_end_address(data.size() - 1);
    dmi.allow_read_write();
    return grant_dmi;
  }
  unsigned dbg(tlm::tlm_generic_payload& t) {
    seen.push_back(t.get_address());
    std::memcpy(t.get_data_ptr(), &data[t.get_address()], t.get_data_length());
    return t.get_data_length();
  }
};

struct Initiator : sc_module {
  tlm_utils::simple_initiator_socket<Initiator> socket;
  std::vector<std::pair<sc_dt::uint64, sc_dt::uint64>> invalidations;
  explicit Initiator(sc_module_name n) : sc_module(n), socket("socket") {
    socket.register_invalidate_direct_mem_ptr(this, &Initiator::invalidate);
  }
  void invalidate(sc_dt::uint64 s, sc_dt::uint64 e) { invalidations.emplace_back(s, e); }
  tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t addr, void* buf, unsigned len, sc_time& delay) {
    tlm::tlm_generic_payload t;
    t.set_command(cmd);
    t.set_address(addr);
    t.set_data_ptr(static_cast<unsigned char*>(buf));
    t.set_data_length(len);
    t.set_streaming_width(len);
    t.set_byte_enable_ptr(nullptr);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    socket->b_transport(t, delay);
    CHECK(t.get_address() == addr);  // restored by the router
    return t.get_response_status();
  }
};

struct Board : sc_module {
  Initiator cpu{"cpu"}, dma{"dma"};
  Router bus;
  Memory csr{"csr", 0x100, sc_time(5, SC_NS)}, dram{"dram", 0x10000, sc_time(50, SC_NS)};
  explicit Board(BusConfig cfg = {})
      : sc_module("board"), bus("bus", cfg, {{"csr", 0x1000'0000, 0x100}, {"dram", 0x8000'0000, 0x10000}}) {
    cpu.socket.bind(bus.target_socket);
    dma.socket.bind(bus.target_socket);
    bus.initiator_socket.bind(csr.socket);
    bus.initiator_socket.bind(dram.socket);
  }
};

}  // namespace

TEST_CASE("router translates addresses and moves data for several initiators") {
  Board b;
  sc_start(SC_ZERO_TIME);
  sc_time d = SC_ZERO_TIME;
  uint32_t v = 0xCAFEF00D, r = 0;
  CHECK(b.cpu.access(tlm::TLM_WRITE_COMMAND, 0x1000'0010, &v, 4, d) == tlm::TLM_OK_RESPONSE);
  CHECK(b.dma.access(tlm::TLM_READ_COMMAND, 0x1000'0010, &r, 4, d) == tlm::TLM_OK_RESPONSE);
  CHECK(r == 0xCAFEF00D);
  uint8_t buf[64];
  for (int i = 0; i < 64; ++i) buf[i] = uint8_t(i);
  CHECK(b.dma.access(tlm::TLM_WRITE_COMMAND, 0x8000'ff00, buf, 64, d) == tlm::TLM_OK_RESPONSE);
  CHECK(b.dram.data[0xff00 + 63] == 63);
  CHECK(b.csr.seen == std::vector<uint64_t>{0x10, 0x10});
  CHECK(b.dram.seen == std::vector<uint64_t>{0xff00});
  dacapo::StatsReport report;
  b.bus.report_stats(report, "soc.bus");
  CHECK(*report.find("soc.bus.csr", "writes") == 1);
  CHECK(*report.find("soc.bus.dram", "write_bytes") == 64);
}

TEST_CASE("router adds its latency to the target's") {
  BusConfig cfg;
  cfg.latency_ns = 3.0;
  Board b(cfg);
  sc_start(SC_ZERO_TIME);
  sc_time d = sc_time(1, SC_NS);
  uint32_t v = 0;
  b.cpu.access(tlm::TLM_READ_COMMAND, 0x8000'0000, &v, 4, d);
  CHECK(d == sc_time(1 + 3 + 50, SC_NS));
}

TEST_CASE("unmapped and straddling accesses get an address error and reach no target") {
  Board b;
  sc_start(SC_ZERO_TIME);
  sc_time d = SC_ZERO_TIME;
  uint8_t buf[8] = {};
  CHECK(b.cpu.access(tlm::TLM_READ_COMMAND, 0x2000'0000, buf, 4, d) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(b.cpu.access(tlm::TLM_WRITE_COMMAND, 0x1000'00fc, buf, 8, d) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(b.csr.seen.empty());
  CHECK(b.dram.seen.empty());
  dacapo::StatsReport report;
  b.bus.report_stats(report, "soc.bus");
  CHECK(*report.find("soc.bus", "decode_errors") == 2);
}

TEST_CASE("DMI ranges are translated to bus addresses and invalidations reach every initiator") {
  Board b;
  sc_start(SC_ZERO_TIME);
  tlm::tlm_generic_payload t;
  t.set_address(0x8000'1234);
  t.set_command(tlm::TLM_READ_COMMAND);
  tlm::tlm_dmi dmi;
  REQUIRE(b.cpu.socket->get_direct_mem_ptr(t, dmi));
  CHECK(dmi.get_start_address() == 0x8000'0000);
  CHECK(dmi.get_end_address() == 0x8000'ffff);
  CHECK(t.get_address() == 0x8000'1234);
  // The pointer is the target's storage at local offset 0 = bus address 0x8000'0000.
  dmi.get_dmi_ptr()[0x1234] = 0x5A;
  CHECK(b.dram.data[0x1234] == 0x5A);
  b.dram.socket->invalidate_direct_mem_ptr(0x100, 0x1ff);
  REQUIRE(b.cpu.invalidations.size() == 1);
  REQUIRE(b.dma.invalidations.size() == 1);
  CHECK(b.cpu.invalidations[0] == std::make_pair<sc_dt::uint64, sc_dt::uint64>(0x8000'0100, 0x8000'01ff));
  // An unmapped address is denied.
  t.set_address(0x4000'0000);
  CHECK_FALSE(b.cpu.socket->get_direct_mem_ptr(t, dmi));
}

TEST_CASE("debug transport is translated") {
  Board b;
  sc_start(SC_ZERO_TIME);
  b.dram.data[0x40] = 0x77;
  uint8_t v = 0;
  tlm::tlm_generic_payload t;
  t.set_command(tlm::TLM_READ_COMMAND);
  t.set_address(0x8000'0040);
  t.set_data_ptr(&v);
  t.set_data_length(1);
  CHECK(b.cpu.socket->transport_dbg(t) == 1);
  CHECK(v == 0x77);
  CHECK(b.dram.seen == std::vector<uint64_t>{0x40});
  t.set_address(0x10);
  CHECK(b.cpu.socket->transport_dbg(t) == 0);
  CHECK(t.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
}
