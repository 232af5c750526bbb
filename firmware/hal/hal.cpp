#include "firmware/hal/hal.h"

namespace dacapo::fw {

const char* to_string(Phase phase) {
  switch (phase) {
    case Phase::Idle: return "idle";
    case Phase::Boot: return "boot";
    case Phase::Setup: return "setup";
    case Phase::Accelerate: return "accelerate";
    case Phase::Check: return "check";
    case Phase::Inference: return "inference";
    case Phase::Label: return "label";
    case Phase::Retrain: return "retrain";
    case Phase::Validate: return "validate";
    case Phase::Done: return "done";
  }
  return "?";
}

}  // namespace dacapo::fw
