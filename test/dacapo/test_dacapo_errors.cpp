// Bad firmware input through the registers: bad descriptors and rings halt the queue with the documented
// ERROR code and an error interrupt until CLEAR_ERROR; bad register accesses get TLM error responses; PARTITION
// and PRECISION are refused while busy; soft reset empties the queues. The model never crashes.
#include <catch2/catch.hpp>

#include "gemm_reference.h"

using namespace dacapo;
using namespace dacapo::acc;
using namespace dacapo::acc::test;
using regs::ErrorCode;
using regs::Precision;

namespace {

regs::Descriptor good_gemm(System& sys) {
  regs::Descriptor d;
  d.m = 20;
  d.n = 12;
  d.k = 40;
  d.lda = 4 * 40;
  d.ldb = 4 * 40;
  d.b_format = regs::kColMajor;
  d.ldc = 4 * 12;
  d.a_addr = sys.alloc(4 * 20 * 40);
  d.b_addr = sys.alloc(4 * 12 * 40);
  d.c_addr = sys.alloc(4 * 20 * 12);
  d.flags = regs::kFlagIrqOnDone;
  return d;
}

struct BadCase {
  const char* what;
  ErrorCode code;
  std::function<void(regs::Descriptor&)> change;
};

}  // namespace

TEST_CASE("bad descriptors halt the queue with the documented error until cleared") {
  AccConfig cfg;
  cfg.dram_bytes = System::kMemBytes * 2;  // the upper half is "DRAM" the memory does not answer: DMA errors
  System sys(cfg);
  const uint64_t hole = soc::kDramBase + System::kMemBytes + 0x1000;
  const std::vector<BadCase> cases = {
      {"opcode", ErrorCode::BadOpcode, [](auto& d) { d.opcode = 9; }},
      {"zero M", ErrorCode::BadDims, [](auto& d) { d.m = 0; }},
      {"huge K", ErrorCode::BadDims, [](auto& d) { d.k = regs::kMaxDim + 5; }},
      {"unaligned A", ErrorCode::BadAlignment, [](auto& d) { d.a_addr += 1; }},
      {"out of range B", ErrorCode::BadAddress, [](auto& d) { d.b_addr = 0x1000; }},
      {"beyond DRAM C", ErrorCode::BadAddress, [&](auto& d) { d.c_addr = soc::kDramBase + 2 * System::kMemBytes - 64; }},
      {"unsupported format", ErrorCode::BadFormat, [](auto& d) { d.a_format = 0x7; }},
      {"MX A in another precision", ErrorCode::BadFormat,
       [](auto& d) { d.a_format = uint8_t(regs::ElemFormat::MX9); }},
      {"stride too small", ErrorCode::BadStride, [](auto& d) { d.ldb = 4; }},
      {"DMA error response", ErrorCode::BadAddress, [&](auto& d) { d.b_addr = hole; }},
  };
  struct Seen {
    uint32_t error_reg = 0, status_reg = 0, desc_status = 0, good_status_before = 0, good_status_after = 0;
    uint32_t irq = 0;
    uint32_t head = 0;
  };
  std::vector<Seen> seen(cases.size());
  std::vector<uint32_t> slots(cases.size());
  sys.host.body = [&](Host& h) {
    sys.setup_queue(0, Precision::MX6);
    for (size_t i = 0; i < cases.size(); ++i) {
      regs::Descriptor bad = good_gemm(sys);
      cases[i].change(bad);
      const uint32_t slot = sys.submit(0, bad);
      const uint32_t good_slot = sys.submit(0, good_gemm(sys));
      slots[i] = slot;
      seen[i].irq = h.wait_irq(regs::kIrqError(regs::Sa::Top));
      seen[i].error_reg = h.read32(System::q(0, regs::queue::kError));
      seen[i].status_reg = h.read32(System::q(0, regs::queue::kStatus));
      seen[i].head = h.read32(System::q(0, regs::queue::kHead));
      wait(5, SC_US);  // the queue stays halted: the good descriptor behind it does not run
      seen[i].desc_status = sys.descriptor(0, slot).status;
      seen[i].good_status_before = sys.descriptor(0, good_slot).status;
      h.write32(System::g(regs::global::kIrqStatus), regs::kIrqAll);
      h.write32(System::q(0, regs::queue::kCtrl), regs::kQueueCtrlEnable | regs::kQueueCtrlClearError);
      h.wait_irq(regs::kIrqDone(regs::Sa::Top));
      h.write32(System::g(regs::global::kIrqStatus), regs::kIrqAll);
      seen[i].good_status_after = sys.descriptor(0, good_slot).status;
    }
  };
  sc_start();
  REQUIRE(sys.host.finished);
  for (size_t i = 0; i < cases.size(); ++i) {
    const uint32_t code = static_cast<uint32_t>(cases[i].code);
    INFO(cases[i].what);
    CHECK((seen[i].irq & regs::kIrqError(regs::Sa::Top)));
    CHECK(seen[i].error_reg == (code | (slots[i] << 16)));
    CHECK((seen[i].status_reg & regs::kQueueStatusHalted));
    CHECK(seen[i].head == slots[i]);
    CHECK(seen[i].desc_status == (static_cast<uint32_t>(regs::DescStatus::Error) | (code << 8)));
    CHECK(seen[i].good_status_before == 0);
    CHECK(seen[i].good_status_after == static_cast<uint32_t>(regs::DescStatus::Done));
  }
}

