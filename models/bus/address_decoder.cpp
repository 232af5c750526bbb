#include "models/bus/address_decoder.h"

#include <sstream>
#include <stdexcept>

namespace dacapo::bus {

AddressDecoder::AddressDecoder(std::vector<AddressRange> ranges) : ranges_(std::move(ranges)) {
  for (size_t i = 0; i < ranges_.size(); ++i) {
    const AddressRange& r = ranges_[i];
    if (r.size == 0 || r.base + (r.size - 1) < r.base)
      throw std::invalid_argument("bus: window '" + r.name + "' is empty or wraps around the address space");
    for (size_t j = 0; j < i; ++j) {
      const AddressRange& o = ranges_[j];
      if (r.base <= o.base + (o.size - 1) && o.base <= r.base + (r.size - 1)) {
        std::ostringstream os;
        os << "bus: windows '" << o.name << "' and '" << r.name << "' overlap";
        throw std::invalid_argument(os.str());
      }
    }
  }
}

std::optional<AddressDecoder::Hit> AddressDecoder::decode(uint64_t addr, uint64_t length) const {
  if (length == 0) length = 1;
  if (last_hit_ < ranges_.size() && ranges_[last_hit_].contains(addr, length))
    return Hit{last_hit_, addr - ranges_[last_hit_].base};
  for (size_t i = 0; i < ranges_.size(); ++i)
    if (ranges_[i].contains(addr, length)) {
      last_hit_ = i;
      return Hit{i, addr - ranges_[i].base};
    }
  return std::nullopt;
}

}  // namespace dacapo::bus
