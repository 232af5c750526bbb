// Test double of the board for firmware unit tests (plain C++, no SystemC): implements Hal with a sparse DRAM,
// a table of device register handlers, interrupt lines and a simulated clock. Devices (e.g. FakeAccelerator)
// attach themselves with map_device(); a test can also script single registers with on_read/on_write.
//
// Time: charge() advances the clock by cycles at cpu_mhz; every register access costs access_ps; wait_irq advances the
// clock from device event to device event (Device::next_event_ps) until a line in the mask is high or the timeout
// has passed. Every access is logged so tests can check what the firmware did, in which order.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "firmware/hal/hal.h"

namespace dacapo::fw {

class FakeBoard : public Hal {
 public:
  // A memory-mapped device of the fake board. Offsets are relative to the device's base.
  class Device {
   public:
    virtual ~Device() = default;
    // Returns false for an access the device rejects (the HAL then throws BusError).
    virtual bool read(uint64_t offset, uint32_t& value) = 0;
    virtual bool write(uint64_t offset, uint32_t value) = 0;
    // Lets the device make progress up to `now_ps` (e.g. complete jobs); returns its IRQ line level.
    virtual bool advance(uint64_t now_ps) = 0;
    // Time of the device's next internal event (UINT64_MAX when it has nothing to do).
    virtual uint64_t next_event_ps() const { return UINT64_MAX; }
  };

  struct Access {
    bool write = false;
    uint64_t addr = 0;
    uint32_t value = 0;
  };

  explicit FakeBoard(uint64_t dram_base, uint64_t dram_bytes, double cpu_mhz = 1000.0, uint64_t access_ps = 10'000);

  // Attaches a device at [base, base + bytes) on interrupt line `irq` (or -1 for none). The board does not own it.
  void map_device(uint64_t base, uint64_t bytes, int irq, Device* device);
  // Scripted single registers (outside any device): the read handler supplies the value, the write handler sees it.
  void on_read(uint64_t addr, std::function<uint32_t()> handler);
  void on_write(uint64_t addr, std::function<void(uint32_t)> handler);
  // Drives an interrupt line directly (lines of mapped devices come from Device::advance).
  void set_irq(unsigned line, bool level);

  // Hal
  uint32_t read32(uint64_t addr) override;
  void write32(uint64_t addr, uint32_t value) override;
  uint32_t wait_irq(uint32_t mask, uint64_t timeout_ps) override;
  uint64_t now_ps() override { return now_ps_; }
  void mem_read(uint64_t addr, void* dst, size_t bytes) override;
  void mem_write(uint64_t addr, const void* src, size_t bytes) override;
  void charge(uint64_t cpu_cycles) override;
  void print(std::string_view text) override { console_ += text; }
  void set_phase(Phase phase) override { phases_.push_back(phase); }
  void set_drift_flag(bool drift) override { drift_flags_.push_back(drift); }
  void set_running_accuracy(double percent) override { running_accuracy_ = percent; }
  void write_output(std::string_view name, std::string_view content) override;

  // Direct DRAM access for devices and tests (no logging, no time).
  bool dram_contains(uint64_t addr, uint64_t bytes) const;
  void dram_read(uint64_t addr, void* dst, size_t bytes) const;
  void dram_write(uint64_t addr, const void* src, size_t bytes);

  const std::vector<Access>& accesses() const { return accesses_; }
  const std::string& console() const { return console_; }
  const std::vector<Phase>& phases() const { return phases_; }
  const std::vector<bool>& drift_flags() const { return drift_flags_; }
  double running_accuracy() const { return running_accuracy_; }
  const std::map<std::string, std::string>& outputs() const { return outputs_; }
  uint64_t charged_cycles() const { return charged_cycles_; }
  uint64_t wait_calls() const { return wait_calls_; }

 private:
  struct Mapping {
    uint64_t base, bytes;
    int irq;
    Device* device;
  };
  const Mapping* find_device(uint64_t addr) const;
  uint32_t irq_lines();

  uint64_t dram_base_, dram_bytes_;
  double cpu_mhz_;
  uint64_t access_ps_;
  uint64_t now_ps_ = 0;
  uint64_t charged_cycles_ = 0;
  uint64_t wait_calls_ = 0;
  std::map<uint64_t, std::vector<uint8_t>> pages_;  // 4 KiB pages of DRAM, allocated on first write
  std::vector<Mapping> devices_;
  std::map<uint64_t, std::function<uint32_t()>> read_handlers_;
  std::map<uint64_t, std::function<void(uint32_t)>> write_handlers_;
  uint32_t forced_irqs_ = 0;
  std::vector<Access> accesses_;
  std::string console_;
  std::vector<Phase> phases_;
  std::vector<bool> drift_flags_;
  double running_accuracy_ = 0.0;
  std::map<std::string, std::string> outputs_;
};

}  // namespace dacapo::fw
