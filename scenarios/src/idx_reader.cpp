#include "scenarios/src/idx_reader.h"

#include <zlib.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace dacapo::scenarios {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

std::uint32_t be32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
         std::uint32_t{b[at + 3]};
}

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) fail(path, "cannot open (missing file? Debian package dataset-fashion-mnist installs it)");
  std::vector<std::uint8_t> out;
  std::uint8_t buf[1 << 16];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) out.insert(out.end(), buf, buf + n);
  if (std::ferror(f.get())) fail(path, "read error");
  return out;
}

// Inflates a whole gzip stream; a truncated or corrupt stream is an error (not a silently short result).
std::vector<std::uint8_t> gunzip(const std::string& path, const std::vector<std::uint8_t>& in) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) fail(path, "zlib inflateInit2 failed");
  std::vector<std::uint8_t> out;
  std::uint8_t buf[1 << 16];
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = buf;
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      const std::string msg = zs.msg ? zs.msg : (rc == Z_BUF_ERROR ? "unexpected end of data" : "inflate error");
      inflateEnd(&zs);
      fail(path, "corrupt or truncated gzip data (" + msg + ")");
    }
    out.insert(out.end(), buf, buf + (sizeof buf - zs.avail_out));
  }
  inflateEnd(&zs);
  return out;
}

void check_payload(const std::string& path, const std::vector<std::uint8_t>& b, std::size_t header,
                   std::size_t expected_payload) {
  const std::size_t have = b.size() - header;
  if (have != expected_payload)
    fail(path, "payload is " + std::to_string(have) + " bytes, the header promises " +
                   std::to_string(expected_payload) + (have < expected_payload ? " (truncated)" : " (trailing data)"));
}

}  // namespace

std::vector<std::uint8_t> read_maybe_gzip(const std::string& path) {
  std::vector<std::uint8_t> raw = read_file(path);
  if (raw.size() >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) return gunzip(path, raw);
  return raw;
}

ImageSet load_idx_pair(const std::string& images_path, const std::string& labels_path, int num_classes) {
  ImageSet set;
  {
    std::vector<std::uint8_t> b = read_maybe_gzip(images_path);
    if (b.size() < 16) fail(images_path, "too short for an idx3 header (" + std::to_string(b.size()) + " bytes)");
    const std::uint32_t magic = be32(b, 0);
    if (magic != 0x00000803u)
      fail(images_path, "bad magic 0x" + [&] {
        char s[9];
        std::snprintf(s, sizeof s, "%08x", magic);
        return std::string(s);
      }() + " (expected 0x00000803: unsigned bytes, 3 dimensions)");
    const std::uint32_t n = be32(b, 4), rows = be32(b, 8), cols = be32(b, 12);
    if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096)
      fail(images_path, "implausible image size " + std::to_string(rows) + "x" + std::to_string(cols));
    check_payload(images_path, b, 16, std::size_t{n} * rows * cols);
    set.rows = static_cast<int>(rows);
    set.cols = static_cast<int>(cols);
    set.pixels.assign(b.begin() + 16, b.end());
  }
  {
    std::vector<std::uint8_t> b = read_maybe_gzip(labels_path);
    if (b.size() < 8) fail(labels_path, "too short for an idx1 header (" + std::to_string(b.size()) + " bytes)");
    if (be32(b, 0) != 0x00000801u) fail(labels_path, "bad magic (expected 0x00000801: unsigned bytes, 1 dimension)");
    const std::uint32_t n = be32(b, 4);
    check_payload(labels_path, b, 8, n);
    set.labels.assign(b.begin() + 8, b.end());
    for (std::size_t i = 0; i < set.labels.size(); ++i)
      if (set.labels[i] >= num_classes)
        fail(labels_path, "label " + std::to_string(set.labels[i]) + " at index " + std::to_string(i) +
                              " is outside 0.." + std::to_string(num_classes - 1));
  }
  const std::size_t images = set.pixels.size() / set.image_size();
  if (images != set.labels.size())
    fail(labels_path, "has " + std::to_string(set.labels.size()) + " labels but " + images_path + " has " +
                          std::to_string(images) + " images");
  return set;
}

FashionMnist load_fashion_mnist(const std::string& dir) {
  auto load = [&](const char* prefix, std::size_t expected) {
    const std::string images = dir + "/" + prefix + "-images-idx3-ubyte.gz";
    const std::string labels = dir + "/" + prefix + "-labels-idx1-ubyte.gz";
    ImageSet s = load_idx_pair(images, labels, 10);
    if (s.rows != 28 || s.cols != 28) fail(images, "expected 28x28 images");
    if (s.count() != expected)
      fail(images, "expected " + std::to_string(expected) + " images, found " + std::to_string(s.count()));
    return s;
  };
  FashionMnist d;
  d.train = load("train", 60000);
  d.test = load("t10k", 10000);
  return d;
}

}  // namespace dacapo::scenarios
