// Statistics report: every stat has a module path, a name, a unit and a description.
//
// Modules expose `void report_stats(StatsReport&) const` (or similar) and the top level collects them once at
// the end of a run. Entries keep insertion order within a module path; module paths are sorted, so the same
// run gives byte-identical text and JSON.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

namespace dacapo {

class StatsReport {
 public:
  using Value = std::variant<uint64_t, int64_t, double>;
  struct Stat {
    std::string name;
    Value value;
    std::string unit;
    std::string description;
  };

  void add(const std::string& path, const std::string& name, Value value, const std::string& unit,
           const std::string& description);
  // Convenience overloads so integer literals and sizes do not need casts.
  void add_count(const std::string& path, const std::string& name, uint64_t value, const std::string& unit,
                 const std::string& description) {
    add(path, name, Value{value}, unit, description);
  }
  void add_real(const std::string& path, const std::string& name, double value, const std::string& unit,
                const std::string& description) {
    add(path, name, Value{value}, unit, description);
  }

  std::optional<double> find(const std::string& path, const std::string& name) const;
  const std::map<std::string, std::vector<Stat>>& groups() const { return groups_; }

  // Human-readable table grouped by module path.
  void write_text(std::ostream& os) const;
  // {"<path>": {"<name>": {"value": v, "unit": "...", "description": "..."}}}
  void write_json(std::ostream& os) const;

 private:
  std::map<std::string, std::vector<Stat>> groups_;
};

// Formats a stat value deterministically (integers exactly, reals with 9 significant digits).
std::string format_stat_value(const StatsReport::Value& value);

}  // namespace dacapo
