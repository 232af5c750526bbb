// cl-sim: runs a continuous-learning policy on a simulated clock with the synthetic, table-driven learner and a
// cost table in the board profiler's CSV format; writes accuracy.csv, phases.csv and summary.txt.
// See docs/continuous-learning.md.
#include <boost/program_options.hpp>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <iostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "firmware/cl/engine.h"
#include "firmware/cl/metrics.h"
#include "firmware/cl/policy_factory.h"
#include "firmware/cl/simulated_executor.h"
#include "firmware/cl/synthetic.h"

namespace po = boost::program_options;
using namespace dacapo::cl;

namespace {

// Applies "key=value" to the field named key of a config that lists its fields through visit_params.
struct Setter {
  std::string key, value;
  bool found = false;
  template <class T>
  void operator()(const char* name, T& field, const char*, const char*) {
    if (key != name) return;
    found = true;
    const char* s = value.c_str();
    char* end = nullptr;
    errno = 0;
    if constexpr (std::is_same_v<T, bool>) {
      if (value != "true" && value != "false") throw std::invalid_argument("'" + value + "' is not true or false");
      field = value == "true";
      return;
    } else if constexpr (std::is_same_v<T, std::string>) {
      field = value;
      return;
    } else if constexpr (std::is_floating_point_v<T>) {
      field = std::strtod(s, &end);
    } else if constexpr (std::is_unsigned_v<T>) {
      if (value.empty() || value[0] == '-') throw std::invalid_argument("'" + value + "' is not an unsigned integer");
      const unsigned long long v = std::strtoull(s, &end, 10);
      if (v > static_cast<unsigned long long>(std::numeric_limits<T>::max())) errno = ERANGE;
      field = static_cast<T>(v);
    } else {
      field = static_cast<T>(std::strtoll(s, &end, 10));
    }
    if (value.empty() || *end != '\0' || errno != 0) throw std::invalid_argument("'" + value + "' is not a number");
  }
};

struct Lister {
  std::string prefix;
  template <class T>
  void operator()(const char* name, T& field, const char* unit, const char* help) {
    std::ostringstream v;
    if constexpr (std::is_same_v<T, bool>) v << (field ? "true" : "false");
    else v << field;
    std::cout << prefix << name << " = " << v.str() << (*unit ? std::string("  [") + unit + "]" : "") << "  # "
              << help << '\n';
  }
};

struct AllConfigs {
  ClConfig cl;
  SyntheticConfig synthetic;
  template <class F>
  void each(F&& f) {
    f("", cl);
    visit_cl_sections(cl, f);
    f("synthetic", synthetic);
  }
};

void apply_set(AllConfigs& all, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos) throw std::invalid_argument("--set " + assignment + ": expected key=value");
  const std::string key = assignment.substr(0, eq);
  const auto dot = key.rfind('.');
  const std::string section = dot == std::string::npos ? "" : key.substr(0, dot);
  Setter setter{dot == std::string::npos ? key : key.substr(dot + 1), assignment.substr(eq + 1)};
  all.each([&](const char* name, auto& cfg) {
    if (section == name) {
      try {
        cfg.visit_params(setter);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("--set " + key + ": " + e.what());
      }
    }
  });
  if (!setter.found) throw std::invalid_argument("--set: unknown key '" + key + "' (see --list-params)");
}

void write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot rename " + tmp + " to " + path);
}

std::ifstream open_input(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return in;
}

struct Inputs {
  std::vector<SyntheticSegment> segments;
  std::vector<SyntheticDomain> domains;
  CostTable costs;
};

struct Simulation {
  RunRecord run;
  std::vector<WindowAccuracy> windows;
  AccuracySummary summary;
  DriftReport drifts;
  uint32_t bsa_rows = 0, tsa_rows = 0;
  uint64_t frames_dropped = 0;
};

Simulation simulate(const AllConfigs& all, const Inputs& in, uint32_t bsa_rows) {
  all.cl.validate();
  const SyntheticStream stream(in.segments, all.synthetic);
  SyntheticLearner learner(stream, in.domains);
  if (bsa_rows == 0) {
    const auto r = choose_bsa_rows(in.costs, all.cl.kernels, stream.clock().fps);
    if (!r) throw std::runtime_error("no B-SA row count keeps up with the camera; set --bsa-rows");
    bsa_rows = *r;
  }
  if (bsa_rows >= all.cl.kernels.total_rows) throw std::runtime_error("--bsa-rows must leave rows for the T-SA");
  Simulation sim;
  sim.bsa_rows = bsa_rows;
  sim.tsa_rows = all.cl.kernels.total_rows - bsa_rows;
  const PhaseCosts costs(in.costs, all.cl.kernels, sim.tsa_rows);
  SimulatedExecutor executor(stream.clock(), costs, bsa_rows, learner);
  const auto policy = make_policy(all.cl);
  sim.run = run_policy(*policy, executor, stream, costs);
  sim.windows = window_accuracies(sim.run, stream, all.cl.metrics);
  sim.summary = summarize(sim.windows);
  sim.drifts = match_drifts(stream.boundaries(), sim.run.drift_times, all.cl.metrics.drift_tolerance_s);
  sim.frames_dropped = executor.frames_dropped();
  return sim;
}

