#include <zlib.h>

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "scenarios/src/idx_reader.h"

using namespace dacapo::scenarios;

namespace {

std::string temp_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("dacapo_idx_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

std::vector<std::uint8_t> be32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
          static_cast<std::uint8_t>(v)};
}

std::vector<std::uint8_t> idx_images(std::uint32_t magic, std::uint32_t n, std::uint32_t rows, std::uint32_t cols,
                                     std::size_t payload) {
  std::vector<std::uint8_t> b;
  for (std::uint32_t v : {magic, n, rows, cols}) {
    auto w = be32(v);
    b.insert(b.end(), w.begin(), w.end());
  }
  for (std::size_t i = 0; i < payload; ++i) b.push_back(static_cast<std::uint8_t>(i * 7));
  return b;
}

std::vector<std::uint8_t> idx_labels(std::uint32_t magic, std::uint32_t n, const std::vector<std::uint8_t>& labels) {
  std::vector<std::uint8_t> b;
  for (std::uint32_t v : {magic, n}) {
    auto w = be32(v);
    b.insert(b.end(), w.begin(), w.end());
  }
  b.insert(b.end(), labels.begin(), labels.end());
  return b;
}

void write_raw(const std::string& path, const std::vector<std::uint8_t>& b) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

void write_gz(const std::string& path, const std::vector<std::uint8_t>& b) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, b.data(), static_cast<unsigned>(b.size())) == static_cast<int>(b.size()));
  gzclose(f);
}

// Expects load_idx_pair to throw, with the named file and the phrase in the message.
void expect_error(const std::string& images, const std::string& labels, const std::string& file_in_message,
                  const std::string& phrase) {
  try {
    load_idx_pair(images, labels);
    FAIL("no error for " << phrase);
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find(file_in_message) != std::string::npos);
    CHECK(msg.find(phrase) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("Fashion-MNIST loads from the Debian package with its published counts and statistics") {
  const FashionMnist d = load_fashion_mnist();
  REQUIRE(d.train.count() == 60000);
  REQUIRE(d.test.count() == 10000);
  CHECK(d.train.rows == 28);
  CHECK(d.train.cols == 28);
  // Fashion-MNIST is balanced: 6000 train and 1000 test images per class.
  std::vector<int> train_hist(10), test_hist(10);
  for (auto l : d.train.labels) ++train_hist[l];
  for (auto l : d.test.labels) ++test_hist[l];
  for (int c = 0; c < 10; ++c) {
    CHECK(train_hist[c] == 6000);
    CHECK(test_hist[c] == 1000);
  }
  // Widely published normalisation constants of the train split: mean 0.2860, std 0.3530.
  double sum = 0, sq = 0;
  for (auto p : d.train.pixels) {
    sum += p / 255.0;
    sq += (p / 255.0) * (p / 255.0);
  }
  const double n = static_cast<double>(d.train.pixels.size());
  const double mean = sum / n, sd = std::sqrt(sq / n - mean * mean);
  CHECK(mean == Approx(0.2860).margin(0.0005));
  CHECK(sd == Approx(0.3530).margin(0.0005));
}

TEST_CASE("idx reader reads small plain and gzip files exactly") {
  const std::string img = temp_path("ok-images.gz"), lab = temp_path("ok-labels");
  write_gz(img, idx_images(0x803, 3, 2, 4, 24));
  write_raw(lab, idx_labels(0x801, 3, {2, 0, 9}));
  const ImageSet s = load_idx_pair(img, lab);
  REQUIRE(s.count() == 3);
  CHECK(s.rows == 2);
  CHECK(s.cols == 4);
  CHECK(s.labels == std::vector<std::uint8_t>{2, 0, 9});
  CHECK(s.image(2)[0] == static_cast<std::uint8_t>(16 * 7));
  CHECK(s.image(1)[7] == static_cast<std::uint8_t>(15 * 7));
}

TEST_CASE("idx reader rejects missing and corrupt files naming the file") {
  const std::string good_img = temp_path("g-images"), good_lab = temp_path("g-labels");
  write_raw(good_img, idx_images(0x803, 2, 3, 3, 18));
  write_raw(good_lab, idx_labels(0x801, 2, {1, 2}));
  REQUIRE_NOTHROW(load_idx_pair(good_img, good_lab));

  expect_error(temp_path("does-not-exist"), good_lab, "does-not-exist", "cannot open");
  const std::string bad_magic = temp_path("bad-magic");
  write_raw(bad_magic, idx_images(0x801, 2, 3, 3, 18));
  expect_error(bad_magic, good_lab, "bad-magic", "bad magic");
  const std::string truncated = temp_path("truncated");
  write_raw(truncated, idx_images(0x803, 2, 3, 3, 17));
  expect_error(truncated, good_lab, "truncated", "truncated");
  const std::string trailing = temp_path("trailing");
  write_raw(trailing, idx_images(0x803, 2, 3, 3, 19));
  expect_error(trailing, good_lab, "trailing", "trailing data");
  const std::string short_header = temp_path("short-header");
  write_raw(short_header, {0, 0, 8});
  expect_error(short_header, good_lab, "short-header", "too short");
  const std::string count_mismatch = temp_path("count-mismatch");
  write_raw(count_mismatch, idx_labels(0x801, 3, {1, 2, 3}));
  expect_error(good_img, count_mismatch, "count-mismatch", "has 3 labels but");
  const std::string bad_label = temp_path("bad-label");
  write_raw(bad_label, idx_labels(0x801, 2, {1, 10}));
  expect_error(good_img, bad_label, "bad-label", "label 10");

  // A gzip stream cut in half, and one with its deflate data overwritten.
  const std::string full_gz = temp_path("full.gz");
  write_gz(full_gz, idx_images(0x803, 200, 28, 28, 200 * 784));
  std::ifstream in(full_gz, std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string cut = temp_path("cut.gz");
  write_raw(cut, std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() / 2)));
  expect_error(cut, good_lab, "cut.gz", "corrupt or truncated gzip");
  std::vector<std::uint8_t> garbled = bytes;
  for (std::size_t i = 12; i < 40 && i < garbled.size(); ++i) garbled[i] = 0xff;
  const std::string bad_gz = temp_path("garbled.gz");
  write_raw(bad_gz, garbled);
  expect_error(bad_gz, good_lab, "garbled.gz", "corrupt or truncated gzip");
}

TEST_CASE("load_fashion_mnist names the missing file in a wrong directory") {
  try {
    load_fashion_mnist("/nonexistent-dir");
    FAIL("no error");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("/nonexistent-dir/train-images-idx3-ubyte.gz") != std::string::npos);
  }
}
