// Pretraining of the compact pair and accuracy measurement per domain (host FP32, deterministic).
//
// Student: only the clear/day/city domain with all classes, so drift really hurts it. Teacher: every combination
// of time, location and weather, drawn uniformly per sample. Training images come from the train split only; the
// accuracy measurements use the t10k split (the stream's pool), so they are held out.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "scenarios/src/cnn.h"
#include "scenarios/src/drift.h"
#include "scenarios/src/idx_reader.h"

namespace dacapo::scenarios {

// Bumped whenever the trainer's arithmetic changes (e.g. its summation order): part of the inputs hash.
inline constexpr std::uint32_t kTrainerVersion = 2;

enum class TrainingDomain : std::uint8_t { clear_day_city = 0, all = 1 };

struct PretrainConfig {
  TrainingDomain domain = TrainingDomain::clear_day_city;
  int epochs = 3;
  std::size_t samples_per_epoch = 0;  // 0 = the whole train split, else a fresh random subset each epoch
  int batch = 32;
  SgdConfig sgd{0.02, 0.9, 1e-4};
  double last_epoch_lr_scale = 0.1;  // the final epoch runs at lr × this (a one-step schedule)
  std::uint64_t seed = 1;
};

// The defaults for kStudent and kTeacher (by name).
PretrainConfig default_pretrain_config(const nn::ModelDef& def);

// Everything the weights depend on: model definition, config, drift parameters and version, and the content
// of the training images and labels.
std::uint64_t pretrain_inputs_hash(const nn::ModelDef& def, const PretrainConfig& cfg, const ImageSet& train,
                                   const DriftParams& drift = {});

using EpochCallback = std::function<void(int epoch, double mean_loss)>;

// threads: how many threads compute the gradient shards (the result is the same for any count).
std::vector<float> pretrain(const nn::ModelDef& def, const PretrainConfig& cfg, const ImageSet& train,
                            const DriftParams& drift = {}, const EpochCallback& on_epoch = {}, int threads = 1);

// Accuracy (0..1) on images [first, first + n) of `set` under `conditions` (drift drawn from (seed, image index)).
double evaluate(const Network& net, const ImageSet& set, const Conditions& conditions, std::size_t first,
                std::size_t n, std::uint64_t seed, const DriftParams& drift = {});

}  // namespace dacapo::scenarios