TEST_CASE("an SA without rows and a bad ring report NoRows and BadRing") {
  AccConfig cfg;
  System sys(cfg);
  uint32_t no_rows = 0, bad_ring = 0, after_fix = 0, tail_error = 0;
  sys.host.body = [&](Host& h) {
    h.write32(System::g(regs::global::kPartition), 16);  // B-SA owns no rows
    sys.setup_queue(1, Precision::MX6);
    sys.submit(1, good_gemm(sys));
    h.wait_irq(regs::kIrqError(regs::Sa::Bottom));
    no_rows = h.read32(System::q(1, regs::queue::kError));
    h.write32(System::g(regs::global::kIrqStatus), regs::kIrqAll);
    // Ring size 0 on the T-SA: BadRing; firmware fixes the ring and clears the error.
    sys.setup_queue(0, Precision::MX6);
    h.write32(System::q(0, regs::queue::kCtrl), 0);
    h.write32(System::q(0, regs::queue::kRingSize), 0);
    h.write32(System::q(0, regs::queue::kCtrl), regs::kQueueCtrlEnable);
    sys.submit(0, good_gemm(sys));
    h.wait_irq(regs::kIrqError(regs::Sa::Top));
    bad_ring = h.read32(System::q(0, regs::queue::kError));
    h.write32(System::g(regs::global::kIrqStatus), regs::kIrqAll);
    h.write32(System::q(0, regs::queue::kRingSize), System::kRingSlots);
    h.write32(System::q(0, regs::queue::kCtrl), regs::kQueueCtrlEnable | regs::kQueueCtrlClearError);
    h.wait_irq(regs::kIrqDone(regs::Sa::Top));
    after_fix = sys.descriptor(0, 0).status;
    h.write32(System::g(regs::global::kIrqStatus), regs::kIrqAll);
    // TAIL beyond the ring.
    h.write32(System::q(0, regs::queue::kTail), System::kRingSlots + 3);
    h.wait_irq(regs::kIrqError(regs::Sa::Top));
    tail_error = h.read32(System::q(0, regs::queue::kError));
  };
  sc_start();
  REQUIRE(sys.host.finished);
  CHECK(no_rows == static_cast<uint32_t>(ErrorCode::NoRows));
  CHECK((bad_ring & 0xFF) == static_cast<uint32_t>(ErrorCode::BadRing));
  CHECK(after_fix == static_cast<uint32_t>(regs::DescStatus::Done));
  CHECK((tail_error & 0xFF) == static_cast<uint32_t>(ErrorCode::BadRing));
}

