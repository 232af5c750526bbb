// mx-convert: quantize blocks of 16 FP32 values to MX4/MX6/MX9 from the command line (DESIGN.md §3).
//
// Input (stdin or --input): CSV lines "fmt,x0,...,x15", fmt = MX4|MX6|MX9, x = FP32 bit patterns as 8 hex digits
// (e.g. c0337bda). An optional header line starting with "fmt" is allowed; blank lines are skipped.
// Output: "fmt,y0,...,y15" with the dequantized values as 8 hex digits, or with --encode the encoded fields
// "fmt,x0..x15,shared_exp_biased,micro_bits_p0..p7,sign_bits_e0..e15,mag0..mag15" (the columns of
// test/data/mx/encode.csv without its "case" column; micro and sign bits as 0/1 strings, pair 0 / element 0 first).
// A header line is written when the input has one. Nothing is written unless every line is valid.
#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/mx/mx.h"

namespace po = boost::program_options;
using namespace dacapo::mx;

namespace {

struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

float parse_hex_float(const std::string& cell, int column) {
  const std::string text = trim(cell);
  bool ok = text.size() == 8;
  for (char ch : text) ok = ok && std::isxdigit(static_cast<unsigned char>(ch));
  if (!ok)
    throw InputError(fmt::format("column {} (x{}): '{}' is not an FP32 bit pattern of 8 hex digits", column + 1,
                                 column - 1, text));
  const uint32_t bits = uint32_t(std::stoul(text, nullptr, 16));
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

uint32_t bits_of(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

std::string header_line(bool encode_fields) {
  std::string h = "fmt";
  for (int i = 0; i < kBlock; ++i) h += fmt::format(",{}{}", encode_fields ? "x" : "y", i);
  if (encode_fields) {
    h += ",shared_exp_biased,micro_bits_p0..p7,sign_bits_e0..e15";
    for (int i = 0; i < kBlock; ++i) h += fmt::format(",mag{}", i);
  }
  return h + "\n";
}

std::string convert_line(const std::string& line, bool encode_fields, Rounder& rounder, ConversionStats& stats) {
  const auto cells = split_commas(line);
  if (cells.size() != size_t(1 + kBlock))
    throw InputError(fmt::format("expected 17 comma-separated fields (fmt,x0..x15), found {}", cells.size()));
  Format f;
  const std::string format_text = trim(cells[0]);
  if (!try_parse_format(format_text, f))
    throw InputError(fmt::format("column 1 (fmt): unknown format '{}' (expected MX4, MX6 or MX9)", format_text));
  float x[kBlock];
  for (int i = 0; i < kBlock; ++i) x[i] = parse_hex_float(cells[size_t(1 + i)], 1 + i);
  const Block b = encode(x, f, rounder, &stats);
  std::string out = to_string(f);
  if (!encode_fields) {
    float y[kBlock];
    decode(b, f, y);
    for (float v : y) out += fmt::format(",{:08x}", bits_of(v));
    return out + "\n";
  }
  for (float v : x) out += fmt::format(",{:08x}", bits_of(v));
  out += fmt::format(",{},", int(b.shared_exp));
  for (int p = 0; p < kPairs; ++p) out += b.micro(p) ? '1' : '0';
  out += ',';
  for (int i = 0; i < kBlock; ++i) out += b.sign(i) ? '1' : '0';
  for (int i = 0; i < kBlock; ++i) out += fmt::format(",{}", int(b.mag[size_t(i)]));
  return out + "\n";
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description options(
      "mx-convert: quantize CSV lines \"fmt,x0,...,x15\" (FP32 bit patterns in hex) to MX4/MX6/MX9\n"
      "and print the dequantized values (or, with --encode, the encoded fields)\n\nOptions");
  std::string rounding_text = "truncate", input_path, output_path;
  uint64_t seed = 0;
  options.add_options()
      ("help,h", "print this help")
      ("encode,e", "print the encoded fields (columns of test/data/mx/encode.csv without 'case')")
      ("rounding,r", po::value(&rounding_text)->default_value("truncate"),
       "truncate (the hardware) | nearest-even | stochastic")
      ("seed,s", po::value(&seed)->default_value(0), "seed of the stochastic rounding stream")
      ("input,i", po::value(&input_path), "read this file instead of stdin")
      ("output,o", po::value(&output_path), "write this file instead of stdout (only if every line is valid)")
      ("stats", "print the conversion counters (blocks, NaN blocks) to stderr");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, options), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "mx-convert: %s (see --help)\n", e.what());
    return 2;
  }
  if (vm.count("help")) {
    std::cout << options << "\n";
    return 0;
  }
  Rounder rounder;
  try {
    rounder.mode = parse_rounding(rounding_text);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "mx-convert: --rounding: %s\n", e.what());
    return 2;
  }
  rounder.state = seed;
  const bool encode_fields = vm.count("encode") > 0;

  std::ifstream file;
  if (!input_path.empty()) {
    file.open(input_path);
    if (!file) {
      std::fprintf(stderr, "mx-convert: cannot open %s: %s\n", input_path.c_str(), std::strerror(errno));
      return 1;
    }
  }
  std::istream& in = input_path.empty() ? std::cin : file;
  const std::string source = input_path.empty() ? "<stdin>" : input_path;

  ConversionStats stats;
  std::string output, line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    const std::string content = trim(line);
    if (content.empty()) continue;
    if (line_number == 1 && (content.rfind("fmt", 0) == 0 || content.rfind("FMT", 0) == 0)) {
      output += header_line(encode_fields);
      continue;
    }
    try {
      output += convert_line(content, encode_fields, rounder, stats);
    } catch (const InputError& e) {
      std::fprintf(stderr, "mx-convert: %s:%d: %s\n", source.c_str(), line_number, e.what());
      return 1;
    }
  }
  if (in.bad()) {
    std::fprintf(stderr, "mx-convert: %s: read error\n", source.c_str());
    return 1;
  }
  if (output_path.empty()) {
    std::fwrite(output.data(), 1, output.size(), stdout);
    if (std::fflush(stdout) != 0) return 1;
  } else {
    const std::string tmp = output_path + ".tmp";
    std::ofstream out(tmp, std::ios::binary);
    out.write(output.data(), std::streamsize(output.size()));
    out.close();
    if (!out || std::rename(tmp.c_str(), output_path.c_str()) != 0) {
      std::fprintf(stderr, "mx-convert: cannot write %s\n", output_path.c_str());
      std::remove(tmp.c_str());
      return 1;
    }
  }
  if (vm.count("stats"))
    std::fprintf(stderr, "mx-convert: %llu blocks, %llu NaN blocks\n", (unsigned long long)stats.blocks,
                 (unsigned long long)stats.nan_blocks);
  return 0;
}
