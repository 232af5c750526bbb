#include "models/common/stats.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace dacapo {

void StatsReport::add(const std::string& path, const std::string& name, Value value, const std::string& unit,
                      const std::string& description) {
  auto& group = groups_[path];
  for (const auto& s : group)
    if (s.name == name) throw std::logic_error("stat '" + path + "." + name + "' reported twice");
  group.push_back(Stat{name, value, unit, description});
}

std::optional<double> StatsReport::find(const std::string& path, const std::string& name) const {
  const auto it = groups_.find(path);
  if (it == groups_.end()) return std::nullopt;
  for (const auto& s : it->second)
    if (s.name == name) return std::visit([](auto v) { return static_cast<double>(v); }, s.value);
  return std::nullopt;
}

std::string format_stat_value(const StatsReport::Value& value) {
  if (const auto* u = std::get_if<uint64_t>(&value)) return std::to_string(*u);
  if (const auto* i = std::get_if<int64_t>(&value)) return std::to_string(*i);
  const double d = std::get<double>(value);
  if (std::isnan(d)) return "nan";
  std::ostringstream os;
  os << std::setprecision(9) << d;
  return os.str();
}

void StatsReport::write_text(std::ostream& os) const {
  for (const auto& [path, stats] : groups_) {
    size_t name_w = 0, value_w = 0, unit_w = 0;
    for (const auto& s : stats) {
      name_w = std::max(name_w, s.name.size());
      value_w = std::max(value_w, format_stat_value(s.value).size());
      unit_w = std::max(unit_w, s.unit.size());
    }
    os << "[" << path << "]\n";
    for (const auto& s : stats) {
      os << "  " << std::left << std::setw(int(name_w)) << s.name << "  " << std::right
         << std::setw(int(value_w)) << format_stat_value(s.value) << " " << std::left << std::setw(int(unit_w))
         << s.unit << "  # " << s.description << "\n";
    }
  }
}

void StatsReport::write_json(std::ostream& os) const {
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  for (const auto& [path, stats] : groups_) {
    nlohmann::ordered_json group = nlohmann::ordered_json::object();
    for (const auto& s : stats) {
      nlohmann::ordered_json entry;
      std::visit(
          [&](auto v) {
            if constexpr (std::is_same_v<decltype(v), double>) {
              if (std::isfinite(v))
                entry["value"] = v;
              else
                entry["value"] = nullptr;  // JSON has no NaN/Inf
            } else {
              entry["value"] = v;
            }
          },
          s.value);
      entry["unit"] = s.unit;
      entry["description"] = s.description;
      group[s.name] = std::move(entry);
    }
    root[path] = std::move(group);
  }
  os << root.dump(2) << "\n";
}

}  // namespace dacapo
