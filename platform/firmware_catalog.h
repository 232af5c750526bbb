// The firmware images the board can boot (--firmware NAME). Each image has a config struct whose keys live
// under "firmware.<name>." (listed by --list-params, loaded from --config/--set like every other key).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/common/params.h"
#include "models/cpu/host_cpu.h"

namespace dacapo::platform {

struct FirmwareImage {
  std::string name;
  std::string description;
  // Parameters with their defaults.
  std::function<std::vector<ParamDoc>()> describe;
  // Loads the image's config from the store (throws ParamError), appends the effective values to `effective`,
  // and returns the entry point.
  std::function<cpu::HostCpu::Firmware(const ParamStore& store, uint64_t seed, std::vector<ParamDoc>& effective)> load;
};

const std::vector<FirmwareImage>& firmware_images();
// nullptr when there is no image of that name.
const FirmwareImage* find_firmware(const std::string& name);

}  // namespace dacapo::platform
