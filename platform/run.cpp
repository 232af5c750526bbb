#include "platform/run.h"

#include <sys/resource.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <systemc>
#include <tlm>

#include "models/camera/synthetic_source.h"
#include "models/common/output_file.h"
#include "models/common/stats.h"
#include "platform/board_config.h"
#include "platform/firmware_catalog.h"
#include "platform/soc.h"
#include "platform/thread_reaper.h"
#include "platform/vcd_window.h"
#include "scenarios/src/frame_source.h"
#include "scenarios/src/scenario.h"

namespace fs = std::filesystem;
using namespace sc_core;

namespace dacapo::platform {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_sigint(int) { g_interrupted = 1; }

// The camera's frame source and whatever it needs to live as long as the board.
struct FrameSupply {
  scenarios::Scenario scenario;
  scenarios::FashionMnist images;
  std::unique_ptr<scenarios::FrameSource> source;
};

std::unique_ptr<FrameSupply> make_frames(const BoardConfig& cfg, uint64_t seed) {
  auto s = std::make_unique<FrameSupply>();
  if (cfg.camera_source.scenario.empty()) {
    s->source = std::make_unique<camera::SyntheticFrameSource>(cfg.synthetic, seed);
  } else {
    s->scenario = scenarios::load_scenario(cfg.camera_source.scenario);
    s->images = scenarios::load_fashion_mnist(cfg.camera_source.fashion_mnist_dir);
    s->source = std::make_unique<scenarios::ScenarioFrameSource>(s->scenario, s->images.test, seed);
  }
  return s;
}

std::string format_seconds(double s) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(s < 1e-3 ? 3 : 3);
  if (s < 1e-3)
    os << s * 1e6 << " us";
  else if (s < 1.0)
    os << s * 1e3 << " ms";
  else
    os << s << " s";
  return os.str();
}

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// A relative output path given in the configuration lands in the output directory.
std::string in_outdir(const std::string& outdir, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(outdir) / path).string();
}

