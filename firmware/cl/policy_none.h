// The "no retraining" baseline: the pretrained student infers the whole stream; the T-SA idles.
#pragma once

#include <limits>

#include "firmware/cl/policy.h"

namespace dacapo::cl {

class NoRetrainPolicy : public Policy {
 public:
  std::string name() const override { return "none"; }
  Phase next(const PolicyContext&) override {
    Phase p;
    p.kind = PhaseKind::Idle;
    p.tag = "idle";
    p.min_end = std::numeric_limits<double>::infinity();  // the executor stops at the end of the stream
    return p;
  }
  PolicyNote complete(const Phase&, const PhaseResult&) override { return {}; }
};

}  // namespace dacapo::cl
