// Small helpers for the MX golden-vector CSV files (test/data/mx/*.csv).
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace dacapo::mx::test {

struct CsvRow {
  int line = 0;  // 1-based line number in the file
  std::vector<std::string> cells;
};

inline std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(sep, start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// All data rows of a CSV file (the header line is skipped).
inline std::vector<CsvRow> read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<CsvRow> rows;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1 || line.empty()) continue;
    rows.push_back({number, split(line, ',')});
  }
  return rows;
}

inline float float_from_hex(const std::string& hex) {
  const uint32_t u = uint32_t(std::stoul(hex, nullptr, 16));
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

inline double double_from_hex(const std::string& hex) {
  const uint64_t u = std::stoull(hex, nullptr, 16);
  double d;
  std::memcpy(&d, &u, sizeof d);
  return d;
}

inline std::string data_path(const char* name) { return std::string(DACAPO_TEST_DATA_DIR) + "/mx/" + name; }

}  // namespace dacapo::mx::test
