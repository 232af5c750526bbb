#include "platform/board_config.h"

#include "firmware/hal/soc_map.h"

namespace dacapo::platform {

void SocConfig::validate() const {
  if (!(quantum_ns > 0.0)) throw ParamError("soc.quantum_ns must be > 0");
  if (!(time_limit_s >= 0.0)) throw ParamError("soc.time_limit_s must be >= 0");
  if (!(slice_us > 0.0)) throw ParamError("soc.slice_us must be > 0");
}

BoardConfig load_board_config(const ParamStore& store) {
  BoardConfig b;
  b.soc = load_config<SocConfig>(store, "soc");
  b.cpu = load_config<cpu::CpuConfig>(store, "soc.cpu");
  b.bus = load_config<bus::BusConfig>(store, "soc.bus");
  b.acc = load_config<acc::AccConfig>(store, "soc.acc");
  b.acc.energy = acc::load_energy_config(store, "soc.acc.energy");
  b.dram = dram::load_dram_config(store, "soc.dram");
  b.camera = load_config<camera::CameraConfig>(store, "soc.camera");
  b.camera_source = load_config<CameraSourceConfig>(store, "soc.camera.source");
  b.synthetic = load_config<camera::SyntheticSourceConfig>(store, "soc.camera.synthetic");
  // One address map: the accelerator's address checks must agree with where the DRAM really is.
  if (b.acc.dram_base != soc::kDramBase)
    throw ParamError("soc.acc.dram_base must be the board's DRAM base 0x80000000 (firmware/hal/soc_map.h)");
  if (b.acc.dram_bytes > b.dram.capacity_bytes())
    throw ParamError("soc.acc.dram_bytes (" + std::to_string(b.acc.dram_bytes) + ") exceeds the DRAM capacity (" +
                     std::to_string(b.dram.capacity_bytes()) + " B from soc.dram.*)");
  return b;
}

std::vector<ParamDoc> describe_board(const BoardConfig& cfg) {
  std::vector<ParamDoc> all;
  const auto append = [&](std::vector<ParamDoc> docs) { all.insert(all.end(), docs.begin(), docs.end()); };
  append(describe_config("soc", cfg.soc));
  append(describe_config("soc.cpu", cfg.cpu));
  append(describe_config("soc.bus", cfg.bus));
  append(describe_config("soc.acc", cfg.acc));
  append(describe_config("soc.acc.energy", cfg.acc.energy));
  append(describe_config("soc.dram", cfg.dram));
  append(describe_config("soc.camera", cfg.camera));
  append(describe_config("soc.camera.source", cfg.camera_source));
  append(describe_config("soc.camera.synthetic", cfg.synthetic));
  return all;
}

}  // namespace dacapo::platform