int simulate(const CliOptions& opt) {
  // ---- configuration
  ParamStore store;
  for (const std::string& file : opt.configs) store.load_ini(file);
  for (const std::string& s : opt.sets) store.set_assignment(s);

  if (opt.list_params) {
    std::vector<ParamDoc> docs = describe_board(BoardConfig{});
    for (const FirmwareImage& img : firmware_images()) {
      const std::vector<ParamDoc> fw = img.describe();
      docs.insert(docs.end(), fw.begin(), fw.end());
    }
    print_param_table(std::cout, docs);
    std::cout << "\nfirmware images (--firmware):\n";
    for (const FirmwareImage& img : firmware_images()) std::cout << "  " << img.name << ": " << img.description << "\n";
    return kExitOk;
  }

  const FirmwareImage* image = find_firmware(opt.firmware);
  if (!image) {
    std::string names;
    for (const FirmwareImage& img : firmware_images()) names += (names.empty() ? "" : ", ") + img.name;
    throw CliError("unknown firmware '" + opt.firmware + "' (available: " + names + ")");
  }
  std::set<std::string> groups(opt.trace.begin(), opt.trace.end());
  for (const std::string& g : groups) {
    bool known = false;
    for (const std::string& k : kTraceGroups) known = known || k == g;
    if (!known) throw CliError("unknown --trace group '" + g + "' (cpu, acc, dram, camera, irq)");
  }
  if (groups.empty()) groups.insert(kTraceGroups.begin(), kTraceGroups.end());
  TimeWindow window;
  if (!opt.vcd_window.empty()) {
    try {
      window = parse_window(opt.vcd_window);
    } catch (const std::invalid_argument& e) {
      throw CliError(std::string("--vcd-window: ") + e.what());
    }
  }

  BoardConfig cfg = load_board_config(store);
  std::vector<ParamDoc> effective = describe_board(cfg);
  cpu::HostCpu::Firmware firmware = image->load(store, opt.seed, effective);
  store.require_all_consumed();

  std::error_code ec;
  fs::create_directories(opt.outdir, ec);
  if (ec) throw CliError("cannot create output directory '" + opt.outdir + "': " + ec.message());
  cfg.dram.trace_out = in_outdir(opt.outdir, cfg.dram.trace_out);

  write_file_atomically((fs::path(opt.outdir) / "config.ini").string(), [&](std::ostream& os) {
    os << "# effective configuration of this run (loadable with --config)\n"
       << "# dacapo-vp --firmware " << opt.firmware << " --seed " << opt.seed << "\n";
    write_param_ini(os, effective);
  });

  // ---- elaboration
  const std::unique_ptr<FrameSupply> frames = make_frames(cfg, opt.seed);
  tlm::tlm_global_quantum::instance().set(sc_time(cfg.soc.quantum_ns, SC_NS));
  const bool echo = !opt.quiet;
  Soc soc("soc", cfg, std::move(firmware), *frames->source, [echo](std::string_view text) {
    if (echo) std::cout << text << std::flush;
  });
  ThreadReaper reaper("reaper");
  sc_trace_file* vcd = nullptr;
  const std::string vcd_tmp_base = opt.vcd.empty() ? "" : opt.vcd + ".tmp";  // SystemC appends ".vcd"
  if (!opt.vcd.empty()) {
    vcd = sc_create_vcd_trace_file(vcd_tmp_base.c_str());
    if (!vcd) throw CliError("cannot create VCD file '" + opt.vcd + "'");
    vcd->set_time_unit(1, SC_PS);  // the kernel resolution: every event time is exact
    soc.trace(vcd, groups);
  }

  // ---- simulation: fixed simulated slices, so Ctrl-C and progress never change the results
  g_interrupted = 0;
  std::signal(SIGINT, on_sigint);
  const auto wall_start = std::chrono::steady_clock::now();
  auto last_progress = wall_start;
  bool progress_shown = false, time_limit_hit = false;
  const sc_time slice(cfg.soc.slice_us, SC_US);
  const sc_time limit = cfg.soc.time_limit_s > 0 ? sc_time(cfg.soc.time_limit_s, SC_SEC) : SC_ZERO_TIME;
  while (!soc.cpu.finished() && sc_get_status() != SC_STOPPED && !g_interrupted) {
    sc_time step = slice;
    if (limit != SC_ZERO_TIME) {
      if (sc_time_stamp() >= limit) {
        time_limit_hit = true;
        break;
      }
      step = std::min(step, limit - sc_time_stamp());
    }
    sc_start(step);
    const auto now = std::chrono::steady_clock::now();
    if (!opt.quiet && now - last_progress > std::chrono::seconds(1)) {
      const double wall = std::chrono::duration<double>(now - wall_start).count();
      std::cerr << "\r[dacapo-vp] simulated " << format_seconds(sc_time_stamp().to_seconds()) << ", wall "
                << std::fixed << std::setprecision(1) << wall << " s, camera frames " << soc.camera.frames_written()
                << ", accelerator jobs " << soc.acc.jobs().size();
      if (limit != SC_ZERO_TIME)
        std::cerr << ", " << std::setprecision(0) << 100.0 * sc_time_stamp().to_seconds() / limit.to_seconds() << " %";
      std::cerr << "   " << std::flush;
      last_progress = now;
      progress_shown = true;
    }
  }
  std::signal(SIGINT, SIG_DFL);
  if (progress_shown) std::cerr << "\n";
  const bool interrupted = g_interrupted && !soc.cpu.finished();
  if (!soc.cpu.finished() && sc_get_status() != SC_STOPPED) {
    reaper.reap_all();  // unwinds the firmware and every model thread still mid-job (frees what they hold)
    sc_start(SC_ZERO_TIME);
  }
  if (sc_get_status() != SC_STOPPED) sc_stop();  // runs end_of_simulation (e.g. the DRAM trace)
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  // ---- outputs: each complete or absent
  int status = kExitOk;
  if (interrupted) status = kExitInterrupted;
  else if (time_limit_hit) status = kExitSimError;
  else if (!soc.cpu.error().empty()) status = kExitSimError;
  else if (soc.cpu.exit_code() != 0) status = kExitFirmwareFail;

  const fs::path out(opt.outdir);
  StatsReport report;
  soc.report_stats(report);
  write_file_atomically((out / "stats.json").string(), [&](std::ostream& os) { report.write_json(os); });
  write_file_atomically((out / "stats.txt").string(), [&](std::ostream& os) { report.write_text(os); });
  write_file_atomically((out / "jobs.csv").string(),
                        [&](std::ostream& os) { acc::Accelerator::write_jobs_csv(os, soc.acc.jobs()); });
  write_file_atomically((out / "console.txt").string(), [&](std::ostream& os) { os << soc.cpu.console(); });
  // Result files of the firmware (Hal::write_output); a firmware writes each one only once it is complete.
  for (const auto& [name, content] : soc.cpu.outputs())
    write_file_atomically((out / name).string(), [&](std::ostream& os) { os << content; });
  if (vcd) {
    sc_close_vcd_trace_file(vcd);
    const std::string tmp = vcd_tmp_base + ".vcd";
    if (opt.vcd_window.empty()) {
      fs::rename(tmp, opt.vcd);
    } else {
      std::ifstream in(tmp);
      write_file_atomically(opt.vcd, [&](std::ostream& os) { filter_vcd(in, os, window); });
      in.close();
      fs::remove(tmp);
    }
  }
  const double sim_s = sc_time_stamp().to_seconds();
  nlohmann::ordered_json host;
  host["wall_time_s"] = wall_s;
  host["simulated_time_s"] = sim_s;
  host["simulated_seconds_per_wall_second"] = wall_s > 0 ? sim_s / wall_s : 0.0;
  host["peak_rss_kib"] = peak_rss_kib();
  host["firmware"] = opt.firmware;
  host["seed"] = opt.seed;
  host["interrupted"] = interrupted;
  host["time_limit_hit"] = time_limit_hit;
  host["firmware_error"] = soc.cpu.error();
  host["exit_code"] = status;
  write_file_atomically((out / "host.json").string(), [&](std::ostream& os) { os << host.dump(2) << "\n"; });

  if (!soc.cpu.error().empty()) std::cerr << "dacapo-vp: firmware error: " << soc.cpu.error() << "\n";
  if (interrupted) std::cerr << "dacapo-vp: interrupted at " << format_seconds(sim_s) << " simulated; outputs written\n";
  if (time_limit_hit) std::cerr << "dacapo-vp: time limit soc.time_limit_s reached\n";
  if (!opt.quiet) {
    std::cout << "\ndacapo-vp: firmware '" << opt.firmware << "' "
              << (status == kExitOk ? "passed" : status == kExitFirmwareFail ? "FAILED" : "did not finish")
              << " (exit " << soc.cpu.exit_code() << ") after " << format_seconds(sim_s) << " simulated, "
              << std::fixed << std::setprecision(2) << wall_s << " s wall\n"
              << "outputs in " << fs::absolute(out).string() << ": config.ini stats.json stats.txt jobs.csv console.txt host.json";
    for (const auto& entry : soc.cpu.outputs()) std::cout << " " << entry.first;
    if (!cfg.dram.trace_out.empty()) std::cout << " " << cfg.dram.trace_out;
    if (!opt.vcd.empty()) std::cout << "\nwaveform: " << opt.vcd << " (gtkwave " << opt.vcd << ")";
    std::cout << "\n";
  }
  return status;
}

}  // namespace

int run_dacapo_vp(int argc, const char* const* argv) {
  CliOptions opt;
  try {
    opt = parse_cli(argc, argv);
  } catch (const CliError& e) {
    std::cerr << "dacapo-vp: " << e.what() << "\n(try dacapo-vp --help)\n";
    return kExitUsage;
  }
  if (opt.help) {
    print_help(std::cout);
    return kExitOk;
  }
  // SystemC's own informational messages would break the deterministic, quiet output.
  sc_report_handler::set_actions(SC_INFO, SC_DO_NOTHING);
  sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", SC_DO_NOTHING);
  try {
    return simulate(opt);
  } catch (const ParamError& e) {
    std::cerr << "dacapo-vp: configuration error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const CliError& e) {
    std::cerr << "dacapo-vp: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    // Unreadable scenario/image files and similar input problems come here.
    std::cerr << "dacapo-vp: error: " << e.what() << "\n";
    return kExitUsage;
  }
}

}  // namespace dacapo::platform
