#include "firmware/cl/policy_factory.h"

#include "firmware/cl/policy_none.h"

namespace dacapo::cl {

void ClConfig::validate() const {
  if (policy != "spatiotemporal" && policy != "spatial" && policy != "ekya" && policy != "eomu" && policy != "none")
    throw std::invalid_argument("policy: '" + policy + "' is not spatiotemporal, spatial, ekya, eomu or none");
  kernels.validate();
  spatiotemporal.validate();
  spatial.validate();
  ekya.validate();
  eomu.validate();
  metrics.validate();
}

std::unique_ptr<Policy> make_policy(const ClConfig& config) {
  config.validate();
  if (config.policy == "spatiotemporal") return std::make_unique<SpatiotemporalPolicy>(config.spatiotemporal);
  if (config.policy == "spatial") return std::make_unique<SpatialPolicy>(config.spatial);
  if (config.policy == "ekya") return std::make_unique<EkyaPolicy>(config.ekya);
  if (config.policy == "eomu") return std::make_unique<EomuPolicy>(config.eomu);
  return std::make_unique<NoRetrainPolicy>();
}

}  // namespace dacapo::cl
