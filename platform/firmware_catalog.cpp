#include "platform/firmware_catalog.h"

#include "firmware/apps/gemm_selftest.h"

namespace dacapo::platform {
namespace {

// An image whose entry point is run(hal, config, seed) with its config under firmware.<name>.
template <class Config, class Run>
FirmwareImage make_image(const std::string& name, const std::string& description, Run run) {
  const std::string prefix = "firmware." + name;
  FirmwareImage img;
  img.name = name;
  img.description = description;
  img.describe = [prefix] { return describe_config(prefix, Config{}); };
  img.load = [prefix, run](const ParamStore& store, uint64_t seed, std::vector<ParamDoc>& effective) {
    const Config cfg = load_config<Config>(store, prefix);
    const std::vector<ParamDoc> docs = describe_config(prefix, cfg);
    effective.insert(effective.end(), docs.begin(), docs.end());
    return cpu::HostCpu::Firmware([cfg, seed, run](fw::Hal& hal) { return run(hal, cfg, seed); });
  };
  return img;
}

}  // namespace

const std::vector<FirmwareImage>& firmware_images() {
  static const std::vector<FirmwareImage> images = {
      make_image<fw::GemmSelftestConfig>(
          "gemm_selftest",
          "GEMMs of every precision on both sub-accelerators, checked against the MX reference; error recovery; "
          "perf counters",
          [](fw::Hal& hal, const fw::GemmSelftestConfig& cfg, uint64_t seed) {
            return fw::run_gemm_selftest(hal, cfg, seed);
          }),
  };
  return images;
}

const FirmwareImage* find_firmware(const std::string& name) {
  for (const FirmwareImage& img : firmware_images())
    if (img.name == name) return &img;
  return nullptr;
}

}  // namespace dacapo::platform