TEST_CASE("register accesses follow the access rules") {
  AccConfig cfg;
  System sys(cfg);
  std::vector<std::pair<std::string, bool>> checks;
  auto expect = [&](const std::string& what, bool ok) { checks.emplace_back(what, ok); };
  sys.host.body = [&](Host& h) {
    using tlm::TLM_ADDRESS_ERROR_RESPONSE;
    using tlm::TLM_COMMAND_ERROR_RESPONSE;
    using tlm::TLM_OK_RESPONSE;
    uint8_t buf[8] = {};
    expect("unaligned read", h.access(tlm::TLM_READ_COMMAND, 2, buf, 4) == TLM_ADDRESS_ERROR_RESPONSE);
    expect("sub-word read", h.access(tlm::TLM_READ_COMMAND, 0, buf, 2) == TLM_ADDRESS_ERROR_RESPONSE);
    expect("sub-word write", h.access(tlm::TLM_WRITE_COMMAND, regs::global::kPartition, buf, 1) == TLM_ADDRESS_ERROR_RESPONSE);
    expect("wide read", h.access(tlm::TLM_READ_COMMAND, 0, buf, 8) == TLM_ADDRESS_ERROR_RESPONSE);
    expect("unmapped global", h.access(tlm::TLM_READ_COMMAND, 0x40, buf, 4) == TLM_ADDRESS_ERROR_RESPONSE);
    expect("unmapped queue", h.access(tlm::TLM_WRITE_COMMAND, regs::kQueuePage[1] + 0x80, buf, 4) == TLM_ADDRESS_ERROR_RESPONSE);
    expect("unmapped perf", h.access(tlm::TLM_READ_COMMAND, regs::kPerfPage + 0xFFC, buf, 4) == TLM_ADDRESS_ERROR_RESPONSE);
    expect("outside window", h.access(tlm::TLM_READ_COMMAND, regs::kCsrBytes, buf, 4) == TLM_ADDRESS_ERROR_RESPONSE);
    expect("write ID", h.write32(regs::kId, 1) == TLM_COMMAND_ERROR_RESPONSE);
    expect("write HEAD", h.write32(System::q(0, regs::queue::kHead), 1) == TLM_COMMAND_ERROR_RESPONSE);
    expect("write perf", h.write32(regs::kPerfPage + regs::kPerfSaBase, 1) == TLM_COMMAND_ERROR_RESPONSE);
    expect("bad precision", h.write32(System::q(0, regs::queue::kPrecision), 3) == TLM_COMMAND_ERROR_RESPONSE);
    expect("global id", h.read32(regs::kId) == regs::kGlobalId);
    expect("queue ids", h.read32(regs::kQueuePage[0]) == regs::kQueueId && h.read32(regs::kQueuePage[1]) == regs::kQueueId);
    expect("version", h.read32(regs::kVersionReg) == regs::kVersion &&
                          h.read32(regs::kQueuePage[1] + regs::kVersionReg) == regs::kVersion);
    const uint32_t caps = h.read32(regs::kCaps);
    expect("caps", (caps & 0xFF) == 16 && ((caps >> 8) & 0xFF) == 16 && (caps & regs::kCapsMx6) &&
                       (caps & regs::kCapsFunctional));
    expect("queue caps", h.read32(regs::kQueuePage[0] + regs::kCaps) == regs::kDescriptorBytes / 16);
    expect("partition reset value", h.read32(System::g(regs::global::kPartition)) == 8);
    expect("rows in queue status", (h.read32(System::q(1, regs::queue::kStatus)) >> 8) == 8);
    // PARTITION > rows is refused with the error bit and interrupt.
    h.write32(System::g(regs::global::kIrqEnable), regs::kIrqAll);
    h.write32(System::g(regs::global::kPartition), 17);
    expect("partition > rows refused", h.read32(System::g(regs::global::kPartition)) == 8 &&
                                           (h.read32(System::g(regs::global::kStatus)) & regs::kStatusPartitionError) &&
                                           (h.read32(System::g(regs::global::kIrqStatus)) & regs::kIrqPartitionError));
    h.write32(System::g(regs::global::kIrqStatus), regs::kIrqPartitionError);
    expect("W1C clears", h.read32(System::g(regs::global::kIrqRaw)) == 0);
    // A long job on the B-SA: PARTITION and PRECISION are refused while it runs.
    sys.setup_queue(1, Precision::MX9);
    regs::Descriptor d = good_gemm(sys);
    d.k = 4000;
    d.lda = d.ldb = 4 * 4000;
    d.a_addr = sys.alloc(4ull * 20 * 4000);
    d.b_addr = sys.alloc(4ull * 12 * 4000);
    const uint32_t slot = sys.submit(1, d);
    h.write32(System::g(regs::global::kPartition), 4);
    expect("partition while busy refused", h.read32(System::g(regs::global::kPartition)) == 8 &&
                                               (h.read32(System::g(regs::global::kIrqRaw)) & regs::kIrqPartitionError));
    expect("precision while busy refused", h.write32(System::q(1, regs::queue::kPrecision), 1) == TLM_COMMAND_ERROR_RESPONSE);
    expect("busy status", (h.read32(System::g(regs::global::kStatus)) & regs::kStatusBottomBusy) != 0);
    h.wait_irq(regs::kIrqDone(regs::Sa::Bottom));
    expect("job done", sys.descriptor(1, slot).status == 1);
    h.write32(System::g(regs::global::kIrqStatus), regs::kIrqAll);
    h.write32(System::g(regs::global::kPartition), 4);
    expect("partition when idle", h.read32(System::g(regs::global::kPartition)) == 4 &&
                                      !(h.read32(System::g(regs::global::kStatus)) & regs::kStatusPartitionError));
    expect("rows follow partition", sys.acc.rows[3].owner.read() == 0 && sys.acc.rows[4].owner.read() == 1 &&
                                        sys.acc.rows[15].precision.read() == uint32_t(Precision::MX9));
    const uint64_t c0 = h.read64(System::g(regs::global::kCycleLo));
    wait(1, SC_US);
    const uint64_t c1 = h.read64(System::g(regs::global::kCycleLo));
    expect("cycle counter", c1 - c0 >= 500 && c1 - c0 < 520);
    // Soft reset: queues empty and disabled, interrupts cleared, PARTITION kept.
    h.write32(System::g(regs::global::kCtrl), regs::kCtrlSoftReset);
    wait(10, SC_NS);
    expect("reset head", h.read32(System::q(1, regs::queue::kHead)) == 0 &&
                             h.read32(System::q(1, regs::queue::kTail)) == 0 &&
                             h.read32(System::q(1, regs::queue::kCompleted)) == 0);
    expect("reset irq", h.read32(System::g(regs::global::kIrqEnable)) == 0 && h.read32(System::g(regs::global::kIrqRaw)) == 0);
    expect("reset keeps partition", h.read32(System::g(regs::global::kPartition)) == 4);
  };
  sc_start();
  REQUIRE(sys.host.finished);
  for (const auto& [what, ok] : checks) {
    INFO(what);
    CHECK(ok);
  }
}

