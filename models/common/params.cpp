#include "models/common/params.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace dacapo {
namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

bool valid_key(std::string_view key) {
  if (key.empty() || key.front() == '.' || key.back() == '.') return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '[' ||
           c == ']';
  });
}

}  // namespace

namespace detail {

bool parse_int64(std::string_view text, int64_t& out) {
  const std::string s(trim(text));
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 0);
  if (errno != 0 || end != s.c_str() + s.size()) return false;
  out = v;
  return true;
}

bool parse_uint64(std::string_view text, uint64_t& out) {
  const std::string s(trim(text));
  if (s.empty() || s.front() == '-') return false;
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (errno != 0 || end != s.c_str() + s.size()) return false;
  out = v;
  return true;
}

}  // namespace detail

bool ParamCodec<bool>::parse(std::string_view text, bool& out) {
  const auto t = trim(text);
  if (t == "true" || t == "1" || t == "yes" || t == "on") {
    out = true;
    return true;
  }
  if (t == "false" || t == "0" || t == "no" || t == "off") {
    out = false;
    return true;
  }
  return false;
}

std::string ParamCodec<double>::format(double v) {
  // Shortest text that reads back to the same value, so dumps are exact and stable.
  for (int precision = 6; precision <= 17; ++precision) {
    std::ostringstream os;
    os << std::setprecision(precision) << v;
    if (std::strtod(os.str().c_str(), nullptr) == v) return os.str();
  }
  std::ostringstream os;
  os << std::setprecision(17) << v;
  return os.str();
}

bool ParamCodec<double>::parse(std::string_view text, double& out) {
  const std::string s(trim(text));
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (errno != 0 || end != s.c_str() + s.size() || !std::isfinite(v)) return false;
  out = v;
  return true;
}

void ParamStore::set(const std::string& key, const std::string& value, const std::string& origin) {
  if (!valid_key(key)) throw ParamError(origin + ": invalid key '" + key + "'");
  entries_[key] = Entry{value, origin, false};
}

void ParamStore::set_assignment(const std::string& assignment, const std::string& origin) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos)
    throw ParamError(origin + ": expected key=value, got '" + assignment + "'");
  set(std::string(trim(std::string_view(assignment).substr(0, eq))),
      std::string(trim(std::string_view(assignment).substr(eq + 1))), origin);
}

void ParamStore::load_ini(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ParamError(path + ": cannot open config file");
  load_ini_stream(in, path);
}

void ParamStore::load_ini_stream(std::istream& in, const std::string& path) {
  std::string line;
  std::string section;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string origin = path + ":" + std::to_string(line_no);
    std::string_view body = line;
    if (const auto hash = body.find_first_of("#;"); hash != std::string_view::npos) body = body.substr(0, hash);
    body = trim(body);
    if (body.empty()) continue;
    if (body.front() == '[') {
      if (body.back() != ']') throw ParamError(origin + ": unterminated section header '" + line + "'");
      section = std::string(trim(body.substr(1, body.size() - 2)));
      if (!section.empty() && !valid_key(section))
        throw ParamError(origin + ": invalid section name '" + section + "'");
      continue;
    }
    const auto eq = body.find('=');
    if (eq == std::string_view::npos) throw ParamError(origin + ": expected 'key = value', got '" + line + "'");
    const std::string key(trim(body.substr(0, eq)));
    if (key.empty()) throw ParamError(origin + ": empty key");
    set(section.empty() ? key : section + "." + key, std::string(trim(body.substr(eq + 1))), origin);
  }
}

const ParamStore::Entry* ParamStore::take(const std::string& key) const {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  it->second.consumed = true;
  return &it->second;
}

std::vector<std::string> ParamStore::unconsumed() const {
  std::vector<std::string> keys;
  for (const auto& [key, entry] : entries_)
    if (!entry.consumed) keys.push_back(key + " (" + entry.origin + ")");
  return keys;
}

void ParamStore::require_all_consumed() const {
  const auto keys = unconsumed();
  if (keys.empty()) return;
  std::string msg = "unknown parameter";
  msg += keys.size() > 1 ? "s: " : ": ";
  for (size_t i = 0; i < keys.size(); ++i) msg += (i ? ", " : "") + keys[i];
  msg += " (see --list-params)";
  throw ParamError(msg);
}

void print_param_table(std::ostream& os, const std::vector<ParamDoc>& docs) {
  size_t key_w = 3, default_w = 7, unit_w = 4;
  for (const auto& d : docs) {
    key_w = std::max(key_w, d.key.size());
    default_w = std::max(default_w, d.default_value.size());
    unit_w = std::max(unit_w, d.unit.size());
  }
  os << std::left << std::setw(int(key_w) + 2) << "key" << std::setw(int(default_w) + 2) << "default"
     << std::setw(int(unit_w) + 2) << "unit"
     << "help\n";
  for (const auto& d : docs) {
    os << std::left << std::setw(int(key_w) + 2) << d.key << std::setw(int(default_w) + 2) << d.default_value
       << std::setw(int(unit_w) + 2) << d.unit << d.help << " [" << d.type << "]\n";
  }
}

void write_param_ini(std::ostream& os, const std::vector<ParamDoc>& effective) {
  for (const auto& d : effective) {
    os << d.key << " = " << d.default_value;
    if (!d.unit.empty()) os << "  # " << d.unit;
    os << "\n";
  }
}

}  // namespace dacapo
