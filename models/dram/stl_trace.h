// DRAMSys's .stl trace format (StlPlayer), one request per line:
//   <cycle>: [(<length>)] read|write 0x<address> [0x<data>]
// <cycle> is an absolute clock cycle (here: DRAM CK cycles, non-decreasing), <length> in bytes (default: one
// burst, 32 B, as DRAMSys defaults to the memspec's burst size), optional write data is accepted and ignored.
// '#' starts a comment; blank lines are skipped.
#pragma once

#include <cstdint>
#include <istream>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace dacapo::dram {

struct StlRecord {
  uint64_t cycle = 0;
  bool write = false;
  uint64_t address = 0;
  uint64_t length = 0;
  uint64_t line = 0;  // line in the source file (0 when not read from a file)
};

class TraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses one line. Returns false for blank/comment lines; throws TraceError("<what>") on malformed input.
bool parse_stl_line(const std::string& line, uint64_t default_length, StlRecord& out);
// Reads a whole trace; errors name "<file>:<line>: ...". `origin` is the file name used in messages.
std::vector<StlRecord> read_stl(std::istream& in, const std::string& origin, uint64_t default_length);
std::vector<StlRecord> read_stl_file(const std::string& path, uint64_t default_length);
void write_stl(std::ostream& out, const std::vector<StlRecord>& records);

}  // namespace dacapo::dram
