// Firmware hardware-abstraction layer: everything firmware may do to the board (DESIGN.md §6).
//
// Implemented on the virtual platform by models/cpu (every call is a bus transaction or a time annotation of the
// host CPU model) and, for unit tests, by firmware/hal/fake_board.h. Plain C++17, no SystemC.
//
// Addresses are SoC bus addresses (firmware/hal/soc_map.h). Time is simulated time in picoseconds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dacapo::fw {

// A bus access got an error response (unmapped address, unaligned register access, write to a read-only
// register). Firmware treats it as a fatal programming error of the caller; the driver never triggers one on
// purpose.
class BusError : public std::runtime_error {
 public:
  BusError(const std::string& what, uint64_t address) : std::runtime_error(what), address_(address) {}
  uint64_t address() const { return address_; }

 private:
  uint64_t address_;
};

// What the firmware is doing, for the VCD (`soc.cpu.phase`) and the stats. Values are stable: they appear in
// traces.
enum class Phase : uint32_t {
  Idle = 0,
  Boot = 1,
  Setup = 2,       // preparing operands / descriptors on the host
  Accelerate = 3,  // waiting for accelerator jobs
  Check = 4,       // checking results on the host
  Inference = 5,
  Label = 6,
  Retrain = 7,
  Validate = 8,
  Done = 9,
};

class Hal {
 public:
  virtual ~Hal() = default;

  // 32-bit register access (4-byte aligned). Throws BusError on an error response.
  virtual uint32_t read32(uint64_t addr) = 0;
  virtual void write32(uint64_t addr, uint32_t value) = 0;

  // Waits until one of the interrupt lines in `mask` (bit i = soc IRQ i) is high or `timeout_ps` simulated
  // picoseconds have passed. Returns the masked lines that are high (0 on timeout). Level-sensitive: a line that
  // is already high returns at once. Time spent waiting is simulated time of the board.
  virtual uint32_t wait_irq(uint32_t mask, uint64_t timeout_ps) = 0;

  // Simulated time now, including the CPU's not yet synchronised local time.
  virtual uint64_t now_ps() = 0;

  // Bulk access to memory through the bus (DRAM). Throws BusError on an error response.
  virtual void mem_read(uint64_t addr, void* dst, size_t bytes) = 0;
  virtual void mem_write(uint64_t addr, const void* src, size_t bytes) = 0;

  // Accounts for host computation that the firmware does natively (e.g. reference math) as CPU cycles.
  virtual void charge(uint64_t cpu_cycles) = 0;

  // Console output of the firmware (the platform prints it and keeps it in the run's console log).
  virtual void print(std::string_view text) = 0;

  // Marks what the firmware is doing (traced, no functional effect).
  virtual void set_phase(Phase phase) = 0;
  // What a learning firmware wants to see beside the phase in the waveform (traced, no functional effect): its
  // drift flag and the running accuracy of the live inference in percent. They take the CPU's last synchronised
  // time (at most one quantum early), so that tracing never changes how the firmware and the board interleave.
  virtual void set_drift_flag(bool drift) = 0;
  virtual void set_running_accuracy(double percent) = 0;
  // A result file of the run (firmware cannot write files): the platform writes every output into its output
  // directory when the run ends (also when it is interrupted), each file complete; a second write of a name
  // replaces the first. `name` must pass valid_output_name(); otherwise throws std::invalid_argument.
  virtual void write_output(std::string_view name, std::string_view content) = 0;

  // Typed helpers.
  template <class T>
  T mem_read_value(uint64_t addr) {
    T v{};
    mem_read(addr, &v, sizeof v);
    return v;
  }
};

const char* to_string(Phase phase);

// A plain file name: 1..64 characters from [A-Za-z0-9._-], not starting with '.'.
bool valid_output_name(std::string_view name);

}  // namespace dacapo::fw
