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

bool valid_output_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace dacapo::fw
