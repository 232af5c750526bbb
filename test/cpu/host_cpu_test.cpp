// Host CPU model tests: the firmware is a lambda driving the Hal; a register/memory target and an IRQ driver
// stimulate it. Checks values and exact simulated times. One design per process (one TEST_CASE each).
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/cpu/host_cpu.h"

using namespace sc_core;
using dacapo::cpu::CpuConfig;
using dacapo::cpu::HostCpu;
using dacapo::fw::Hal;

namespace {

// Target with 64 KiB of memory at 0 and an address error above; records transaction sizes; grants DMI.
struct Target : sc_module {
  tlm_utils::simple_target_socket<Target> socket;
  std::vector<uint8_t> mem = std::vector<uint8_t>(1 << 16);
  std::vector<unsigned> sizes;
  sc_time latency = sc_time(10, SC_NS);
  explicit Target(sc_module_name n) : sc_module(n), socket("socket") {
    socket.register_b_transport(this, &Target::b_transport);
    socket.register_get_direct_mem_ptr(this, &Target::dmi);
  }
  void b_transport(tlm::tlm_generic_payload& t, sc_time& d) {
    if (t.get_address() + t.get_data_length() > mem.size()) {
      t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    sizes.push_back(t.get_data_length());
    if (t.is_write())
      std::memcpy(&mem[t.get_address()], t.get_data_ptr(), t.get_data_length());
    else
      std::memcpy(t.get_data_ptr(), &mem[t.get_address()], t.get_data_length());
    d += latency;
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  bool dmi(tlm::tlm_generic_payload&, tlm::tlm_dmi& d) {
    d.set_dmi_ptr(mem.data());
    d.set_start_address(0);
    d.set_end_address(mem.size() - 1);
    d.allow_read_write();
    return true;
  }
};

struct Rig : sc_module {
  Target target{"target"};
  HostCpu cpu;
  sc_vector<sc_signal<bool>> irq{"irq", dacapo::soc::kIrqCount};
  std::string printed;
  Rig(const CpuConfig& cfg, HostCpu::Firmware fw)
      : sc_module("rig"), cpu("cpu", cfg, std::move(fw), [this](std::string_view s) { printed += s; }) {
    cpu.bus_initiator_socket.bind(target.socket);
    for (unsigned i = 0; i < irq.size(); ++i) cpu.irq_in[i].bind(irq[i]);
  }
};

CpuConfig config_1ghz() {
  CpuConfig c;
  c.clock_mhz = 1000.0;
  c.mmio_cycles = 0;
  return c;
}

void set_quantum(sc_time q) { tlm::tlm_global_quantum::instance().set(q); }

// Drives a signal high at a given time.
struct Raise : sc_module {
  sc_signal<bool>& line;
  sc_time at;
  Raise(sc_module_name n, sc_signal<bool>& l, sc_time t) : sc_module(n), line(l), at(t) {
    SC_HAS_PROCESS(Raise);
    SC_THREAD(run);
  }
  void run() {
    wait(at);
    line.write(true);
  }
};

}  // namespace

TEST_CASE("register accesses move data and take the target latency plus CPU cycles") {
  set_quantum(sc_time(1, SC_US));
  CpuConfig cfg = config_1ghz();
  cfg.mmio_cycles = 5;
  uint64_t t_after = 0;
  uint32_t value = 0;
  Rig rig(cfg, [&](Hal& hal) {
    hal.write32(0x10, 0xABCD1234);
    value = hal.read32(0x10);
    t_after = hal.now_ps();
    return 7;
  });
  sc_start();
  CHECK(value == 0xABCD1234);
  CHECK(t_after == 2 * (10'000 + 5'000));  // 2 x (10 ns target + 5 cycles at 1 GHz)
  CHECK(rig.cpu.finished());
  CHECK(rig.cpu.exit_code() == 7);
  CHECK(sc_time_stamp() == sc_time(30, SC_NS));  // synchronised at exit, then sc_stop
}

TEST_CASE("charged cycles stay local within the quantum and synchronise at its end") {
  set_quantum(sc_time(1, SC_US));
  std::vector<double> kernel_ns;
  uint64_t local_ps = 0;
  Rig rig(config_1ghz(), [&](Hal& hal) {
    hal.charge(300);  // 300 ns: inside the quantum, kernel time does not move
    kernel_ns.push_back(sc_time_stamp().to_seconds() * 1e9);
    local_ps = hal.now_ps();
    hal.charge(800);  // crosses the 1 µs quantum: synchronises
    kernel_ns.push_back(sc_time_stamp().to_seconds() * 1e9);
    return 0;
  });
  sc_start();
  CHECK(kernel_ns[0] == Approx(0.0));
  CHECK(local_ps == 300'000);
  CHECK(kernel_ns[1] == Approx(1100.0));
}

TEST_CASE("wait_irq wakes exactly when the line rises and times out otherwise") {
  set_quantum(sc_time(1, SC_US));
  uint32_t first = 99, second = 99;
  uint64_t t_first = 0, t_second = 0;
  Rig rig(config_1ghz(), [&](Hal& hal) {
    hal.charge(100);  // local time is synchronised before waiting
    first = hal.wait_irq(1u << dacapo::soc::kIrqCamera, 1'000'000'000);
    t_first = hal.now_ps();
    second = hal.wait_irq(1u << dacapo::soc::kIrqAccelerator, 2'000'000);  // 2 µs, the line never rises
    t_second = hal.now_ps();
    return 0;
  });
  Raise raise("raise", rig.irq[dacapo::soc::kIrqCamera], sc_time(5, SC_US));
  sc_start();
  CHECK(first == (1u << dacapo::soc::kIrqCamera));
  CHECK(t_first == 5'000'000);
  CHECK(second == 0);
  CHECK(t_second == 7'000'000);
}

TEST_CASE("wait_irq returns at once for a line that is already high") {
  set_quantum(sc_time(1, SC_US));
  uint64_t t = 1;
  uint32_t lines = 0;
  Rig rig(config_1ghz(), [&](Hal& hal) {
    hal.wait_irq(0, 2'000'000);  // the line rises at 1 µs, while the firmware is busy elsewhere
    lines = hal.wait_irq(1u << dacapo::soc::kIrqAccelerator, 1'000'000);
    t = hal.now_ps();
    return 0;
  });
  Raise raise("raise", rig.irq[dacapo::soc::kIrqAccelerator], sc_time(1, SC_US));
  sc_start();
  CHECK(lines == (1u << dacapo::soc::kIrqAccelerator));
  CHECK(t == 2'000'000);
}

TEST_CASE("a polling loop advances time until the register changes") {
  set_quantum(sc_time(1, SC_US));
  uint64_t t_seen = 0;
  int polls = 0;
  Rig rig(config_1ghz(), [&](Hal& hal) {
    while (hal.read32(0x20) == 0) {
      ++polls;
      hal.wait_irq(0, 100'000);  // poll every 100 ns
    }
    t_seen = hal.now_ps();
    return 0;
  });
  struct Writer : sc_module {
    Target& t;
    Writer(sc_module_name n, Target& tt) : sc_module(n), t(tt) {
      SC_HAS_PROCESS(Writer);
      SC_THREAD(run);
    }
    void run() {
      wait(3, SC_US);
      t.mem[0x20] = 1;
    }
  } writer("writer", rig.target);
  sc_start();
  CHECK(t_seen >= 3'000'000);
  CHECK(t_seen < 3'200'000);
  CHECK(polls > 20);
}

TEST_CASE("bulk memory access is split into bus transactions of the configured size") {
  set_quantum(sc_time(1, SC_US));
  CpuConfig cfg = config_1ghz();
  cfg.mem_chunk_bytes = 64;
  std::vector<uint8_t> back(200);
  uint64_t t_end = 0;
  Rig rig(cfg, [&](Hal& hal) {
    std::vector<uint8_t> data(200);
    for (int i = 0; i < 200; ++i) data[i] = uint8_t(i * 3);
    hal.mem_write(0x100, data.data(), data.size());
    hal.mem_read(0x100, back.data(), back.size());
    t_end = hal.now_ps();
    return 0;
  });
  sc_start();
  for (int i = 0; i < 200; ++i) REQUIRE(back[i] == uint8_t(i * 3));
  CHECK(rig.target.sizes == std::vector<unsigned>{64, 64, 64, 8, 64, 64, 64, 8});
  CHECK(t_end == 8 * 10'000);  // eight transactions of 10 ns
}

TEST_CASE("DMI bulk access copies directly and charges the configured bandwidth") {
  set_quantum(sc_time(1, SC_US));
  CpuConfig cfg = config_1ghz();
  cfg.use_dmi = true;
  cfg.dmi_bytes_per_ns = 4.0;
  uint64_t t_end = 0;
  uint32_t word = 0;
  Rig rig(cfg, [&](Hal& hal) {
    std::vector<uint8_t> data(400, 0x11);
    hal.mem_write(0x1000, data.data(), data.size());
    word = hal.mem_read_value<uint32_t>(0x1000);
    t_end = hal.now_ps();
    return 0;
  });
  sc_start();
  CHECK(word == 0x11111111);
  CHECK(rig.target.sizes.empty());  // no bus transactions
  CHECK(t_end == 101'000);          // (400 + 4) B at 4 B/ns
}

TEST_CASE("a bus error reaches the firmware as an exception and ends it with an error") {
  set_quantum(sc_time(1, SC_US));
  bool caught = false;
  Rig rig(config_1ghz(), [&](Hal& hal) {
    try {
      hal.read32(0x1'0000'0000ull);
    } catch (const dacapo::fw::BusError& e) {
      caught = e.address() == 0x1'0000'0000ull;
    }
    hal.write32(0x2'0000'0000ull, 1);  // not caught: ends the firmware
    return 0;
  });
  sc_start();
  CHECK(caught);
  CHECK(rig.cpu.exit_code() == -1);
  CHECK_THAT(rig.cpu.error(), Catch::Contains("0x200000000"));
  CHECK_THAT(rig.cpu.error(), Catch::Contains("ADDRESS_ERROR"));
}

TEST_CASE("console output and phases are recorded") {
  set_quantum(sc_time(1, SC_US));
  Rig rig(config_1ghz(), [&](Hal& hal) {
    hal.print("hello ");
    hal.set_phase(dacapo::fw::Phase::Check);
    hal.print("board\n");
    return 0;
  });
  sc_start();
  CHECK(rig.cpu.console() == "hello board\n");
  CHECK(rig.printed == "hello board\n");
  CHECK(rig.cpu.phase.read() == static_cast<uint32_t>(dacapo::fw::Phase::Done));
  dacapo::StatsReport report;
  rig.cpu.report_stats(report, "soc.cpu");
  CHECK(*report.find("soc.cpu", "firmware_exit_code") == 0);
}
