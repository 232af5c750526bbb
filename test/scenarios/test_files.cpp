// Weight files (format, checks, clear errors) and the PNG encoder (decoded independently with zlib).
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "scenarios/src/png_writer.h"
#include "scenarios/src/weights_file.h"

using namespace dacapo::scenarios;
namespace nn = dacapo::nn;

namespace {

std::string temp_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("dacapo_files_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}
void spit(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::vector<float> student_params() {
  std::vector<float> p(nn::describe(nn::kStudent).parameter_count);
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<float>(i % 97) * 0.01f - 0.3f;
  return p;
}

}  // namespace

TEST_CASE("weight files round-trip and carry both hashes") {
  const std::string path = temp_path("sub/dir/student.dcw");
  save_weights(path, nn::kStudent, 0x1234, student_params());
  const WeightsFile w = load_weights(path, nn::kStudent, 0x1234);
  CHECK(w.params == student_params());
  CHECK(w.model_name == "student");
  CHECK(w.definition_hash == nn::definition_hash(nn::kStudent));
  CHECK(w.inputs_hash == 0x1234);
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  // Size: 8 magic + 4 version + 4 + 7 name + 3·8 + 4·count + 8 checksum.
  CHECK(std::filesystem::file_size(path) == 8 + 4 + 4 + 7 + 24 + 4 * w.params.size() + 8);
  CHECK_THROWS_WITH(save_weights(path, nn::kTeacher, 1, student_params()), Catch::Contains("parameters for teacher"));
}

TEST_CASE("weight files that do not match are rejected with the reason") {
  const std::string path = temp_path("w.dcw");
  save_weights(path, nn::kStudent, 77, student_params());
  const std::string good = slurp(path);

  CHECK_THROWS_WITH(load_weights(temp_path("none.dcw"), nn::kStudent), Catch::Contains("scripts/pretrain.sh"));
  CHECK_THROWS_WITH(load_weights(path, nn::kTeacher), Catch::Contains("holds model 'student', expected 'teacher'"));
  CHECK_THROWS_WITH(load_weights(path, nn::kStudent, 78), Catch::Contains("stale"));
  constexpr nn::LayerDef changed[] = {nn::conv(3, 2, 1, 8), nn::relu(), nn::conv(3, 2, 1, 16), nn::relu(),
                                      nn::linear(24), nn::relu(), nn::linear(10)};
  // The hash depends on the fields only (an identical list hashes the same); a changed layer with the same name
  // must be rejected.
  constexpr nn::LayerDef other[] = {nn::conv(3, 2, 1, 8), nn::relu(), nn::conv(3, 2, 1, 16), nn::relu(),
                                    nn::linear(25), nn::relu(), nn::linear(10)};
  CHECK(nn::definition_hash({"student", {28, 28, 1}, changed, 7}) == nn::definition_hash(nn::kStudent));
  CHECK_THROWS_WITH(load_weights(path, nn::ModelDef{"student", {28, 28, 1}, other, 7}),
                    Catch::Contains("another definition"));

  std::string flipped = good;
  flipped[100] = static_cast<char>(flipped[100] ^ 0x40);
  spit(path, flipped);
  CHECK_THROWS_WITH(load_weights(path, nn::kStudent), Catch::Contains("checksum mismatch"));
  spit(path, good.substr(0, good.size() - 20));
  CHECK_THROWS_WITH(load_weights(path, nn::kStudent), Catch::Contains("truncated"));
  spit(path, good + "x");
  CHECK_THROWS_WITH(load_weights(path, nn::kStudent), Catch::Contains("trailing bytes"));
  spit(path, "hello world, not weights");
  CHECK_THROWS_WITH(load_weights(path, nn::kStudent), Catch::Contains("not a dacapo-vp weight file"));
  std::string v2 = good;
  v2[8] = 2;
  spit(path, v2);
  CHECK_THROWS_WITH(load_weights(path, nn::kStudent), Catch::Contains("format version 2"));
}

TEST_CASE("cache directory: explicit, then DACAPO_CACHE_DIR, XDG_CACHE_HOME, HOME") {
  CHECK(cache_dir("/x/y") == "/x/y");
  CHECK(weights_path("/c", nn::kTeacher) == "/c/fmnist-teacher.dcw");
  const char* saved = std::getenv("DACAPO_CACHE_DIR");
  const std::string saved_value = saved ? saved : "";
  ::setenv("DACAPO_CACHE_DIR", "/from/env", 1);
  CHECK(cache_dir() == "/from/env");
  ::unsetenv("DACAPO_CACHE_DIR");
  ::setenv("XDG_CACHE_HOME", "/xdg", 1);
  CHECK(cache_dir() == "/xdg/dacapo-vp");
  ::unsetenv("XDG_CACHE_HOME");
  ::setenv("HOME", "/home/u", 1);
  CHECK(cache_dir() == "/home/u/.cache/dacapo-vp");
  if (saved) ::setenv("DACAPO_CACHE_DIR", saved_value.c_str(), 1);
}

TEST_CASE("PNG encoder writes valid chunks and the exact pixels") {
  const int w = 5, h = 3;
  std::vector<std::uint8_t> px(w * h);
  for (int i = 0; i < w * h; ++i) px[i] = static_cast<std::uint8_t>(i * 17);
  const std::string path = temp_path("t.png");
  write_png_gray(path, w, h, px);
  const std::string f = slurp(path);
  REQUIRE(f.size() > 8);
  CHECK(f.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  auto be32 = [&](std::size_t at) {
    return (std::uint32_t(std::uint8_t(f[at])) << 24) | (std::uint32_t(std::uint8_t(f[at + 1])) << 16) |
           (std::uint32_t(std::uint8_t(f[at + 2])) << 8) | std::uint32_t(std::uint8_t(f[at + 3]));
  };
  std::size_t at = 8;
  std::vector<std::string> types;
  std::string idat;
  while (at < f.size()) {
    const std::uint32_t len = be32(at);
    const std::string type = f.substr(at + 4, 4);
    const std::string data = f.substr(at + 8, len);
    const uLong crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(f.data() + at + 4), 4 + len);
    CHECK(be32(at + 8 + len) == crc);
    types.push_back(type);
    if (type == "IHDR") {
      CHECK(be32(at + 8) == static_cast<std::uint32_t>(w));
      CHECK(be32(at + 12) == static_cast<std::uint32_t>(h));
      CHECK(data.substr(8) == std::string("\x08\x00\x00\x00\x00", 5));
    }
    if (type == "IDAT") idat += data;
    at += 12 + len;
  }
  CHECK(types == std::vector<std::string>{"IHDR", "IDAT", "IEND"});
  std::vector<std::uint8_t> raw((w + 1) * h);
  uLongf raw_len = raw.size();
  REQUIRE(uncompress(raw.data(), &raw_len, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) == Z_OK);
  REQUIRE(raw_len == raw.size());
  for (int y = 0; y < h; ++y) {
    CHECK(raw[y * (w + 1)] == 0);
    for (int x = 0; x < w; ++x) CHECK(raw[y * (w + 1) + 1 + x] == px[y * w + x]);
  }
  CHECK_THROWS(encode_png_gray(4, 4, px));
}
