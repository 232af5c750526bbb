#include "models/dram/backing_store.h"

#include <algorithm>
#include <cstring>

namespace dacapo::dram {

void BackingStore::read(uint64_t address, uint8_t* out, uint64_t length) const {
  while (length > 0) {
    const uint64_t offset = address % kPageBytes;
    const uint64_t chunk = std::min(length, kPageBytes - offset);
    if (const uint8_t* p = find(address / kPageBytes))
      std::memcpy(out, p + offset, chunk);
    else
      std::memset(out, 0, chunk);
    address += chunk;
    out += chunk;
    length -= chunk;
  }
}

void BackingStore::write(uint64_t address, const uint8_t* in, uint64_t length) {
  while (length > 0) {
    const uint64_t offset = address % kPageBytes;
    const uint64_t chunk = std::min(length, kPageBytes - offset);
    std::memcpy(page(address) + offset, in, chunk);
    address += chunk;
    in += chunk;
    length -= chunk;
  }
}

uint8_t* BackingStore::page(uint64_t address) {
  if (uint8_t* p = find(address / kPageBytes)) return p;
  auto& slot = pages_[address / kPageBytes];
  slot = std::make_unique<uint8_t[]>(kPageBytes);  // value-initialised: zeros
  last_index_ = address / kPageBytes;
  last_page_ = slot.get();
  return last_page_;
}

}  // namespace dacapo::dram
