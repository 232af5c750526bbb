// Parameter system: one declaration per parameter, used for parsing, listing and dumping.
//
// Each module's config struct lists its parameters once, in a member template
//
//   struct DramConfig {
//     uint32_t channels = 16;
//     double tck_ns = 1.25;
//     template <class V> void visit_params(V& v) {
//       v("channels", channels, "", "number of x16 channels");
//       v("tck_ns", tck_ns, "ns", "clock period");
//     }
//     void validate() const;   // optional: throws ParamError naming the key
//   };
//
// The default member initialisers are the single source of truth for defaults: `--list-params` prints them
// from a default-constructed struct, `load_config` starts from them and applies what the user set, and
// `dump_config` writes the effective values. Raw text comes from INI files and `--set key=value` through a
// ParamStore, which remembers where every value came from (file:line) so errors can point at it, and which
// keys nobody consumed (unknown keys are errors, not warnings).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <istream>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace dacapo {

class ParamError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Text <-> value conversion per parameter type. Enums get a specialisation through DACAPO_PARAM_ENUM.
template <class T, class Enable = void>
struct ParamCodec;

template <>
struct ParamCodec<bool> {
  static const char* type_name() { return "bool"; }
  static std::string format(bool v) { return v ? "true" : "false"; }
  static bool parse(std::string_view text, bool& out);
};

template <class T>
struct ParamCodec<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
  static const char* type_name() { return std::is_signed_v<T> ? "int" : "uint"; }
  static std::string format(T v) { return std::to_string(v); }
  static bool parse(std::string_view text, T& out);
};

template <>
struct ParamCodec<double> {
  static const char* type_name() { return "real"; }
  static std::string format(double v);
  static bool parse(std::string_view text, double& out);
};

template <>
struct ParamCodec<std::string> {
  static const char* type_name() { return "string"; }
  static std::string format(const std::string& v) { return v; }
  static bool parse(std::string_view text, std::string& out) {
    out = std::string(text);
    return true;
  }
};

namespace detail {
bool parse_int64(std::string_view text, int64_t& out);
bool parse_uint64(std::string_view text, uint64_t& out);
}  // namespace detail

template <class T>
bool ParamCodec<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>>::parse(
    std::string_view text, T& out) {
  if constexpr (std::is_signed_v<T>) {
    int64_t v = 0;
    if (!detail::parse_int64(text, v)) return false;
    if (v < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
        v > static_cast<int64_t>(std::numeric_limits<T>::max()))
      return false;
    out = static_cast<T>(v);
  } else {
    uint64_t v = 0;
    if (!detail::parse_uint64(text, v)) return false;
    if (v > static_cast<uint64_t>(std::numeric_limits<T>::max())) return false;
    out = static_cast<T>(v);
  }
  return true;
}

// Declares the text names of an enum's values, e.g.
//   DACAPO_PARAM_ENUM(RefreshMode, {RefreshMode::AllBank, "all_bank"}, {RefreshMode::PerBank, "per_bank"})
// Must be used at global namespace scope.
#define DACAPO_PARAM_ENUM(EnumType, ...)                                                       \
  template <>                                                                                  \
  struct dacapo::ParamCodec<EnumType> {                                                        \
    static const std::vector<std::pair<EnumType, const char*>>& names() {                      \
      static const std::vector<std::pair<EnumType, const char*>> table{__VA_ARGS__};           \
      return table;                                                                            \
    }                                                                                          \
    static std::string type_name() {                                                           \
      std::string s;                                                                           \
      for (const auto& [value, name] : names()) s += (s.empty() ? "" : "|") + std::string(name); \
      return s;                                                                                \
    }                                                                                          \
    static std::string format(EnumType v) {                                                    \
      for (const auto& [value, name] : names())                                                \
        if (value == v) return name;                                                           \
      return "?";                                                                              \
    }                                                                                          \
    static bool parse(std::string_view text, EnumType& out) {                                  \
      for (const auto& [value, name] : names())                                                \
        if (text == name) {                                                                    \
          out = value;                                                                         \
          return true;                                                                         \
        }                                                                                      \
      return false;                                                                            \
    }                                                                                          \
  }

