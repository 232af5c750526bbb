#include "scenarios/src/frame_source.h"

#include <stdexcept>

namespace dacapo::scenarios {

ScenarioFrameSource::ScenarioFrameSource(const Scenario& scenario, const ImageSet& pool, std::uint64_t seed,
                                         const DriftParams& params)
    : scenario_(scenario), pool_(pool), seed_(seed), params_(params), by_class_(kNumClasses) {
  for (std::size_t i = 0; i < pool.count(); ++i) by_class_[pool.labels[i]].push_back(static_cast<std::uint32_t>(i));
  for (const LabelSet& ls : scenario.label_sets)
    for (int c = 0; c < kNumClasses; ++c)
      if (ls.prior[c] > 0 && by_class_[c].empty())
        throw std::runtime_error(scenario.source + ": label set '" + ls.name + "' needs class " + std::to_string(c) +
                                 " but the image pool has none");
}

Frame ScenarioFrameSource::frame(std::uint64_t index) const {
  if (index >= frame_count())
    throw std::out_of_range(scenario_.source + ": frame " + std::to_string(index) + " of " +
                            std::to_string(frame_count()));
  Rng rng(derive_key(seed_, index));
  Frame f;
  f.index = index;
  f.time_s = static_cast<double>(index) / scenario_.fps;
  f.segment = scenario_.segment_index(index);
  const Segment& seg = scenario_.segments[f.segment];
  f.label_set = seg.label_set;
  f.conditions = seg.conditions;
  // Class by inverse CDF of the segment's prior; then an image of that class, uniformly.
  const auto& prior = scenario_.label_sets[seg.label_set].prior;
  const double u = rng.uniform();
  double acc = 0;
  int label = kNumClasses - 1;
  while (label > 0 && prior[label] == 0) --label;  // the last class that can occur absorbs rounding
  for (int c = 0; c < kNumClasses; ++c) {
    acc += prior[c];
    if (prior[c] > 0 && u < acc) {
      label = c;
      break;
    }
  }
  f.label = label;
  const auto& candidates = by_class_[label];
  f.pool_index = candidates[rng.below(static_cast<std::uint32_t>(candidates.size()))];
  f.image = apply_drift(pool_.image(f.pool_index), pool_.rows, pool_.cols, f.conditions, rng, params_);
  return f;
}

}  // namespace dacapo::scenarios
