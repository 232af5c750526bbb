#include "models/dram/address_map.h"

#include <sstream>
#include <stdexcept>

#include "models/dram/dram_config.h"

namespace dacapo::dram {
namespace {

uint32_t log2_exact(uint64_t v) {
  uint32_t n = 0;
  while ((uint64_t{1} << n) < v) ++n;
  return n;
}

}  // namespace

std::string AddressMap::default_map(const DramConfig& cfg) {
  const uint32_t byte_bits = log2_exact(cfg.burst_bytes());
  const uint32_t column_bits = log2_exact(cfg.row_bytes() / cfg.burst_bytes());
  // Keep one 64 B line inside one bank: the bursts of a line are the lowest column bits.
  const uint32_t line_bits = std::min(column_bits, log2_exact(64 / std::min<uint64_t>(64, cfg.burst_bytes())));
  std::ostringstream os;
  os << "byte:" << byte_bits;
  if (line_bits) os << " column:" << line_bits;
  if (cfg.channels > 1) os << " channel:" << log2_exact(cfg.channels);
  if (cfg.bank_groups > 1) os << " bankgroup:" << log2_exact(cfg.bank_groups);
  if (cfg.banks / cfg.bank_groups > 1) os << " bank:" << log2_exact(cfg.banks / cfg.bank_groups);
  if (column_bits > line_bits) os << " column:" << column_bits - line_bits;
  os << " row:" << log2_exact(cfg.rows);
  return os.str();
}

AddressMap::AddressMap(const DramConfig& cfg) {
  text_ = cfg.address_map.empty() ? default_map(cfg) : cfg.address_map;
  banks_per_group_ = cfg.banks / cfg.bank_groups;
  const uint32_t expected[kFieldCount] = {
      log2_exact(cfg.burst_bytes()), log2_exact(cfg.row_bytes() / cfg.burst_bytes()), log2_exact(cfg.channels),
      log2_exact(cfg.bank_groups),   log2_exact(banks_per_group_),                   log2_exact(cfg.rows)};
  static const char* const names[kFieldCount] = {"byte", "column", "channel", "bankgroup", "bank", "row"};
  uint32_t got[kFieldCount] = {};
  uint32_t shift = 0;
  std::string spaced = text_;
  for (char& c : spaced)
    if (c == ',') c = ' ';
  std::istringstream in(spaced);
  std::string token;
  while (in >> token) {
    const auto colon = token.find(':');
    if (colon == std::string::npos) throw std::invalid_argument("token '" + token + "' is not 'field:bits'");
    const std::string name = token.substr(0, colon);
    int field = -1;
    for (int f = 0; f < kFieldCount; ++f)
      if (name == names[f]) field = f;
    if (field < 0)
      throw std::invalid_argument("unknown field '" + name + "' (byte, column, channel, bankgroup, bank, row)");
    const std::string bits_text = token.substr(colon + 1);
    if (bits_text.empty() || bits_text.size() > 2 || bits_text.find_first_not_of("0123456789") != std::string::npos)
      throw std::invalid_argument("bad bit count in '" + token + "'");
    const uint32_t width = static_cast<uint32_t>(std::stoul(bits_text));
    if (width == 0) continue;
    parts_.push_back(Part{static_cast<Field>(field), shift, width, got[field]});
    got[field] += width;
    shift += width;
    if (shift > 63) throw std::invalid_argument("more than 63 address bits");
  }
  for (int f = 0; f < kFieldCount; ++f)
    if (got[f] != expected[f])
      throw std::invalid_argument("field '" + std::string(names[f]) + "' has " + std::to_string(got[f]) +
                                  " bits but the geometry needs " + std::to_string(expected[f]) + " (map '" +
                                  text_ + "')");
  // Packed layout for the tables (the byte offset field is not needed by decode).
  uint32_t packed = 0;
  for (int f = 0; f < kFieldCount; ++f) {
    if (f == kByte) continue;
    packed_shift_[f] = packed;
    packed_mask_[f] = (uint64_t{1} << got[f]) - 1;
    packed += got[f];
  }
  for (size_t i = 0; i < (shift + 7) / 8; ++i)
    for (uint64_t v = 0; v < 256; ++v) {
      uint32_t value[kFieldCount] = {};
      decode_by_parts(v << (8 * i), value);
      uint64_t word = 0;
      for (int f = 0; f < kFieldCount; ++f)
        if (f != kByte) word |= uint64_t{value[f]} << packed_shift_[f];
      byte_tables_[i][v] = word;
    }
}

void AddressMap::decode_by_parts(uint64_t address, uint32_t* value) const {
  for (const Part& p : parts_)
    value[p.field] |= static_cast<uint32_t>((address >> p.address_shift) & ((uint64_t{1} << p.width) - 1))
                      << p.field_shift;
}

DecodedAddress AddressMap::decode(uint64_t address) const {
  // Address bits above the map's width are ignored, as by the part-wise decode (callers check the capacity).
  uint64_t word = 0;
  for (size_t i = 0; i < 8; ++i) word |= byte_tables_[i][(address >> (8 * i)) & 0xFF];
  auto field = [&](Field f) { return static_cast<uint32_t>((word >> packed_shift_[f]) & packed_mask_[f]); };
  DecodedAddress d;
  d.channel = field(kChannel);
  d.bank_group = field(kBankGroup);
  d.bank = d.bank_group * banks_per_group_ + field(kBank);
  d.row = field(kRow);
  d.column = field(kColumn);
  return d;
}

uint64_t AddressMap::encode(const DecodedAddress& where) const {
  uint32_t value[kFieldCount] = {};
  value[kChannel] = where.channel;
  value[kBankGroup] = where.bank_group;
  value[kBank] = where.bank % banks_per_group_;
  value[kRow] = where.row;
  value[kColumn] = where.column;
  uint64_t address = 0;
  for (const Part& p : parts_)
    address |= uint64_t((value[p.field] >> p.field_shift) & ((uint64_t{1} << p.width) - 1)) << p.address_shift;
  return address;
}

}  // namespace dacapo::dram
