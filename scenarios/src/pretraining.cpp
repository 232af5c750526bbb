#include "scenarios/src/pretraining.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace dacapo::scenarios {

PretrainConfig default_pretrain_config(const nn::ModelDef& def) {
  PretrainConfig cfg;
  if (std::string(def.name) == nn::kStudent.name) {
    cfg.domain = TrainingDomain::clear_day_city;
    cfg.epochs = 3;
    cfg.samples_per_epoch = 0;
    cfg.sgd = {0.02, 0.9, 1e-4};
    cfg.seed = 101;
  } else if (std::string(def.name) == nn::kTeacher.name) {
    cfg.domain = TrainingDomain::all;
    cfg.epochs = 8;
    cfg.samples_per_epoch = 60000;
    cfg.sgd = {0.02, 0.9, 1e-4};
    cfg.seed = 202;
  } else {
    throw std::invalid_argument(std::string("no pretraining defaults for model '") + def.name + "'");
  }
  return cfg;
}

std::uint64_t pretrain_inputs_hash(const nn::ModelDef& def, const PretrainConfig& cfg, const ImageSet& train,
                                   const DriftParams& drift) {
  Fnv1a h;
  h.u64(nn::definition_hash(def));
  h.u64(static_cast<std::uint64_t>(cfg.domain));
  h.u64(static_cast<std::uint64_t>(cfg.epochs));
  h.u64(cfg.samples_per_epoch);
  h.u64(static_cast<std::uint64_t>(cfg.batch));
  h.f64(cfg.sgd.learning_rate);
  h.f64(cfg.sgd.momentum);
  h.f64(cfg.sgd.weight_decay);
  h.f64(cfg.last_epoch_lr_scale);
  h.u64(cfg.seed);
  h.u64(kDriftVersion);
  h.u64(kTrainerVersion);
  for (double v : {drift.night_gain, drift.night_contrast, drift.night_noise_sigma, drift.suburb_scale,
                   drift.suburb_bg_mean, drift.suburb_bg_amplitude, drift.object_alpha_gain, drift.overcast_gain,
                   drift.overcast_lift, drift.rain_dim, drift.rain_level, drift.rain_alpha, drift.snow_gain,
                   drift.snow_lift, drift.snow_big, drift.snow_level, drift.snow_alpha, drift.fog_density,
                   drift.fog_level, drift.fog_blur})
    h.f64(v);
  for (int v : {drift.suburb_max_shift, drift.suburb_texture_slack, drift.rain_min, drift.rain_max,
                drift.rain_len_min, drift.rain_len_max, drift.rain_slant, drift.snow_min, drift.snow_max})
    h.u64(static_cast<std::uint64_t>(v));
  h.u64(static_cast<std::uint64_t>(train.rows));
  h.u64(static_cast<std::uint64_t>(train.cols));
  h.bytes(train.pixels.data(), train.pixels.size());
  h.bytes(train.labels.data(), train.labels.size());
  return h.value();
}

std::vector<float> pretrain(const nn::ModelDef& def, const PretrainConfig& cfg, const ImageSet& train,
                            const DriftParams& drift, const EpochCallback& on_epoch, int threads) {
  if (train.count() == 0) throw std::invalid_argument("pretrain: empty training set");
  if (static_cast<std::size_t>(train.rows) * train.cols != def.input.size() || def.input.c != 1)
    throw std::invalid_argument(std::string("pretrain: images do not match the input of ") + def.name);
  Network net(def);
  net.init(cfg.seed);
  SgdTrainer trainer(net, threads);
  const std::vector<Conditions> domains = all_conditions();
  const std::size_t per_epoch =
      cfg.samples_per_epoch == 0 ? train.count() : std::min(cfg.samples_per_epoch, train.count());
  std::vector<std::uint32_t> order(train.count());
  std::vector<Image> batch_images;
  std::vector<const float*> batch_inputs;
  std::vector<int> batch_labels;
  for (int epoch = 0; epoch < cfg.epochs; ++epoch) {
    std::iota(order.begin(), order.end(), 0u);
    Rng shuffle(derive_key(cfg.seed, static_cast<std::uint64_t>(epoch), 0x5f1e));
    for (std::size_t i = order.size() - 1; i > 0; --i)
      std::swap(order[i], order[shuffle.below(static_cast<std::uint32_t>(i + 1))]);
    SgdConfig sgd = cfg.sgd;
    if (epoch == cfg.epochs - 1 && cfg.epochs > 1) sgd.learning_rate *= cfg.last_epoch_lr_scale;
    double loss_sum = 0;
    std::size_t batches = 0;
    for (std::size_t start = 0; start < per_epoch; start += static_cast<std::size_t>(cfg.batch)) {
      const std::size_t end = std::min(per_epoch, start + static_cast<std::size_t>(cfg.batch));
      batch_images.clear();
      batch_labels.clear();
      for (std::size_t j = start; j < end; ++j) {
        const std::uint32_t idx = order[j];
        Rng rng(derive_key(cfg.seed, static_cast<std::uint64_t>(epoch) * train.count() + j, 0xda7a));
        Conditions c;
        if (cfg.domain == TrainingDomain::all) c = domains[rng.below(static_cast<std::uint32_t>(domains.size()))];
        batch_images.push_back(apply_drift(train.image(idx), train.rows, train.cols, c, rng, drift));
        batch_labels.push_back(train.labels[idx]);
      }
      batch_inputs.clear();
      for (const Image& im : batch_images) batch_inputs.push_back(im.pixels.data());
      loss_sum += trainer.step(batch_inputs, batch_labels, sgd);
      ++batches;
    }
    if (on_epoch) on_epoch(epoch, loss_sum / static_cast<double>(batches));
  }
  return net.params();
}

double evaluate(const Network& net, const ImageSet& set, const Conditions& conditions, std::size_t first,
                std::size_t n, std::uint64_t seed, const DriftParams& drift) {
  if (first + n > set.count() || n == 0) throw std::invalid_argument("evaluate: range outside the image set");
  std::size_t correct = 0;
  for (std::size_t i = first; i < first + n; ++i) {
    Rng rng(derive_key(seed, i, 0xe7a1));
    const Image im = apply_drift(set.image(i), set.rows, set.cols, conditions, rng, drift);
    if (net.predict(im.pixels.data()) == set.labels[i]) ++correct;
  }
  return static_cast<double>(correct) / static_cast<double>(n);
}

}  // namespace dacapo::scenarios
