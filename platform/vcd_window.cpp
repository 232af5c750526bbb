#include "platform/vcd_window.h"

#include <cmath>
#include <map>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace dacapo::platform {

uint64_t parse_time_ps(const std::string& text) {
  size_t pos = 0;
  double value = 0;
  try {
    value = std::stod(text, &pos);
  } catch (const std::exception&) {
    throw std::invalid_argument("bad time '" + text + "' (expected e.g. 2.5ms, 100us, 40ns, 3s)");
  }
  const std::string unit = text.substr(pos);
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1e12;
  else if (unit == "ms") scale = 1e9;
  else if (unit == "us") scale = 1e6;
  else if (unit == "ns") scale = 1e3;
  else if (unit == "ps") scale = 1;
  if (scale == 0 || !(value >= 0) || !std::isfinite(value))
    throw std::invalid_argument("bad time '" + text + "' (expected e.g. 2.5ms, 100us, 40ns, 3s)");
  return static_cast<uint64_t>(std::llround(value * scale));
}

TimeWindow parse_window(const std::string& text) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos) throw std::invalid_argument("bad window '" + text + "' (expected start:end)");
  TimeWindow w;
  const std::string a = text.substr(0, colon), b = text.substr(colon + 1);
  if (!a.empty()) w.start_ps = parse_time_ps(a);
  if (!b.empty()) w.end_ps = parse_time_ps(b);
  if (w.end_ps < w.start_ps) throw std::invalid_argument("bad window '" + text + "': end before start");
  return w;
}

namespace {
// Picoseconds per VCD time unit from "$timescale 1 ps $end" (possibly split over lines).
double timescale_ps(const std::string& spec) {
  std::istringstream is(spec);
  std::string tok, all;
  while (is >> tok)
    if (tok != "$timescale" && tok != "$end") all += tok;
  size_t pos = 0;
  const double n = std::stod(all, &pos);
  const std::string unit = all.substr(pos);
  static const std::map<std::string, double> units{{"s", 1e12}, {"ms", 1e9}, {"us", 1e6},
                                                    {"ns", 1e3}, {"ps", 1},    {"fs", 1e-3}};
  const auto it = units.find(unit);
  if (it == units.end()) throw std::runtime_error("VCD: unknown timescale '" + spec + "'");
  return n * it->second;
}

// The identifier a value-change line refers to: "b1010 !" / "r1.5 !" → "!", "1!" → "!".
std::string change_id(const std::string& line) {
  if (line.empty()) return {};
  if (line[0] == 'b' || line[0] == 'B' || line[0] == 'r' || line[0] == 'R') {
    const size_t sp = line.find(' ');
    return sp == std::string::npos ? std::string() : line.substr(sp + 1);
  }
  return line.substr(1);
}
}  // namespace

void filter_vcd(std::istream& in, std::ostream& out, const TimeWindow& window) {
  std::string line, header_cmd;
  double unit_ps = 1;
  bool in_header = true, in_timescale = false, in_dumpvars = false;
  std::map<std::string, std::string> last;  // id → last change line before the window
  std::vector<std::string> order;           // ids in first-seen order, for a stable initial dump
  bool window_open = false, past_end = false;
  const auto open_window = [&](uint64_t at_units) {
    out << '#' << at_units << "\n$dumpvars\n";
    for (const std::string& id : order) out << last[id] << '\n';
    out << "$end\n";
    window_open = true;
  };
  uint64_t start_units = 0;
  while (std::getline(in, line)) {
    if (in_header) {
      out << line << '\n';
      if (in_timescale) {
        header_cmd += " " + line;
        if (line.find("$end") != std::string::npos) {
          unit_ps = timescale_ps(header_cmd);
          in_timescale = false;
        }
      } else if (line.rfind("$timescale", 0) == 0) {
        header_cmd = line;
        if (line.find("$end") != std::string::npos)
          unit_ps = timescale_ps(header_cmd);
        else
          in_timescale = true;
      }
      if (line.find("$enddefinitions") != std::string::npos) {
        in_header = false;
        start_units = static_cast<uint64_t>(std::ceil(double(window.start_ps) / unit_ps));
      }
      continue;
    }
    if (past_end) break;
    if (line.empty()) continue;
    if (line[0] == '#') {
      const uint64_t t = std::stoull(line.substr(1));
      const double t_ps = double(t) * unit_ps;
      if (t_ps > double(window.end_ps)) {
        if (!window_open) open_window(start_units);
        past_end = true;
        continue;
      }
      if (!window_open && t >= start_units) {
        if (t > start_units) open_window(start_units);
        else {
          open_window(t);
          continue;
        }
      }
      if (window_open) out << line << '\n';
      continue;
    }
    if (line.rfind("$dumpvars", 0) == 0) {
      in_dumpvars = true;
      continue;
    }
    if (line.rfind("$end", 0) == 0 && in_dumpvars) {
      in_dumpvars = false;
      continue;
    }
    if (line[0] == '$') continue;  // $comment etc. outside the header
    if (window_open) {
      out << line << '\n';
    } else {
      const std::string id = change_id(line);
      if (id.empty()) throw std::runtime_error("VCD: malformed value change '" + line + "'");
      if (!last.count(id)) order.push_back(id);
      last[id] = line;
    }
  }
  if (in_header) throw std::runtime_error("VCD: no $enddefinitions");
  if (!window_open) open_window(start_units);
}

}  // namespace dacapo::platform
