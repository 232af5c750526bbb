// Weight files of the compact model pair, and where they are cached.
//
// Binary, little-endian, version 1:
//   "DCVPWTS\0"            8-byte magic
//   u32 format version     (1)
//   u32 n, n bytes         model name
//   u64 definition hash    nn::definition_hash of the model definition the weights belong to
//   u64 inputs hash        hash of everything the training consumed (data, transforms, hyper-parameters, seed)
//   u64 count              number of FP32 parameters (must equal the definition's parameter count)
//   count × f32            parameters in the layout of firmware/nn/model_def.h
//   u64 checksum           FNV-1a 64 of all bytes before it
// Written to a temporary file and renamed, so a file is complete or absent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "firmware/nn/model_def.h"

namespace dacapo::scenarios {

inline constexpr std::uint32_t kWeightsFormatVersion = 1;

struct WeightsFile {
  std::string model_name;
  std::uint64_t definition_hash = 0;
  std::uint64_t inputs_hash = 0;
  std::vector<float> params;
};

void save_weights(const std::string& path, const nn::ModelDef& def, std::uint64_t inputs_hash,
                  const std::vector<float>& params);

// Loads and checks magic, version, checksum, the definition hash and parameter count against `def`, and (when
// given) the inputs hash. Every mismatch throws std::runtime_error naming the file and what to do.
WeightsFile load_weights(const std::string& path, const nn::ModelDef& def,
                         std::optional<std::uint64_t> expected_inputs_hash = std::nullopt);

// Cache directory: explicit argument if non-empty, else $DACAPO_CACHE_DIR, else $XDG_CACHE_HOME/dacapo-vp,
// else $HOME/.cache/dacapo-vp.
std::string cache_dir(const std::string& explicit_dir = "");
// <cache>/fmnist-<model name>.dcw
std::string weights_path(const std::string& cache, const nn::ModelDef& def);

}  // namespace dacapo::scenarios
