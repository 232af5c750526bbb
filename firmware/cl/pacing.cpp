#include "firmware/cl/pacing.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "firmware/cl/label_work.h"

namespace dacapo::cl {

double phase_work_end(const Phase& phase, const PhaseCosts& costs, const FrameClock& clock, double start,
                      double* label_wait) {
  switch (phase.kind) {
    case PhaseKind::Idle:
      return start;
    case PhaseKind::Retrain:
      return start + costs.train_seconds(phase.train.train.size(), phase.train.epochs, phase.train.max_steps) +
             costs.valid_seconds(phase.train.valid.size());
    case PhaseKind::Label: {
      const std::vector<FrameId> picks = resolve_label_frames(phase.label, clock.frame_count);
      if (picks.size() < phase.label.count) return INFINITY;
      const double per_frame = costs.label_seconds_per_frame();
      double t = start;
      for (FrameId f : picks) {
        const double arrival = clock.arrival(f);
        if (arrival > t) {
          if (label_wait) *label_wait += arrival - t;
          t = arrival;
        }
        t += per_frame;
      }
      return t;
    }
    case PhaseKind::Profile: {
      double t = start;
      for (const auto& c : phase.profile.candidates)
        t += costs.train_seconds(c.train.size(), phase.profile.epochs) + 2 * costs.valid_seconds(c.valid.size());
      return t;
    }
  }
  return start;
}

Pacing::Pacing(const CostOracle& paper, const KernelPlan& plan, double fps) : paper_(paper), plan_(plan) {
  plan_.validate();
  const std::optional<uint32_t> rows = choose_bsa_rows(paper_, plan_, fps);
  if (!rows)
    throw CostError("pacing: no B-SA row count keeps the paper student's inference within 1/" +
                    std::to_string(fps) + " s");
  bsa_rows_ = *rows;
  frame_seconds_ = paper_.seconds(Kernel::Inference, plan_.eval(), bsa_rows_, 1);
  // Every kernel a policy may run on the T-SA: asked once now, so a missing entry fails at load time.
  const PhaseCosts c = costs();
  c.step_seconds();
  c.valid_seconds(1);
  c.label_seconds_per_frame();
}

double Pacing::phase_end(const Phase& phase, const FrameClock& clock, double start, double* label_wait) const {
  return std::max(phase.min_end, phase_work_end(phase, costs(), clock, start, label_wait));
}

}  // namespace dacapo::cl
