// The LPDDR5 TLM target through its socket: data, timing annotation, contention, errors, DMI, trace output.
// Each TEST_CASE elaborates its own design and runs sc_start once (one process per case).
#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <random>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/dram/dram.h"
#include "models/dram/stl_trace.h"

using namespace sc_core;
using namespace dacapo::dram;

namespace {

// A test initiator: runs `body` in an SC_THREAD with helpers for timed reads and writes.
struct Initiator : sc_module {
  tlm_utils::simple_initiator_socket<Initiator> socket;
  std::function<void(Initiator&)> body;

  Initiator(const sc_module_name& name, std::function<void(Initiator&)> b) : sc_module(name), socket("socket"), body(std::move(b)) {
    SC_HAS_PROCESS(Initiator);
    SC_THREAD(run);
  }
  void run() { body(*this); }

  // Issues one transaction; waits for the annotated delay (no temporal decoupling). Returns the response.
  tlm::tlm_response_status transfer(tlm::tlm_command cmd, uint64_t address, uint8_t* data, unsigned length,
                                    sc_time* took = nullptr) {
    tlm::tlm_generic_payload trans;
    trans.set_command(cmd);
    trans.set_address(address);
    trans.set_data_ptr(data);
    trans.set_data_length(length);
    trans.set_streaming_width(length);
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = SC_ZERO_TIME;
    socket->b_transport(trans, delay);
    if (took) *took = delay;
    wait(delay);
    return trans.get_response_status();
  }
};

// Two initiators on one target socket need an interconnect; this one forwards unchanged (arbitration is the
// DRAM's: requests queue in arrival order there).
struct Joiner : sc_module {
  tlm_utils::multi_passthrough_target_socket<Joiner> in;
  tlm_utils::simple_initiator_socket<Joiner> out;
  explicit Joiner(const sc_module_name& name) : sc_module(name), in("in"), out("out") {
    in.register_b_transport(this, &Joiner::b_transport);
  }
  void b_transport(int, tlm::tlm_generic_payload& trans, sc_time& delay) { out->b_transport(trans, delay); }
};

DramConfig small_config(uint32_t channels, RefreshMode refresh = RefreshMode::AllBank) {
  DramConfig c;
  c.channels = channels;
  c.refresh = refresh;
  return c;
}

}  // namespace

TEST_CASE("writes then reads through the TLM socket return the data") {
  Lpddr5 dram("dram", small_config(16));
  bool checked = false;
  Initiator cpu("cpu", [&](Initiator& self) {
    std::mt19937 rng(11);
    std::vector<std::pair<uint64_t, std::vector<uint8_t>>> written;
    for (int i = 0; i < 40; ++i) {
      const uint64_t address = rng() % (uint64_t{1} << 33);  // odd addresses and lengths, across channels
      std::vector<uint8_t> data(1 + rng() % 700);
      for (auto& b : data) b = static_cast<uint8_t>(rng());
      REQUIRE(self.transfer(tlm::TLM_WRITE_COMMAND, address, data.data(), unsigned(data.size())) == tlm::TLM_OK_RESPONSE);
      written.emplace_back(address, data);
    }
    for (const auto& [address, data] : written) {
      std::vector<uint8_t> back(data.size(), 0xee);
      sc_time took;
      REQUIRE(self.transfer(tlm::TLM_READ_COMMAND, address, back.data(), unsigned(back.size()), &took) == tlm::TLM_OK_RESPONSE);
      CHECK(took > SC_ZERO_TIME);
      CHECK(back == data);
    }
    // Memory nobody wrote reads as zeros.
    uint8_t fresh[16];
    REQUIRE(self.transfer(tlm::TLM_READ_COMMAND, (uint64_t{1} << 34) + 12345, fresh, 16) == tlm::TLM_OK_RESPONSE);
    for (uint8_t b : fresh) CHECK(b == 0);
    checked = true;
  });
  cpu.socket.bind(dram.target_socket);
  sc_start();
  CHECK(checked);
  // Sparse backing: only touched 64 KiB pages exist.
  CHECK(dram.backing_pages() <= 80);
  CHECK(dram.summary().requests == 81);
}

TEST_CASE("TLM delay of an unloaded read is the row-miss latency") {
  Lpddr5 dram("dram", small_config(1, RefreshMode::Off));
  sc_time miss, hit;
  Initiator cpu("cpu", [&](Initiator& self) {
    wait(sc_time(100, SC_NS));  // on a CK edge (80 cycles)
    uint8_t line[64];
    self.transfer(tlm::TLM_READ_COMMAND, 0, line, 64, &miss);
    wait(sc_time(1, SC_US));
    self.transfer(tlm::TLM_READ_COMMAND, 0, line, 64, &hit);
  });
  cpu.socket.bind(dram.target_socket);
  sc_start();
  CHECK(miss == sc_time((15 + 4 + 17 + 2) * 1.25, SC_NS));  // tRCD + tCCD_L + RL + burst
  CHECK(hit == sc_time((4 + 17 + 2) * 1.25, SC_NS));        // tCCD_L + RL + burst
}

