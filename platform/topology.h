// Loader of SCALE-Sim GEMM topology files (test/data/topologies/<model>_gemm.csv: "Layer name,M,N,K," per GEMM of
// a batch-1 forward pass) for the profiler firmware. Host code: the firmware cannot read files, the platform
// hands it the validated layer list.
#pragma once

#include <istream>
#include <stdexcept>
#include <string>

#include "firmware/apps/profile.h"

namespace dacapo::platform {

class TopologyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses the CSV; `source` names it in errors ("<source>:<line>: column 'M': ..."). A trailing empty field (the
// files end every line with ',') is allowed; names must be unique and non-empty, M, N, K in 1..2^20.
fw::ProfileModel parse_gemm_topology(std::istream& in, const std::string& source, const std::string& model_name);
// Reads <dir>/<model>_gemm.csv. Throws TopologyError naming the file when it cannot be opened.
fw::ProfileModel load_gemm_topology(const std::string& dir, const std::string& model_name);

}  // namespace dacapo::platform
