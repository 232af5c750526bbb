// Address decoding of the SoC bus (plain C++, no SystemC): a list of named, non-overlapping windows; a request
// [addr, addr + length) hits a window only if it lies entirely inside it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dacapo::bus {

struct AddressRange {
  std::string name;
  uint64_t base = 0;
  uint64_t size = 0;
  bool contains(uint64_t addr, uint64_t length) const {
    return addr >= base && length <= size && addr - base <= size - length;
  }
};

class AddressDecoder {
 public:
  // Throws std::invalid_argument naming both windows when two overlap, or a window that is empty or wraps.
  explicit AddressDecoder(std::vector<AddressRange> ranges);

  struct Hit {
    size_t target;    // index into ranges()
    uint64_t offset;  // addr - base
  };
  // nullopt when no window holds the whole request (length 0 counts as 1 byte).
  std::optional<Hit> decode(uint64_t addr, uint64_t length) const;
  const std::vector<AddressRange>& ranges() const { return ranges_; }

 private:
  std::vector<AddressRange> ranges_;
  // The window of the last hit, tried first (traffic comes in runs to one target; windows do not overlap, so
  // at most one window can hold a request and the order of the search does not change the answer).
  mutable size_t last_hit_ = 0;
};

}  // namespace dacapo::bus