TEST_CASE("two initiators sharing a channel each get about half the bandwidth") {
  Lpddr5 dram("dram", small_config(1));
  const sc_time window(200, SC_US);
  uint64_t bytes[2] = {0, 0};
  auto streamer = [&](int id) {
    return [&, id](Initiator& self) {
      std::vector<uint8_t> buffer(4096);
      uint64_t address = uint64_t(id) << 28;  // separate regions, same channel (only one)
      while (sc_time_stamp() < window) {
        REQUIRE(self.transfer(tlm::TLM_READ_COMMAND, address, buffer.data(), 4096) == tlm::TLM_OK_RESPONSE);
        bytes[id] += 4096;
        address += 4096;
      }
    };
  };
  Initiator a("a", streamer(0)), b("b", streamer(1));
  Joiner joiner("joiner");
  a.socket.bind(joiner.in);
  b.socket.bind(joiner.in);
  joiner.out.bind(dram.target_socket);
  sc_start();
  const double peak_bytes = 12.8e9 * window.to_seconds();
  INFO("a " << bytes[0] << " b " << bytes[1] << " peak " << peak_bytes);
  CHECK(double(bytes[0]) / double(bytes[1]) == Approx(1.0).margin(0.1));
  CHECK(double(bytes[0]) < 0.55 * peak_bytes);
  CHECK(double(bytes[1]) < 0.55 * peak_bytes);
  CHECK(double(bytes[0] + bytes[1]) > 0.75 * peak_bytes);  // together they still stream near the peak
}

TEST_CASE("out-of-range and zero-length requests get TLM error responses") {
  const DramConfig cfg = small_config(2);
  Lpddr5 dram("dram", cfg);
  tlm::tlm_response_status past_end = tlm::TLM_INCOMPLETE_RESPONSE, straddle = past_end, zero = past_end,
                           ok = past_end;
  Initiator cpu("cpu", [&](Initiator& self) {
    uint8_t data[8] = {};
    past_end = self.transfer(tlm::TLM_READ_COMMAND, cfg.capacity_bytes(), data, 8);
    straddle = self.transfer(tlm::TLM_WRITE_COMMAND, cfg.capacity_bytes() - 4, data, 8);
    zero = self.transfer(tlm::TLM_READ_COMMAND, 0, data, 0);
    ok = self.transfer(tlm::TLM_READ_COMMAND, cfg.capacity_bytes() - 8, data, 8);
  });
  cpu.socket.bind(dram.target_socket);
  sc_start();
  CHECK(past_end == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(straddle == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(zero == tlm::TLM_GENERIC_ERROR_RESPONSE);
  CHECK(ok == tlm::TLM_OK_RESPONSE);
  CHECK(dram.summary().requests == 1);  // rejected requests never reach the scheduler
}

TEST_CASE("DMI grants a page that shares data with b_transport") {
  Lpddr5 dram("dram", small_config(16));
  bool granted = false;
  Initiator cpu("cpu", [&](Initiator& self) {
    uint8_t data[4] = {1, 2, 3, 4};
    self.transfer(tlm::TLM_WRITE_COMMAND, 0x12340, data, 4);
    tlm::tlm_generic_payload trans;
    trans.set_address(0x12340);
    trans.set_command(tlm::TLM_READ_COMMAND);
    tlm::tlm_dmi dmi;
    granted = self.socket->get_direct_mem_ptr(trans, dmi);
    REQUIRE(granted);
    REQUIRE(dmi.get_start_address() <= 0x12340);
    REQUIRE(dmi.get_end_address() >= 0x12343);
    uint8_t* p = dmi.get_dmi_ptr() + (0x12340 - dmi.get_start_address());
    CHECK(p[0] == 1);
    CHECK(p[3] == 4);
    p[1] = 99;  // write through DMI, read back through b_transport
    uint8_t back[4];
    self.transfer(tlm::TLM_READ_COMMAND, 0x12340, back, 4);
    CHECK(back[1] == 99);
  });
  cpu.socket.bind(dram.target_socket);
  sc_start();
  CHECK(granted);
}

TEST_CASE("the traffic of a run is written as an stl trace") {
  DramConfig cfg = small_config(4);
  cfg.trace_out = std::string(DACAPO_TEST_TMP_DIR) + "/tlm_run.stl";
  std::remove(cfg.trace_out.c_str());
  Lpddr5 dram("dram", cfg);
  Initiator cpu("cpu", [&](Initiator& self) {
    uint8_t data[100] = {};
    self.transfer(tlm::TLM_WRITE_COMMAND, 0x1000, data, 100);
    self.transfer(tlm::TLM_READ_COMMAND, 0x1000, data, 100);
    sc_stop();
  });
  cpu.socket.bind(dram.target_socket);
  sc_start();
  const auto records = read_stl_file(cfg.trace_out, 32);
  REQUIRE(records.size() == 2);
  CHECK(records[0].write);
  CHECK(records[0].length == 100);
  CHECK(records[1].address == 0x1000);
  CHECK(records[1].cycle > records[0].cycle);
}

TEST_CASE("channel busy signals rise with traffic and fall when it is done") {
  Lpddr5 dram("dram", small_config(2));
  bool busy_during = false, busy_after = true;
  Initiator cpu("cpu", [&](Initiator& self) {
    uint8_t data[64];
    tlm::tlm_generic_payload trans;
    trans.set_command(tlm::TLM_READ_COMMAND);
    trans.set_address(0);
    trans.set_data_ptr(data);
    trans.set_data_length(64);
    trans.set_streaming_width(64);
    sc_time delay = SC_ZERO_TIME;
    self.socket->b_transport(trans, delay);
    wait(sc_time(1, SC_NS));  // the data is in flight for tens of ns
    busy_during = dram.channel_busy[0].read();
    wait(delay + sc_time(1, SC_NS));
    busy_after = dram.channel_busy[0].read();
  });
  cpu.socket.bind(dram.target_socket);
  sc_start();
  CHECK(busy_during);
  CHECK_FALSE(busy_after);
}
