// Cuts a VCD file down to a time window [start, end] (plain C++): the header is kept, the state of every signal
// at `start` is dumped as the initial values ($dumpvars at #start), and value changes inside the window follow.
// SystemC's VCD writer cannot start or stop tracing after elaboration, so --vcd-window records everything and the
// platform applies this filter when it finalises the file.
#pragma once

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>

namespace dacapo::platform {

// Parses a time such as "2.5ms", "100us", "40ns", "3s" or "0.001" (seconds). Returns picoseconds; throws
// std::invalid_argument naming the text.
uint64_t parse_time_ps(const std::string& text);

struct TimeWindow {
  uint64_t start_ps = 0;
  uint64_t end_ps = UINT64_MAX;
};
// "start:end" (either side may be empty: open). Throws std::invalid_argument naming the text.
TimeWindow parse_window(const std::string& text);

// Copies `in` to `out`, keeping only the window. Throws std::runtime_error on a malformed VCD.
void filter_vcd(std::istream& in, std::ostream& out, const TimeWindow& window);

}  // namespace dacapo::platform