// Raw key/value text with provenance. Keys are hierarchical, dot-separated object paths ("soc.dram.channels").
class ParamStore {
 public:
  struct Entry {
    std::string value;
    std::string origin;  // "file.ini:12" or "--set"
    mutable bool consumed = false;
  };

  // Last write wins, as on the command line.
  void set(const std::string& key, const std::string& value, const std::string& origin = "--set");
  // "key=value" (from --set); throws ParamError on a missing '=' or empty key.
  void set_assignment(const std::string& assignment, const std::string& origin = "--set");
  // INI: "[section]" prefixes following keys with "section."; "key = value"; '#' or ';' start comments.
  // Throws ParamError naming file and line on malformed lines; a missing file is an error too.
  void load_ini(const std::string& path);
  // The same from text already in memory (e.g. a data file compiled into the binary); `name` stands for the
  // file in error messages and origins ("name:line").
  void load_ini_stream(std::istream& in, const std::string& name);

  // Marks the key consumed. Returns nullptr when the key was not set.
  const Entry* take(const std::string& key) const;
  // Keys set but never taken, with their origins ("key (file:line)"), sorted.
  std::vector<std::string> unconsumed() const;
  // Throws ParamError listing every unconsumed key.
  void require_all_consumed() const;
  const std::map<std::string, Entry>& entries() const { return entries_; }

 private:
  std::map<std::string, Entry> entries_;
};

// One row of --list-params.
struct ParamDoc {
  std::string key;
  std::string type;
  std::string default_value;
  std::string unit;
  std::string help;
};

namespace detail {
inline std::string join_key(const std::string& prefix, const char* name) {
  return prefix.empty() ? std::string(name) : prefix + "." + name;
}

class ParamLoader {
 public:
  ParamLoader(const ParamStore& store, std::string prefix) : store_(store), prefix_(std::move(prefix)) {}
  template <class T>
  void operator()(const char* name, T& field, const char* /*unit*/, const char* /*help*/) {
    const std::string key = join_key(prefix_, name);
    if (const auto* e = store_.take(key)) {
      if (!ParamCodec<T>::parse(e->value, field))
        throw ParamError(e->origin + ": bad value '" + e->value + "' for key '" + key + "' (expected " +
                         std::string(ParamCodec<T>::type_name()) + ")");
    }
  }

 private:
  const ParamStore& store_;
  std::string prefix_;
};

class ParamLister {
 public:
  ParamLister(std::vector<ParamDoc>& out, std::string prefix) : out_(out), prefix_(std::move(prefix)) {}
  template <class T>
  void operator()(const char* name, T& field, const char* unit, const char* help) {
    out_.push_back(ParamDoc{join_key(prefix_, name), std::string(ParamCodec<T>::type_name()),
                            ParamCodec<T>::format(field), unit, help});
  }

 private:
  std::vector<ParamDoc>& out_;
  std::string prefix_;
};
}  // namespace detail

// Calls cfg.validate() when the config has one.
template <class Config>
auto validate_if_present(const Config& cfg, int) -> decltype(cfg.validate(), void()) {
  cfg.validate();
}
template <class Config>
void validate_if_present(const Config&, long) {}

// Defaults overridden by what the store holds under `prefix`. Throws ParamError on bad values.
template <class Config>
Config load_config(const ParamStore& store, const std::string& prefix, Config cfg = Config{}) {
  detail::ParamLoader loader(store, prefix);
  cfg.visit_params(loader);
  validate_if_present(cfg, 0);
  return cfg;
}

// The parameters of `cfg` (defaults when default-constructed) under `prefix`.
template <class Config>
std::vector<ParamDoc> describe_config(const std::string& prefix, Config cfg = Config{}) {
  std::vector<ParamDoc> docs;
  detail::ParamLister lister(docs, prefix);
  cfg.visit_params(lister);
  return docs;
}

// Table of parameters for --list-params.
void print_param_table(std::ostream& os, const std::vector<ParamDoc>& docs);
// Effective configuration as INI-compatible "key = value" lines (loadable again with --config).
void write_param_ini(std::ostream& os, const std::vector<ParamDoc>& effective);

}  // namespace dacapo
