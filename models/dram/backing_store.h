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
  // The allocated page of `index`, or nullptr. Remembers the last page found: accesses come in runs.
  uint8_t* find(uint64_t index) const {
    if (index == last_index_) return last_page_;
    const auto it = pages_.find(index);
    if (it == pages_.end()) return nullptr;
    last_index_ = index;
    last_page_ = it->second.get();
    return last_page_;
  }

  std::unordered_map<uint64_t, std::unique_ptr<uint8_t[]>> pages_;
  mutable uint64_t last_index_ = ~uint64_t{0};  // pages are never freed, so the pointer stays valid
  mutable uint8_t* last_page_ = nullptr;
};

}  // namespace dacapo::dram