// A CPU model inside its time quantum issues register accesses back to back without letting the kernel run: the
// effect of CLEAR_ERROR and soft reset must be visible to the very next read.
TEST_CASE("clear error and soft reset are visible to the next register read") {
  AccConfig cfg;
  System sys(cfg);
  uint32_t status_after_clear = 1, head_after_clear = 0, head_after_reset = 1, halted_after_reset = 1;
  uint32_t good_status = 0;
  sys.host.body = [&](Host& h) {
    sys.setup_queue(0, Precision::MX6);
    regs::Descriptor bad = good_gemm(sys);
    bad.m = 0;
    sys.submit(0, bad);
    h.wait_irq(regs::kIrqError(regs::Sa::Top));
    h.settle = false;
    h.write32(System::q(0, regs::queue::kCtrl), regs::kQueueCtrlEnable | regs::kQueueCtrlClearError);
    status_after_clear = h.read32(System::q(0, regs::queue::kStatus)) & regs::kQueueStatusHalted;
    head_after_clear = h.read32(System::q(0, regs::queue::kHead));
    h.settle = true;
    const uint32_t slot = sys.submit(0, good_gemm(sys));
    h.wait_irq(regs::kIrqDone(regs::Sa::Top));
    good_status = sys.descriptor(0, slot).status;
    h.settle = false;
    h.write32(System::g(regs::global::kCtrl), regs::kCtrlSoftReset);
    head_after_reset = h.read32(System::q(0, regs::queue::kHead));
    halted_after_reset = h.read32(System::g(regs::global::kStatus)) & regs::kStatusTopHalted;
    h.settle = true;
    wait(10, SC_NS);
  };
  sc_start();
  REQUIRE(sys.host.finished);
  CHECK(status_after_clear == 0);
  CHECK(head_after_clear == 1);
  CHECK(good_status == 1);
  CHECK(head_after_reset == 0);
  CHECK(halted_after_reset == 0);
}
