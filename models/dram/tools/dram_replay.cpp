// dram-replay: replays a DRAMSys .stl trace against the LPDDR5 scheduler (the same code the TLM target uses,
// without the SystemC kernel) and prints the DRAM statistics.
//
//   dram-replay --trace FILE [--config FILE]... [--set key=value]... [--closed-loop] [--json OUT]
//   dram-replay --list-params
//
// Keys use the platform's prefix `soc.dram.` so one config file serves dacapo-vp and dram-replay.
#include <boost/program_options.hpp>
#include <chrono>
#include <fmt/core.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "models/common/output_file.h"
#include "models/common/params.h"
#include "models/common/stats.h"
#include "models/dram/dram_config.h"
#include "models/dram/dram_scheduler.h"
#include "models/dram/stl_trace.h"

namespace po = boost::program_options;
using namespace dacapo;
using namespace dacapo::dram;

namespace {

constexpr const char* kPrefix = "soc.dram";

int run(int argc, char** argv) {
  po::options_description options("dram-replay options");
  options.add_options()("help,h", "show this help")("trace", po::value<std::string>(), "DRAMSys .stl trace to replay")(
      "config", po::value<std::vector<std::string>>()->composing(), "INI config file (repeatable)")(
      "set", po::value<std::vector<std::string>>()->composing(), "key=value override, e.g. soc.dram.channels=1")(
      "closed-loop", "issue every request as soon as the queue has room (ignore the trace's cycles)")(
      "json", po::value<std::string>(), "write the results as JSON to this file")(
      "list-params", "list the DRAM parameters (keys, defaults, units)");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "dram-replay: " << e.what() << "\n" << options;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << "Replays a DRAMSys .stl trace (<cycle>: [(<bytes>)] read|write 0x<addr>, cycles in DRAM CK)\n"
              << "against the LPDDR5 model and prints its statistics.\n\n"
              << options;
    return 0;
  }
  if (vm.count("list-params")) {
    print_param_table(std::cout, describe_config<DramConfig>(kPrefix));
    return 0;
  }
  if (!vm.count("trace")) {
    std::cerr << "dram-replay: --trace FILE is required\n" << options;
    return 2;
  }

  ParamStore store;
  if (vm.count("config"))
    for (const auto& file : vm["config"].as<std::vector<std::string>>()) store.load_ini(file);
  if (vm.count("set"))
    for (const auto& assignment : vm["set"].as<std::vector<std::string>>()) store.set_assignment(assignment);
  const DramConfig cfg = load_dram_config(store, kPrefix);
  store.require_all_consumed();

  const std::string trace_path = vm["trace"].as<std::string>();
  const auto records = read_stl_file(trace_path, cfg.burst_bytes());
  const bool closed_loop = vm.count("closed-loop") > 0;

  DramScheduler dram(cfg);
  const auto host_start = std::chrono::steady_clock::now();
  int64_t next_arrival = 0;
  for (const StlRecord& r : records) {
    if (const std::string why = dram.check(r.address, r.length); !why.empty())
      throw TraceError(fmt::format("{}:{}: {}", trace_path, r.line, why));
    const int64_t arrival = closed_loop ? next_arrival : static_cast<int64_t>(r.cycle);
    dram.submit(Request{r.address, r.length, r.write, arrival});
    next_arrival = dram.last_admission();
  }
  dram.drain();
  const double host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count();

  StatsReport report;
  dram.report_stats(report, kPrefix);
  report.write_text(std::cout);
  const DramSummary s = dram.summary();
  fmt::print("\n{} requests ({}), {:.1f} ns simulated: {:.3f} GB/s ({:.1f} % of {:.1f} GB/s peak), latency avg "
             "{:.1f} ns p50 {:.1f} p95 {:.1f} p99 {:.1f} max {:.1f}, row hit rate {:.3f}\n",
             s.requests, closed_loop ? "closed loop" : "open loop", s.simulated_ns, s.bandwidth_bytes_per_s * 1e-9,
             100.0 * s.bandwidth_bytes_per_s / s.peak_bytes_per_s, s.peak_bytes_per_s * 1e-9, s.latency.avg_ns,
             s.latency.p50_ns, s.latency.p95_ns, s.latency.p99_ns, s.latency.max_ns, s.row_hit_rate);
  // Host figures go to stderr only: results must not depend on the wall clock.
  std::cerr << fmt::format("dram-replay: host {:.3f} s, {:.2f} M requests/s\n", host_seconds,
                           host_seconds > 0 ? double(s.requests) / host_seconds * 1e-6 : 0.0);

  if (vm.count("json")) {
    std::ostringstream stats_json;
    report.write_json(stats_json);
    nlohmann::ordered_json out;
    out["trace"] = trace_path;
    out["mode"] = closed_loop ? "closed_loop" : "open_loop";
    out["requests"] = s.requests;
    out["read_bytes"] = s.read_bytes;
    out["write_bytes"] = s.write_bytes;
    out["simulated_ns"] = s.simulated_ns;
    out["bandwidth_bytes_per_s"] = s.bandwidth_bytes_per_s;
    out["peak_bytes_per_s"] = s.peak_bytes_per_s;
    out["latency_ns"] = {{"avg", s.latency.avg_ns}, {"p50", s.latency.p50_ns}, {"p95", s.latency.p95_ns},
                         {"p99", s.latency.p99_ns}, {"max", s.latency.max_ns}};
    out["row_hit_rate"] = s.row_hit_rate;
    out["row_hits"] = s.row_hits;
    out["row_misses"] = s.row_misses;
    out["row_conflicts"] = s.row_conflicts;
    out["refreshes"] = s.refreshes;
    out["energy_pj"] = s.energy_pj;
    out["stats"] = nlohmann::ordered_json::parse(stats_json.str());
    write_file_atomically(vm["json"].as<std::string>(), [&](std::ostream& os) { os << out.dump(2) << "\n"; });
  }
  dram.write_trace();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "dram-replay: error: " << e.what() << "\n";
    return 1;
  }
}
