// Phase durations from a latency table, and pacing: running the learning on the compact pair while the phases
// take the time of a paper-scale pair (issue 6, docs/continuous-learning.md "Pacing").
#pragma once

#include <cstdint>

#include "firmware/cl/cost.h"
#include "firmware/cl/frame_clock.h"
#include "firmware/cl/types.h"

namespace dacapo::cl {

// End of a phase's T-SA work started at `start` when every kernel call takes what `costs` says (the authors'
// emulator, cl-policies.md §1): retrain = its SGD steps + validation batches; label = one teacher call per frame,
// each starting when the labeler is free and the frame has arrived; profile = per candidate its training and two
// validations; idle = `start`. The phase's min_end is not applied. INFINITY when the stream (clock.frame_count)
// lacks frames a label phase names. Adds the labeler's idle time to *label_wait when given.
double phase_work_end(const Phase& phase, const PhaseCosts& costs, const FrameClock& clock, double start,
                      double* label_wait = nullptr);

// The time line of a paper-scale pair: B-SA rows chosen from its table like Algorithm 1 (the fewest whose
// batch-1 student inference keeps up with the camera), the T-SA phases at the remaining rows.
class Pacing {
 public:
  // `paper` must outlive this object. Throws CostError naming the table and the missing entry when the table
  // lacks one the run needs (inference rows 1.. up to the choice, retrain, validate and label at the T-SA rows),
  // or when no split keeps up with `fps`.
  Pacing(const CostOracle& paper, const KernelPlan& plan, double fps);
  Pacing(const Pacing&) = delete;
  Pacing& operator=(const Pacing&) = delete;

  uint32_t bsa_rows() const { return bsa_rows_; }
  uint32_t tsa_rows() const { return plan_.total_rows - bsa_rows_; }
  // The paper student's batch-1 inference on the B-SA: the earliest the B-SA takes the next frame after one.
  double frame_seconds() const { return frame_seconds_; }
  // The paper-scale costs the policy plans with (valid while this object lives).
  PhaseCosts costs() const { return PhaseCosts(paper_, plan_, tsa_rows()); }
  // When a phase started at `start` ends on the paper time line (its own min_end included).
  double phase_end(const Phase& phase, const FrameClock& clock, double start, double* label_wait = nullptr) const;
  // How much later than the paper time line the board's own work for the phase finished (0 when in time).
  static double overrun(double board_work_end, double paper_end) {
    return board_work_end > paper_end ? board_work_end - paper_end : 0.0;
  }

 private:
  const CostOracle& paper_;
  KernelPlan plan_;
  uint32_t bsa_rows_ = 0;
  double frame_seconds_ = 0;
};

}  // namespace dacapo::cl
