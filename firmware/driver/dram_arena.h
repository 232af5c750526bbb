// A bump allocator over a region of DRAM for firmware buffers (descriptor rings, tensors). Firmware on this
// board allocates once at boot and frees everything together, so nothing more is needed.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace dacapo::fw {

class DramArena {
 public:
  DramArena(uint64_t base, uint64_t bytes) : base_(base), end_(base + bytes), next_(base) {}

  // Throws std::runtime_error when the region is exhausted.
  uint64_t alloc(uint64_t bytes, uint64_t align = 64) {
    const uint64_t at = (next_ + align - 1) / align * align;
    if (at > end_ || bytes > end_ - at)
      throw std::runtime_error("DRAM arena exhausted: " + std::to_string(bytes) + " B requested, " +
                               std::to_string(end_ > next_ ? end_ - next_ : 0) + " B left");
    next_ = at + bytes;
    return at;
  }
  void reset() { next_ = base_; }
  uint64_t used() const { return next_ - base_; }

 private:
  uint64_t base_, end_, next_;
};

}  // namespace dacapo::fw
