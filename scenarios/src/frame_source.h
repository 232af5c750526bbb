// Frame sources: frame i of a stream as (image, ground-truth class, segment attributes).
//
// Plain C++ (no SystemC) so the camera model consumes it through this interface. ScenarioFrameSource is a pure
// function of (scenario, image pool, seed, i): every frame draws from its own Rng keyed by (seed, i), so frame i
// is identical across runs and whatever frames were read before it.
#pragma once

#include <cstdint>
#include <vector>

#include "scenarios/src/drift.h"
#include "scenarios/src/idx_reader.h"
#include "scenarios/src/scenario.h"

namespace dacapo::scenarios {

struct Frame {
  std::uint64_t index = 0;
  double time_s = 0;      // index / fps
  int label = 0;          // ground-truth class
  std::size_t segment = 0;
  std::size_t label_set = 0;
  Conditions conditions;
  std::uint32_t pool_index = 0;  // which image of the pool (for provenance)
  Image image;
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;
  virtual std::uint64_t frame_count() const = 0;
  virtual double fps() const = 0;
  virtual Frame frame(std::uint64_t index) const = 0;
};

class ScenarioFrameSource final : public FrameSource {
 public:
  // pool: the images frames are drawn from (the t10k split, disjoint from pretraining). Both must outlive this.
  ScenarioFrameSource(const Scenario& scenario, const ImageSet& pool, std::uint64_t seed,
                      const DriftParams& params = {});

  std::uint64_t frame_count() const override { return scenario_.frame_count(); }
  double fps() const override { return scenario_.fps; }
  Frame frame(std::uint64_t index) const override;

 private:
  const Scenario& scenario_;
  const ImageSet& pool_;
  std::uint64_t seed_;
  DriftParams params_;
  std::vector<std::vector<std::uint32_t>> by_class_;  // pool indices per class
};

}  // namespace dacapo::scenarios
