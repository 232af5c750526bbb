// One interface for every continuous-learning policy: given the time, the stream's clock, kernel costs and the
// T-SA rows, choose the next T-SA phase; then learn from its result.
#pragma once

#include <cstddef>
#include <string>

#include "firmware/cl/cost.h"
#include "firmware/cl/interfaces.h"

namespace dacapo::cl {

struct PolicyContext {
  double now = 0;
  FrameClock clock;
  const PhaseCosts& costs;     // T-SA kernel costs at the allocated rows
  const StreamInfo& stream;    // the policy may use changed_fraction() (EOMU), never ground_truth()
};

// What a policy reports about a finished phase, for phases.csv.
struct PolicyNote {
  bool drift = false;        // this phase's result triggered the policy's drift/retrain rule
  size_t buffer_fill = 0;    // samples held for future retraining after the phase
};

class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string name() const = 0;
  virtual Phase next(const PolicyContext& ctx) = 0;
  virtual PolicyNote complete(const Phase& phase, const PhaseResult& result) = 0;
};

}  // namespace dacapo::cl
