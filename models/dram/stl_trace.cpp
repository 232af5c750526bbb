#include "models/dram/stl_trace.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>

namespace dacapo::dram {
namespace {

// Splits on whitespace.
std::vector<std::string> tokens(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) ++i;
    size_t j = i;
    while (j < s.size() && !(s[j] == ' ' || s[j] == '\t' || s[j] == '\r')) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

uint64_t parse_number(const std::string& text, int base, const char* what) {
  if (text.empty() || text[0] == '-' || text[0] == '+') throw TraceError(std::string("bad ") + what + " '" + text + "'");
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, base);
  if (errno != 0 || end != text.c_str() + text.size()) throw TraceError(std::string("bad ") + what + " '" + text + "'");
  return v;
}

}  // namespace

bool parse_stl_line(const std::string& raw, uint64_t default_length, StlRecord& out) {
  std::string line = raw.substr(0, raw.find('#'));
  // The cycle ends at ':' (DRAMSys writes "123:\tread..."; "123 : read" is accepted too).
  const auto colon = line.find(':');
  auto parts = tokens(colon == std::string::npos ? line : line.substr(colon + 1));
  const auto head = tokens(colon == std::string::npos ? line : line.substr(0, colon));
  if (head.empty() && parts.empty()) return false;
  if (colon == std::string::npos) throw TraceError("expected '<cycle>: read|write 0x<address>'");
  if (head.size() != 1) throw TraceError("expected one cycle number before ':'");
  out.cycle = parse_number(head[0], 10, "cycle");
  size_t k = 0;
  out.length = default_length;
  if (k < parts.size() && parts[k].front() == '(') {
    const std::string& p = parts[k];
    if (p.size() < 3 || p.back() != ')') throw TraceError("bad length '" + p + "' (expected '(<bytes>)')");
    out.length = parse_number(p.substr(1, p.size() - 2), 10, "length");
    if (out.length == 0) throw TraceError("zero length");
    ++k;
  }
  if (k >= parts.size()) throw TraceError("missing command (read|write)");
  if (parts[k] == "read") {
    out.write = false;
  } else if (parts[k] == "write") {
    out.write = true;
  } else {
    throw TraceError("unknown command '" + parts[k] + "' (expected read or write)");
  }
  ++k;
  if (k >= parts.size()) throw TraceError("missing address");
  const std::string& a = parts[k];
  if (a.size() < 3 || a[0] != '0' || (a[1] != 'x' && a[1] != 'X'))
    throw TraceError("bad address '" + a + "' (expected 0x<hex>)");
  out.address = parse_number(a.substr(2), 16, "address");
  ++k;
  if (k < parts.size()) {  // optional data (hex), ignored
    const std::string& d = parts[k];
    if (d.size() < 3 || d[0] != '0' || (d[1] != 'x' && d[1] != 'X') ||
        d.find_first_not_of("0123456789abcdefABCDEF", 2) != std::string::npos)
      throw TraceError("unexpected '" + d + "' after the address (only 0x<hex> data may follow)");
    if (!out.write) throw TraceError("data given for a read");
    ++k;
  }
  if (k < parts.size()) throw TraceError("unexpected '" + parts[k] + "' at end of line");
  return true;
}

std::vector<StlRecord> read_stl(std::istream& in, const std::string& origin, uint64_t default_length) {
  std::vector<StlRecord> records;
  std::string line;
  uint64_t line_no = 0;
  uint64_t previous_cycle = 0;
  while (std::getline(in, line)) {
    ++line_no;
    StlRecord r;
    try {
      if (!parse_stl_line(line, default_length, r)) continue;
      if (r.cycle < previous_cycle)
        throw TraceError("cycle " + std::to_string(r.cycle) + " is before the previous line's " +
                         std::to_string(previous_cycle) + " (cycles must not decrease)");
    } catch (const TraceError& e) {
      throw TraceError(origin + ":" + std::to_string(line_no) + ": " + e.what());
    }
    previous_cycle = r.cycle;
    r.line = line_no;
    records.push_back(r);
  }
  if (in.bad()) throw TraceError(origin + ": read error");
  return records;
}

std::vector<StlRecord> read_stl_file(const std::string& path, uint64_t default_length) {
  std::ifstream in(path);
  if (!in) throw TraceError(path + ": cannot open trace file");
  return read_stl(in, path, default_length);
}

void write_stl(std::ostream& out, const std::vector<StlRecord>& records) {
  out << "# dacapo-vp LPDDR5 traffic: <CK cycle>: (<bytes>) read|write 0x<DRAM-local address>\n";
  char buf[96];
  for (const StlRecord& r : records) {
    std::snprintf(buf, sizeof buf, "%llu:\t(%llu)\t%s\t0x%llx\n", static_cast<unsigned long long>(r.cycle),
                  static_cast<unsigned long long>(r.length), r.write ? "write" : "read",
                  static_cast<unsigned long long>(r.address));
    out << buf;
  }
}

}  // namespace dacapo::dram
