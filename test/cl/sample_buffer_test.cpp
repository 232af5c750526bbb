#include <catch2/catch.hpp>

#include <map>

#include "firmware/cl/sample_buffer.h"

using namespace dacapo::cl;

namespace {
std::vector<Sample> class_block(int label, FrameId first, size_t n) {
  std::vector<Sample> out;
  for (size_t i = 0; i < n; ++i) out.push_back(Sample{first + i, label});
  return out;
}
}  // namespace

TEST_CASE("Push puts the batch in front with classes interleaved round robin") {
  SampleBuffer b(100);
  b.push({{10, 1}, {11, 0}, {12, 1}, {13, 2}, {14, 1}});
  // Round robin in class order: class 0's first, class 1's first, class 2's first, then class 1's second, third.
  const std::vector<Sample> first{{11, 0}, {10, 1}, {13, 2}, {12, 1}, {14, 1}};
  REQUIRE(std::vector<Sample>(b.entries().begin(), b.entries().end()) == first);
  b.push({{20, 5}, {21, 3}});
  const std::vector<Sample> both{{21, 3}, {20, 5}, {11, 0}, {10, 1}, {13, 2}, {12, 1}, {14, 1}};
  REQUIRE(std::vector<Sample>(b.entries().begin(), b.entries().end()) == both);
}

TEST_CASE("Capacity evicts the oldest samples") {
  SampleBuffer b(5);
  b.push(class_block(0, 0, 4));
  b.push(class_block(1, 100, 3));
  REQUIRE(b.size() == 5);
  // Newest block (100..102) first, then the two newest-inserted of the old block survive: frames 0 and 1.
  const std::vector<Sample> expect{{100, 1}, {101, 1}, {102, 1}, {0, 0}, {1, 0}};
  REQUIRE(std::vector<Sample>(b.entries().begin(), b.entries().end()) == expect);
  b.clear();
  REQUIRE(b.empty());
  REQUIRE_THROWS(SampleBuffer(0));
}

TEST_CASE("Draw is class stratified with floor shares and a top up in class order") {
  SampleBuffer b(1000);
  b.push(class_block(2, 2000, 20));
  b.push(class_block(1, 1000, 30));
  b.push(class_block(0, 0, 50));
  REQUIRE(b.size() == 100);
  // 43 of 100: floors 21.5 -> 21, 12.9 -> 12, 8.6 -> 8 (41); top up class 0 then class 1 -> 22, 13, 8.
  const auto d = b.draw(43, 4);
  std::map<int, size_t> total, valid;
  for (const auto& s : d.train) ++total[s.label];
  for (const auto& s : d.valid) {
    ++total[s.label];
    ++valid[s.label];
  }
  REQUIRE(total[0] == 22);
  REQUIRE(total[1] == 13);
  REQUIRE(total[2] == 8);
  // Every 4th pick of a class validates: floor(22/4), floor(13/4), floor(8/4).
  REQUIRE(valid[0] == 5);
  REQUIRE(valid[1] == 3);
  REQUIRE(valid[2] == 2);
  REQUIRE(d.train.size() + d.valid.size() == 43);
}

TEST_CASE("Draw takes a regular stride from the newest within a class") {
  SampleBuffer b(100);
  b.push(class_block(0, 0, 10));  // one class: buffer order is frames 0..9 (as pushed, 0 is newest)
  const auto d = b.draw(3, 0);
  REQUIRE(d.valid.empty());
  // stride floor(10/3) = 3 from the newest: entries 0, 3, 6.
  const std::vector<Sample> expect{{0, 0}, {3, 0}, {6, 0}};
  REQUIRE(d.train == expect);
  const auto v = b.draw(8, 4);  // stride 1: picks 0..7, the 4th and 8th validate
  const std::vector<Sample> valid{{3, 0}, {7, 0}};
  REQUIRE(v.valid == valid);
  REQUIRE(v.train.size() == 6);
}

TEST_CASE("Release values draw 324 training and 108 validation samples") {
  SampleBuffer b(1080);
  for (int c = 0; c < 9; ++c) b.push(class_block(c, 1000 * c, 120));
  REQUIRE(b.size() == 1080);
  const auto d = b.draw(432, 4);
  REQUIRE(d.train.size() == 324);
  REQUIRE(d.valid.size() == 108);
  std::map<int, size_t> per_class;
  for (const auto& s : d.valid) ++per_class[s.label];
  for (int c = 0; c < 9; ++c) REQUIRE(per_class[c] == 12);
  // Draw more than held: everything.
  SampleBuffer small(100);
  small.push(class_block(0, 0, 7));
  REQUIRE(small.draw(432, 4).train.size() + small.draw(432, 4).valid.size() == 7);
}

TEST_CASE("Label sampling uses the stride floor of the range over the count") {
  const auto p = pick_uniform_stride(100, 1000, 108);  // 900 frames / 108 -> stride 8
  REQUIRE(p.size() == 108);
  for (size_t j = 0; j < p.size(); ++j) REQUIRE(p[j] == 100 + 8 * j);
  REQUIRE(pick_uniform_stride(5, 15, 10) == std::vector<FrameId>{5, 6, 7, 8, 9, 10, 11, 12, 13, 14});
  REQUIRE_THROWS(pick_uniform_stride(0, 9, 10));
}
