#include "platform/topology.h"

#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "firmware/cl/cost.h"

namespace dacapo::platform {
namespace {

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> out = cl::split_csv(line);
  // The files end every line with ','; that empty last field is not a column.
  if (out.size() > 1 && out.back().empty()) out.pop_back();
  return out;
}

uint32_t parse_dim(const std::string& text, const std::string& where, const char* column) {
  size_t pos = 0;
  unsigned long v = 0;
  try {
    v = std::stoul(text, &pos);
  } catch (const std::exception&) {
    pos = 0;
  }
  if (pos == 0 || pos != text.size() || text[0] == '-' || v == 0 || v > (1ul << 20))
    throw TopologyError(where + ": column '" + column + "': '" + text + "' is not an integer in 1..1048576");
  return static_cast<uint32_t>(v);
}

}  // namespace

fw::ProfileModel parse_gemm_topology(std::istream& in, const std::string& source, const std::string& model_name) {
  fw::ProfileModel model;
  model.name = model_name;
  static const std::vector<std::string> header{"Layer name", "M", "N", "K"};
  std::set<std::string> names;
  std::string line;
  size_t line_no = 0;
  bool seen_header = false;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string where = source + ":" + std::to_string(line_no);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::vector<std::string> f = split_fields(line);
    if (!seen_header) {
      if (f != header) throw TopologyError(where + ": expected header 'Layer name,M,N,K,'");
      seen_header = true;
      continue;
    }
    if (f.size() != header.size())
      throw TopologyError(where + ": expected 4 columns (Layer name,M,N,K), got " + std::to_string(f.size()));
    if (f[0].empty()) throw TopologyError(where + ": column 'Layer name' is empty");
    if (!names.insert(f[0]).second) throw TopologyError(where + ": column 'Layer name': duplicate layer '" + f[0] + "'");
    fw::GemmLayer g;
    g.name = f[0];
    g.m = parse_dim(f[1], where, "M");
    g.n = parse_dim(f[2], where, "N");
    g.k = parse_dim(f[3], where, "K");
    model.layers.push_back(g);
  }
  if (!seen_header) throw TopologyError(source + ": empty topology file (no header)");
  if (model.layers.empty()) throw TopologyError(source + ": no layers");
  return model;
}

fw::ProfileModel load_gemm_topology(const std::string& dir, const std::string& model_name) {
  if (model_name.empty() || model_name.find('/') != std::string::npos)
    throw TopologyError("firmware.profile.model: '" + model_name + "' is not a topology name");
  const std::string path = dir + "/" + model_name + "_gemm.csv";
  std::ifstream in(path);
  if (!in) throw TopologyError(path + ": cannot open topology file (firmware.profile.model = " + model_name + ")");
  return parse_gemm_topology(in, path, model_name);
}

}  // namespace dacapo::platform
