// All continuous-learning settings in one place, and the policy chosen by name.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "firmware/cl/cost.h"
#include "firmware/cl/metrics.h"
#include "firmware/cl/policy_ekya.h"
#include "firmware/cl/policy_eomu.h"
#include "firmware/cl/policy_spatial.h"
#include "firmware/cl/policy_spatiotemporal.h"

namespace dacapo::cl {

struct ClConfig {
  std::string policy = "spatiotemporal";  // spatiotemporal | spatial | ekya | eomu | none
  KernelPlan kernels;
  SpatiotemporalConfig spatiotemporal;
  SpatialConfig spatial;
  EkyaConfig ekya;
  EomuConfig eomu;
  MetricsConfig metrics;

  template <class V>
  void visit_params(V& v) {
    v("policy", policy, "", "continuous-learning policy: spatiotemporal|spatial|ekya|eomu|none");
  }
  void validate() const;
};

// Calls f(name, config) for each sub-config, so a parameter system can load each under "<prefix>.<name>".
template <class F>
void visit_cl_sections(ClConfig& c, F&& f) {
  f("kernels", c.kernels);
  f("spatiotemporal", c.spatiotemporal);
  f("spatial", c.spatial);
  f("ekya", c.ekya);
  f("eomu", c.eomu);
  f("metrics", c.metrics);
}

// Throws std::invalid_argument for an unknown policy name.
std::unique_ptr<Policy> make_policy(const ClConfig& config);

}  // namespace dacapo::cl
