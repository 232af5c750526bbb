// Physical address -> (channel, bank group, bank, row, column) decoding from a bit-field list.
//
// The map is written LSB first as "field:bits" tokens, e.g. the default for 16 channels
//   byte:5 column:1 channel:4 bankgroup:2 bank:2 column:5 row:16
// A field may appear more than once; its parts are concatenated low to high in order of appearance. `byte` is
// the offset inside one burst (log2 of the burst size), `column` counts bursts inside a row, `bank` is the bank
// inside its bank group. Every field must get exactly log2 of its size, so the map covers the capacity exactly.
// Addresses are DRAM-local offsets (the bus router subtracts the DRAM base).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace dacapo::dram {

struct DramConfig;

struct DecodedAddress {
  uint32_t channel = 0;
  uint32_t bank = 0;        // within the channel: bank_group * banks_per_group + bank-in-group
  uint32_t bank_group = 0;
  uint32_t row = 0;
  uint32_t column = 0;      // burst index within the row
};

class AddressMap {
 public:
  // Throws std::invalid_argument describing the problem when the map does not fit the geometry.
  explicit AddressMap(const DramConfig& cfg);

  DecodedAddress decode(uint64_t address) const;
  // Inverse of decode for the burst-aligned address (used by tests and trace generators).
  uint64_t encode(const DecodedAddress& where) const;

  // The default map string for a geometry (see file comment).
  static std::string default_map(const DramConfig& cfg);
  const std::string& text() const { return text_; }

 private:
  enum Field { kByte, kColumn, kChannel, kBankGroup, kBank, kRow, kFieldCount };
  struct Part {
    Field field;
    uint32_t address_shift;  // position in the address
    uint32_t width;
    uint32_t field_shift;    // position inside the field value
  };
  std::vector<Part> parts_;
  std::string text_;
  uint32_t banks_per_group_ = 1;
  // decode() by table: the map is a bit permutation, so each address byte contributes independently. The fields
  // (column, channel, bank group, bank, row) are packed side by side into one 64-bit word (their widths add up
  // to the address bits above the burst offset); byte_tables_[i][v] is the packed contribution of value v in
  // address byte i, and decode ORs one entry per address byte and unpacks.
  // All eight address bytes have a table (all zeros above the map's width, which decode ignores).
  std::array<std::array<uint64_t, 256>, 8> byte_tables_{};
  uint32_t packed_shift_[kFieldCount] = {};
  uint64_t packed_mask_[kFieldCount] = {};
  void decode_by_parts(uint64_t address, uint32_t* value) const;
};

}  // namespace dacapo::dram
