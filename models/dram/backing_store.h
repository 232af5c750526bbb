// Sparse byte store for the DRAM's functional data: 64 KiB pages allocated (zero-filled) on first write, so a
// large address space costs only what is touched. Reads of untouched memory return zeros without allocating.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>

namespace dacapo::dram {

class BackingStore {
 public:
  static constexpr uint64_t kPageBytes = 64 * 1024;

  void read(uint64_t address, uint8_t* out, uint64_t length) const;
  void write(uint64_t address, const uint8_t* in, uint64_t length);
  // The page holding `address`, allocated if needed (for DMI: stable until the store is destroyed).
  uint8_t* page(uint64_t address);
  uint64_t pages_allocated() const { return pages_.size(); }

 private:
  std::unordered_map<uint64_t, std::unique_ptr<uint8_t[]>> pages_;
};

}  // namespace dacapo::dram
