// A synthetic, table-driven stand-in for the scenario and the student/teacher pair, for host runs (cl-sim) and
// tests of the policies. Not a model of any network: the student's chance of classifying a frame correctly is
// a per-domain accuracy; training on samples of a domain moves that domain's accuracy toward its ceiling and lets
// the other domains decay toward their pretrained level. Per-frame outcomes are seeded hashes, so runs are
// reproducible and independent of call order.
#pragma once

#include <cstdint>
#include <istream>
#include <stdexcept>
#include <string>
#include <vector>

#include "firmware/cl/interfaces.h"

namespace dacapo::cl {

struct SyntheticSegment {
  double duration_s = 0;
  uint32_t domain = 0;
  uint32_t classes = 0;  // frames of the segment have classes 0..classes-1 (label-distribution drift)
};

struct SyntheticDomain {
  double base_accuracy = 0;  // pretrained student on this domain (fraction)
  double max_accuracy = 0;   // what training on the domain can reach (fraction)
};

struct SyntheticConfig {
  uint32_t num_classes = 10;
  double fps = 30;
  uint64_t seed = 1;
  double learn_samples = 400;    // sample-epochs on a domain that close 63 % of the gap to its ceiling
  double forget_samples = 4000;  // sample-epochs on other domains that undo 63 % of a domain's gain
  double teacher_accuracy = 1.0; // share of frames the teacher labels correctly
  double changed_fraction_max = 0.5;  // per-frame changed_fraction is uniform in [0, this); 1 into a new segment
  uint32_t batch = 16;

  template <class V>
  void visit_params(V& v) {
    v("num_classes", num_classes, "", "classes of the data set");
    v("fps", fps, "Hz", "frame rate");
    v("seed", seed, "", "seed of per-frame outcomes");
    v("learn_samples", learn_samples, "sample-epochs", "training that closes 63% of a domain's gap");
    v("forget_samples", forget_samples, "sample-epochs", "training elsewhere that undoes 63% of a gain");
    v("teacher_accuracy", teacher_accuracy, "", "share of frames the teacher labels correctly");
    v("changed_fraction_max", changed_fraction_max, "", "upper bound of the per-frame changed fraction");
    v("batch", batch, "samples", "SGD batch (for step caps)");
  }
  void validate() const;
};

class SyntheticError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// CSV with header "duration_s,domain,classes". Errors name source, line and column.
std::vector<SyntheticSegment> parse_segments_csv(std::istream& in, const std::string& source);
// CSV with header "domain,base_accuracy,max_accuracy"; domains numbered 0, 1, ... in order.
std::vector<SyntheticDomain> parse_domains_csv(std::istream& in, const std::string& source);

class SyntheticStream : public StreamInfo {
 public:
  SyntheticStream(std::vector<SyntheticSegment> segments, const SyntheticConfig& config);
  FrameClock clock() const override { return clock_; }
  int ground_truth(FrameId frame) const override;
  double changed_fraction(FrameId frame) const override;
  uint32_t domain(FrameId frame) const { return segments_[segment_of(frame)].domain; }
  // Start times of segments 1.. (the true drift boundaries).
  std::vector<double> boundaries() const;
  const SyntheticConfig& config() const { return config_; }

 private:
  size_t segment_of(FrameId frame) const;
  std::vector<SyntheticSegment> segments_;
  std::vector<FrameId> segment_start_;
  SyntheticConfig config_;
  FrameClock clock_;
};

class SyntheticLearner : public LearningOracle {
 public:
  // Throws SyntheticError when a segment names a domain that is not in `domains`.
  SyntheticLearner(const SyntheticStream& stream, std::vector<SyntheticDomain> domains);
  int infer(FrameId frame) override;
  std::vector<int> label(const std::vector<FrameId>& frames) override;
  void train(const std::vector<Sample>& samples, uint32_t epochs, uint64_t max_steps) override;
  double validate(const std::vector<Sample>& samples) override;
  void commit() override;
  ProfileOutcome microprofile(const std::vector<Sample>& train, const std::vector<Sample>& valid,
                              uint32_t epochs) override;

  // Live accuracy of the student on a domain (fraction).
  double live_accuracy(uint32_t domain) const { return live_.accuracy.at(domain); }

 private:
  struct Student {
    std::vector<double> accuracy;  // per domain
    uint64_t version = 0;          // salts the per-frame outcomes after every training
  };
  int predict(const Student& s, FrameId frame) const;
  double accuracy_on(const Student& s, const std::vector<Sample>& samples) const;
  void apply_training(Student& s, const std::vector<Sample>& samples, uint32_t epochs, uint64_t max_steps);

  const SyntheticStream& stream_;
  std::vector<SyntheticDomain> domains_;
  Student live_;
  Student pending_;
  bool has_pending_ = false;
  uint64_t versions_ = 0;
};

}  // namespace dacapo::cl
