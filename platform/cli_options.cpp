#include "platform/cli_options.h"

#include <sstream>

#include <boost/program_options.hpp>

namespace po = boost::program_options;

namespace dacapo::platform {
namespace {

po::options_description describe_options(CliOptions& o) {
  po::options_description d("dacapo-vp options");
  d.add_options()
      ("help,h", po::bool_switch(&o.help), "print this help and exit")
      ("config,c", po::value(&o.configs)->composing(), "INI configuration file (repeatable; later files win)")
      ("set,s", po::value(&o.sets)->composing(), "key=value parameter override (repeatable; last wins, after all files)")
      ("firmware,f", po::value(&o.firmware)->default_value(o.firmware), "firmware image to boot")
      ("outdir,o", po::value(&o.outdir)->default_value(o.outdir), "output directory (created if missing)")
      ("seed", po::value(&o.seed)->default_value(o.seed), "seed of every random choice (firmware data, camera stream)")
      ("vcd", po::value(&o.vcd), "write a VCD waveform to FILE")
      ("vcd-window", po::value(&o.vcd_window), "keep only START:END of the VCD (e.g. 1ms:3ms; either side may be empty)")
      ("trace", po::value(&o.trace)->multitoken()->composing(),
       "module groups in the VCD: cpu acc dram camera irq (comma- or space-separated; default: all)")
      ("list-params", po::bool_switch(&o.list_params), "list every parameter with default, unit and help, and exit")
      ("quiet,q", po::bool_switch(&o.quiet), "no firmware console echo and no progress line");
  return d;
}

}  // namespace

CliOptions parse_cli(int argc, const char* const* argv) {
  CliOptions o;
  po::options_description d = describe_options(o);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(d).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw CliError(e.what());
  }
  // Split comma-separated trace groups.
  std::vector<std::string> groups;
  for (const std::string& t : o.trace) {
    std::stringstream ss(t);
    std::string item;
    while (std::getline(ss, item, ','))
      if (!item.empty()) groups.push_back(item);
  }
  o.trace = groups;
  if (!o.vcd_window.empty() && o.vcd.empty()) throw CliError("--vcd-window needs --vcd FILE");
  if (!o.trace.empty() && o.vcd.empty()) throw CliError("--trace needs --vcd FILE");
  if (o.outdir.empty()) throw CliError("--outdir must not be empty");
  return o;
}

void print_help(std::ostream& os) {
  CliOptions o;
  os << "dacapo-vp: virtual platform of the DaCapo continuous-learning SoC (docs/platform.md)\n\n"
        "usage: dacapo-vp [--firmware NAME] [--config FILE]... [--set KEY=VALUE]... [--outdir DIR] [--seed N]\n"
        "                 [--vcd FILE [--vcd-window START:END] [--trace GROUPS]] [--quiet]\n"
        "       dacapo-vp --list-params\n\n"
     << describe_options(o)
     << "\nexit codes: 0 ok, 1 firmware reported failure, 2 usage/configuration error, 3 simulation error\n"
        "            (firmware exception or time limit), 4 outputs not written, 130 interrupted (outputs written)\n";
}

}  // namespace dacapo::platform
