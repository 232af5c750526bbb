// Golden vectors from the DaCapo authors' quantizer (test/data/mx, DESIGN.md §3): every row, all three formats.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/mx/mx.h"
#include "test/mx/csv_rows.h"

using namespace dacapo::mx;
using namespace dacapo::mx::test;

namespace {
__extension__ typedef __int128 int128;  // exact sums of block results (GCC/Clang extension)

std::array<float, kBlock> block_from_cells(const std::vector<std::string>& cells, size_t first) {
  std::array<float, kBlock> x{};
  for (int i = 0; i < kBlock; ++i) x[size_t(i)] = float_from_hex(cells.at(first + size_t(i)));
  return x;
}

std::vector<Block> encode_vector(const std::string& hex_list, Format f) {
  const auto cells = split(hex_list, ';');
  REQUIRE(cells.size() % kBlock == 0);
  std::vector<Block> blocks;
  for (size_t j = 0; j < cells.size(); j += kBlock) {
    const auto x = block_from_cells(cells, j);
    blocks.push_back(encode(x.data(), f));
  }
  return blocks;
}
}  // namespace

TEST_CASE("quant.csv: quantize-dequantize matches every golden row", "[mx][golden]") {
  const auto rows = read_csv(data_path("quant.csv"));
  REQUIRE(rows.size() > 2000);
  std::array<int, 3> per_format{};
  for (const auto& row : rows) {
    INFO("quant.csv line " << row.line);
    REQUIRE(row.cells.size() == 2 + 2 * kBlock);
    const Format f = parse_format(row.cells[0]);
    ++per_format[size_t(f)];
    const auto x = block_from_cells(row.cells, 2);
    std::array<float, kBlock> y{};
    quantize(x.data(), f, y.data());
    for (int i = 0; i < kBlock; ++i) {
      INFO("element " << i);
      const float expected = float_from_hex(row.cells[size_t(2 + kBlock + i)]);
      REQUIRE(y[size_t(i)] == expected);  // ±0 compare equal
    }
  }
  for (int n : per_format) CHECK(n > 600);
}

TEST_CASE("encode.csv: encoded fields match every golden row", "[mx][golden]") {
  const auto rows = read_csv(data_path("encode.csv"));
  REQUIRE(rows.size() > 1500);
  for (const auto& row : rows) {
    INFO("encode.csv line " << row.line);
    REQUIRE(row.cells.size() == 2 + kBlock + 3 + kBlock);
    const Format f = parse_format(row.cells[0]);
    const auto x = block_from_cells(row.cells, 2);
    const Block b = encode(x.data(), f);
    CHECK(int(b.shared_exp) == std::stoi(row.cells[18]));
    const std::string& micro = row.cells[19];
    const std::string& signs = row.cells[20];
    REQUIRE(micro.size() == size_t(kPairs));
    REQUIRE(signs.size() == size_t(kBlock));
    for (int p = 0; p < kPairs; ++p) CHECK(b.micro(p) == (micro[size_t(p)] == '1'));
    for (int i = 0; i < kBlock; ++i) CHECK(b.sign(i) == (signs[size_t(i)] == '1'));
    for (int i = 0; i < kBlock; ++i) CHECK(int(b.mag[size_t(i)]) == std::stoi(row.cells[size_t(21 + i)]));
    // The packed form carries exactly these fields.
    std::array<uint8_t, 18> packed{};
    pack(b, f, packed.data());
    CHECK(unpack(packed.data(), f) == b);
  }
}

TEST_CASE("dot.csv: exact block sums reproduce dot_mx_exact and FP32 accumulation stays within its bound", "[mx][golden]") {
  const auto rows = read_csv(data_path("dot.csv"));
  REQUIRE(rows.size() >= 200);
  for (const auto& row : rows) {
    INFO("dot.csv line " << row.line << " case " << row.cells.at(3));
    REQUIRE(row.cells.size() == 8);
    const Format f = parse_format(row.cells[0]);
    const int k = std::stoi(row.cells[2]);
    const auto a = encode_vector(row.cells[4], f);
    const auto b = encode_vector(row.cells[5], f);
    REQUIRE(a.size() == size_t(k));
    REQUIRE(b.size() == size_t(k));
    const double expected = double_from_hex(row.cells[7]);

    // Exact sum of the per-block integer sums: bring all to the smallest scale in 128-bit integers.
    std::vector<ExactBlockDot> parts;
    int min_scale = 100000;
    for (int j = 0; j < k; ++j) {
      parts.push_back(block_dot_exact(a[size_t(j)], f, b[size_t(j)], f));
      REQUIRE_FALSE(parts.back().nan);
      min_scale = std::min(min_scale, parts.back().scale_exp);
    }
    int128 total = 0;
    for (const auto& part : parts) {
      const int shift = part.scale_exp - min_scale;
      REQUIRE(shift < 100);  // keeps |total| far below 2^127
      total += static_cast<int128>(part.sum) * (static_cast<int128>(1) << shift);
    }
    const double exact = std::ldexp(static_cast<double>(total), min_scale);  // one rounding, to nearest
    CHECK(exact == expected);

    // The same, summing each block's exact double value in double (what "summed in double" means).
    double in_double = 0.0;
    for (int j = 0; j < k; ++j) in_double += block_dot_double(a[size_t(j)], f, b[size_t(j)], f);
    CHECK(in_double == expected);

    // The DPE: per-block results rounded to FP32 and accumulated in FP32. Error bound: each of the 2k roundings
    // (block result, accumulation) errs by at most half an ulp of its result: u·|value| with u = 2^-24, plus
    // 2^-150 each in the subnormal range.
    const float dpe = dot(a.data(), f, b.data(), f, size_t(k));
    double bound = 0.0;
    float partial = 0.0f;
    for (int j = 0; j < k; ++j) {
      const float bd = block_dot(a[size_t(j)], f, b[size_t(j)], f);
      partial += bd;
      bound += (std::fabs(double(bd)) + std::fabs(double(partial))) * 0x1.0p-24 + 2 * 0x1.0p-150;
    }
    CHECK(partial == dpe);
    CHECK(std::fabs(double(dpe) - expected) <= bound);
  }
}
