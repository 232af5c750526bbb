#include "firmware/cl/types.h"

namespace dacapo::cl {

const char* to_string(PhaseKind kind) {
  switch (kind) {
    case PhaseKind::Idle: return "idle";
    case PhaseKind::Retrain: return "retrain";
    case PhaseKind::Label: return "label";
    case PhaseKind::Profile: return "profile";
  }
  return "?";
}

}  // namespace dacapo::cl