std::string fixed(double v) {
  if (!std::isfinite(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string costs_path, segments_path, domains_path, outdir = ".", student = "student", teacher = "teacher";
    std::vector<std::string> sets;
    uint32_t bsa_rows = 0;
    uint64_t compare = 0;
    po::options_description opts("cl-sim options");
    opts.add_options()("help,h", "this help")("list-params", "list every --set key with its default")(
        "policy", po::value<std::string>(), "spatiotemporal|spatial|ekya|eomu|none (= --set policy=...)")(
        "costs", po::value(&costs_path)->required(), "cost table CSV: model,kernel,precision,rows,batch,seconds")(
        "student", po::value(&student)->default_value(student), "student's model name in the cost table")(
        "teacher", po::value(&teacher)->default_value(teacher), "teacher's model name in the cost table")(
        "segments", po::value(&segments_path)->required(), "segments CSV: duration_s,domain,classes")(
        "domains", po::value(&domains_path)->required(), "domains CSV: domain,base_accuracy,max_accuracy")(
        "outdir", po::value(&outdir)->default_value(outdir), "directory for accuracy.csv, phases.csv, drifts.csv, summary.txt")(
        "seed", po::value<uint64_t>(), "seed of the synthetic outcomes and of EOMU's search")(
        "bsa-rows", po::value(&bsa_rows)->default_value(0), "B-SA rows (0 = fewest that keep up with the camera)")(
        "set", po::value(&sets)->composing(), "key=value, repeatable, last wins (see --list-params)")(
        "compare", po::value(&compare)->default_value(0),
        "run every policy over this many seeds (from --seed on) and write compare.csv instead of one run's files");
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, opts), vm);
    AllConfigs all;
    if (vm.count("help")) {
      std::cout << opts;
      return 0;
    }
    if (vm.count("list-params")) {
      all.each([](const char* name, auto& cfg) {
        Lister l{*name ? std::string(name) + "." : std::string()};
        cfg.visit_params(l);
      });
      return 0;
    }
    po::notify(vm);
    if (vm.count("policy")) all.cl.policy = vm["policy"].as<std::string>();
    if (vm.count("seed")) {
      all.synthetic.seed = vm["seed"].as<uint64_t>();
      all.cl.eomu.seed = all.synthetic.seed;
    }
    for (const auto& s : sets) apply_set(all, s);
    all.cl.validate();
    all.synthetic.validate();

    auto seg_in = open_input(segments_path);
    auto dom_in = open_input(domains_path);
    auto cost_in = open_input(costs_path);
    const Inputs in{parse_segments_csv(seg_in, segments_path), parse_domains_csv(dom_in, domains_path),
                    CostTable::parse(cost_in, costs_path, student, teacher)};

    if (compare == 0) {
      const Simulation sim = simulate(all, in, bsa_rows);
      std::ostringstream acc, phases, drift_rows, sum;
      write_drifts_csv(drift_rows, sim.drifts);
      write_accuracy_csv(acc, sim.windows);
      write_phases_csv(phases, sim.run.phases);
      write_summary(sum, sim.run.policy, sim.summary, sim.drifts);
      sum << "bsa_rows = " << sim.bsa_rows << "\ntsa_rows = " << sim.tsa_rows
          << "\nframes_dropped = " << sim.frames_dropped << '\n';
      write_atomically(outdir + "/accuracy.csv", acc.str());
      write_atomically(outdir + "/phases.csv", phases.str());
      write_atomically(outdir + "/drifts.csv", drift_rows.str());
      write_atomically(outdir + "/summary.txt", sum.str());
      std::cout << sum.str();
      return 0;
    }

    // Every policy over `compare` seeds (from the configured seed on), beside the no-retraining baseline.
    std::ostringstream csv;
    csv << "policy,seed,accuracy_mean,accuracy_geomean,drift_hits,drift_misses,drift_false_alarms\n";
    const uint64_t first_seed = all.synthetic.seed;
    std::vector<std::pair<std::string, std::vector<double>>> means;
    for (const char* policy : {"none", "spatiotemporal", "spatial", "ekya", "eomu"}) {
      means.emplace_back(policy, std::vector<double>{});
      for (uint64_t k = 0; k < compare; ++k) {
        AllConfigs run_cfg = all;
        run_cfg.cl.policy = policy;
        run_cfg.synthetic.seed = first_seed + k;
        run_cfg.cl.eomu.seed = first_seed + k;
        const Simulation sim = simulate(run_cfg, in, bsa_rows);
        csv << policy << ',' << run_cfg.synthetic.seed << ',' << fixed(sim.summary.arithmetic_mean) << ','
            << fixed(sim.summary.geometric_mean) << ',' << sim.drifts.hits << ',' << sim.drifts.misses << ','
            << sim.drifts.false_alarms << '\n';
        means.back().second.push_back(sim.summary.arithmetic_mean);
      }
    }
    write_atomically(outdir + "/compare.csv", csv.str());
    const double baseline = arithmetic_mean(means.front().second);
    std::cout << "policy            mean %   std    vs none (" << compare << " seeds)\n";
    for (const auto& [policy, values] : means) {
      const double m = arithmetic_mean(values);
      double var = 0;
      for (double v : values) var += (v - m) * (v - m);
      const double sd = values.size() > 1 ? std::sqrt(var / static_cast<double>(values.size() - 1)) : 0.0;
      std::printf("%-16s %7.2f %6.2f %+8.2f\n", policy.c_str(), m, sd, m - baseline);
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "cl-sim: " << e.what() << '\n';
    return 1;
  }
}
