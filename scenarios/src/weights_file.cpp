#include "scenarios/src/weights_file.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "scenarios/src/rng.h"

namespace dacapo::scenarios {
namespace {

constexpr char kMagic[8] = {'D', 'C', 'V', 'P', 'W', 'T', 'S', '\0'};

void put_u32(std::string& out, std::uint32_t v) {
  for (int b = 0; b < 4; ++b) out.push_back(static_cast<char>((v >> (8 * b)) & 0xffu));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int b = 0; b < 8; ++b) out.push_back(static_cast<char>((v >> (8 * b)) & 0xffu));
}

class Reader {
 public:
  Reader(const std::string& path, const std::string& bytes) : path_(path), b_(bytes) {}
  std::uint64_t uint(int n, const char* what) {
    need(static_cast<std::size_t>(n), what);
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= std::uint64_t{static_cast<unsigned char>(b_[pos_ + i])} << (8 * i);
    pos_ += static_cast<std::size_t>(n);
    return v;
  }
  std::string bytes(std::size_t n, const char* what) {
    need(n, what);
    std::string s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::size_t pos() const { return pos_; }
  [[noreturn]] void fail(const std::string& what) const { throw std::runtime_error(path_ + ": " + what); }

 private:
  void need(std::size_t n, const char* what) const {
    if (b_.size() - pos_ < n) fail(std::string("truncated (while reading ") + what + ")");
  }
  const std::string& path_;
  const std::string& b_;
  std::size_t pos_ = 0;
};

std::string hex(std::uint64_t v) {
  char s[17];
  std::snprintf(s, sizeof s, "%016llx", static_cast<unsigned long long>(v));
  return s;
}

}  // namespace

void save_weights(const std::string& path, const nn::ModelDef& def, std::uint64_t inputs_hash,
                  const std::vector<float>& params) {
  const nn::ModelInfo info = nn::describe(def);
  if (!info.error.empty()) throw std::invalid_argument(info.error);
  if (params.size() != info.parameter_count)
    throw std::invalid_argument(path + ": " + std::to_string(params.size()) + " parameters for " + def.name +
                                " which has " + std::to_string(info.parameter_count));
  std::string out(kMagic, sizeof kMagic);
  put_u32(out, kWeightsFormatVersion);
  const std::string name = def.name;
  put_u32(out, static_cast<std::uint32_t>(name.size()));
  out += name;
  put_u64(out, nn::definition_hash(def));
  put_u64(out, inputs_hash);
  put_u64(out, params.size());
  for (float f : params) {
    std::uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    put_u32(out, bits);
  }
  Fnv1a h;
  h.bytes(out.data(), out.size());
  put_u64(out, h.value());

  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error(tmp + ": cannot create");
    f.write(out.data(), static_cast<std::streamsize>(out.size()));
    f.flush();
    if (!f) throw std::runtime_error(tmp + ": write failed");
  }
  std::filesystem::rename(tmp, target);
}

WeightsFile load_weights(const std::string& path, const nn::ModelDef& def,
                         std::optional<std::uint64_t> expected_inputs_hash) {
  std::ifstream f(path, std::ios::binary);
  if (!f)
    throw std::runtime_error(path + ": cannot open weight file (build it with scripts/pretrain.sh)");
  const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  Reader r(path, bytes);
  if (r.bytes(sizeof kMagic, "magic") != std::string(kMagic, sizeof kMagic)) r.fail("not a dacapo-vp weight file");
  const auto version = r.uint(4, "version");
  if (version != kWeightsFormatVersion)
    r.fail("format version " + std::to_string(version) + ", this build reads " +
           std::to_string(kWeightsFormatVersion) + " (rebuild with scripts/pretrain.sh)");
  WeightsFile w;
  const auto name_len = r.uint(4, "name length");
  if (name_len > 256) r.fail("implausible model name length");
  w.model_name = r.bytes(name_len, "model name");
  w.definition_hash = r.uint(8, "definition hash");
  w.inputs_hash = r.uint(8, "inputs hash");
  const auto count = r.uint(8, "parameter count");
  if (count > (bytes.size() / 4)) r.fail("truncated (parameter count " + std::to_string(count) + ")");
  w.params.resize(count);
  for (auto& p : w.params) {
    const auto bits = static_cast<std::uint32_t>(r.uint(4, "parameters"));
    std::memcpy(&p, &bits, sizeof p);
  }
  const std::size_t body = r.pos();
  const auto checksum = r.uint(8, "checksum");
  if (r.pos() != bytes.size()) r.fail("trailing bytes after the checksum");
  Fnv1a h;
  h.bytes(bytes.data(), body);
  if (h.value() != checksum) r.fail("checksum mismatch (file corrupt)");

  if (w.model_name != def.name) r.fail("holds model '" + w.model_name + "', expected '" + def.name + "'");
  if (w.definition_hash != nn::definition_hash(def))
    r.fail("made for another definition of '" + w.model_name + "' (hash " + hex(w.definition_hash) + ", current " +
           hex(nn::definition_hash(def)) + "); rebuild with scripts/pretrain.sh");
  const nn::ModelInfo info = nn::describe(def);
  if (w.params.size() != info.parameter_count)
    r.fail(std::to_string(w.params.size()) + " parameters, the definition has " +
           std::to_string(info.parameter_count));
  if (expected_inputs_hash && *expected_inputs_hash != w.inputs_hash)
    r.fail("stale: trained from other inputs (hash " + hex(w.inputs_hash) + ", current " +
           hex(*expected_inputs_hash) + "); rebuild with scripts/pretrain.sh");
  return w;
}

std::string cache_dir(const std::string& explicit_dir) {
  if (!explicit_dir.empty()) return explicit_dir;
  if (const char* d = std::getenv("DACAPO_CACHE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/dacapo-vp";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/dacapo-vp";
  throw std::runtime_error("no cache directory: set DACAPO_CACHE_DIR, XDG_CACHE_HOME or HOME");
}

std::string weights_path(const std::string& cache, const nn::ModelDef& def) {
  return cache + "/fmnist-" + def.name + ".dcw";
}

}  // namespace dacapo::scenarios
