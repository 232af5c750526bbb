// Configuration of the whole board: one struct per module, each under its object path (soc.cpu, soc.bus, ...),
// plus the board-level keys under "soc". Loading and listing go through models/common/params.h.
#pragma once

#include <string>
#include <vector>

#include "models/bus/router.h"
#include "models/camera/camera.h"
#include "models/camera/synthetic_source.h"
#include "models/common/params.h"
#include "models/cpu/host_cpu.h"
#include "models/dacapo/acc_config.h"
#include "models/dram/dram_config.h"
#include "scenarios/src/idx_reader.h"

namespace dacapo::platform {

struct SocConfig {
  double quantum_ns = 1000.0;  // tlm_global_quantum, set once by the platform top
  double time_limit_s = 0.0;   // stop the simulation at this simulated time (0 = no limit)
  double slice_us = 100.0;     // simulated time between checks for Ctrl-C and progress updates

  template <class V>
  void visit_params(V& v) {
    v("quantum_ns", quantum_ns, "ns", "global TLM quantum: how far an initiator may run ahead of the kernel");
    v("time_limit_s", time_limit_s, "s", "stop the run at this simulated time (0 = run until the firmware returns)");
    v("slice_us", slice_us, "us", "simulated time between Ctrl-C/progress checks (does not affect results)");
  }
  void validate() const;
};

// Where the camera's frames come from.
struct CameraSourceConfig {
  std::string scenario;  // scenario file (.scn); empty = the synthetic stream (soc.camera.synthetic.*)
  std::string fashion_mnist_dir = scenarios::kDefaultFashionMnistDir;

  template <class V>
  void visit_params(V& v) {
    v("scenario", scenario, "", "scenario file (.scn) streamed by the camera; empty = synthetic stream");
    v("fashion_mnist_dir", fashion_mnist_dir, "", "folder with the Fashion-MNIST idx files (scenario streams)");
  }
};

struct BoardConfig {
  SocConfig soc;
  cpu::CpuConfig cpu;
  bus::BusConfig bus;
  acc::AccConfig acc;
  dram::DramConfig dram;
  camera::CameraConfig camera;
  CameraSourceConfig camera_source;
  camera::SyntheticSourceConfig synthetic;
};

// Defaults overridden by the store. Throws ParamError naming the key (bad values, inconsistent settings).
BoardConfig load_board_config(const ParamStore& store);
// Every board parameter with the values of `cfg` (defaults for a default-constructed BoardConfig).
std::vector<ParamDoc> describe_board(const BoardConfig& cfg);

}  // namespace dacapo::platform
