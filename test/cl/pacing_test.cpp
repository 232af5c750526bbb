// Pacing arithmetic (firmware/cl/pacing.h) against hand-computed durations, on a paper table in the profiler's
// CSV format. No kernel, no board.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "firmware/cl/pacing.h"

using namespace dacapo::cl;

namespace {
// B-SA inference 0.12 s / rows: 0.04 s at 3 rows (> 1/30 s), 0.03 s at 4 rows → 4 B-SA rows, 12 T-SA rows.
std::string paper_csv(bool with_label = true) {
  std::ostringstream os;
  os << "model,kernel,precision,rows,batch,seconds\n";
  for (int r = 1; r <= 15; ++r) os << "resnet18,infer,MX6," << r << ",1," << 0.12 / r << "\n";
  os << "resnet18,train,MX9,12,16,0.9\n"
     << "resnet18,infer,MX6,12,16,0.11\n";
  if (with_label) os << "wide_resnet50_2,infer,MX6,12,1,0.025\n";
  return os.str();
}

CostTable paper_table(bool with_label = true) {
  std::istringstream in(paper_csv(with_label));
  return CostTable::parse(in, "pair.csv", "resnet18", "wide_resnet50_2");
}

FrameClock clock30(FrameId frames = 30 * 600) {
  FrameClock c;
  c.fps = 30;
  c.frame_count = frames;
  return c;
}
}  // namespace

TEST_CASE("Pacing takes the B-SA rows and T-SA costs from the paper table") {
  const CostTable t = paper_table();
  const KernelPlan plan;
  const Pacing p(t, plan, 30.0);
  REQUIRE(p.bsa_rows() == 4);
  REQUIRE(p.tsa_rows() == 12);
  REQUIRE(p.frame_seconds() == Approx(0.03));
  REQUIRE(p.costs().step_seconds() == 0.9);
  REQUIRE(p.costs().label_seconds_per_frame() == 0.025);
}

TEST_CASE("Pacing rejects a table that lacks an entry the run needs") {
  const CostTable no_label = paper_table(false);
  REQUIRE_THROWS_WITH(Pacing(no_label, KernelPlan{}, 30.0),
                      Catch::Contains("pair.csv") && Catch::Contains("wide_resnet50_2,infer,MX6,12,1"));
  // The T-SA rows are measured at 12 T-SA rows: a 60 fps camera needs 8 B-SA rows (0.12/8 <= 1/60) and
  // leaves 8 T-SA rows, which the table does not have.
  const CostTable t = paper_table();
  REQUIRE_THROWS_WITH(Pacing(t, KernelPlan{}, 60.0), Catch::Contains("resnet18,train,MX9,8,16"));
  // No split keeps up at 1000 fps.
  REQUIRE_THROWS_WITH(Pacing(t, KernelPlan{}, 1000.0), Catch::Contains("no B-SA row count"));
}

TEST_CASE("A paced retrain phase lasts its steps plus its validation batches") {
  const CostTable t = paper_table();
  const Pacing p(t, KernelPlan{}, 30.0);
  Phase ph;
  ph.kind = PhaseKind::Retrain;
  ph.train.train.resize(324);
  ph.train.valid.resize(108);
  ph.train.epochs = 1;
  // ceil(324/16) = 21 steps of 0.9 s, ceil(108/16) = 7 validation batches of 0.11 s.
  REQUIRE(p.phase_end(ph, clock30(), 100.0) == Approx(100.0 + 21 * 0.9 + 7 * 0.11));
  ph.train.epochs = 2;
  ph.train.max_steps = 30;  // the cap wins over 2 x 21
  REQUIRE(p.phase_end(ph, clock30(), 100.0) == Approx(100.0 + 30 * 0.9 + 7 * 0.11));
  // A static window (min_end) later than the work keeps the phase open.
  ph.min_end = 200.0;
  REQUIRE(p.phase_end(ph, clock30(), 100.0) == 200.0);
}

TEST_CASE("A paced label phase labels one frame per teacher call and waits for frames to arrive") {
  const CostTable t = paper_table();
  const Pacing p(t, KernelPlan{}, 30.0);
  Phase ph;
  ph.kind = PhaseKind::Label;
  // 108 frames with a uniform stride over frames 0..2999, all arrived by t = 100 s: 108 x 0.025 s, no wait.
  ph.label.first = 0;
  ph.label.end = 3000;
  ph.label.count = 108;
  double wait = 0;
  REQUIRE(p.phase_end(ph, clock30(), 100.0, &wait) == Approx(100.0 + 108 * 0.025));
  REQUIRE(wait == 0);
  // The 4 frames from frame 3000 (arrives at 100 s) on, starting at 99 s: wait 1 s for frame 3000, then every
  // next frame (1/30 s apart) arrives after the previous label (0.025 s): 3 more waits of 1/30 - 0.025 s.
  ph.label.first = 3000;
  ph.label.end = 3000;
  ph.label.count = 4;
  wait = 0;
  const double end = p.phase_end(ph, clock30(), 99.0, &wait);
  REQUIRE(end == Approx(3003.0 / 30 + 0.025));
  REQUIRE(wait == Approx(1.0 + 3 * (1.0 / 30 - 0.025)));
  // The stream ends before the frames arrive: the phase cannot finish.
  REQUIRE(std::isinf(p.phase_end(ph, clock30(3002), 99.0)));
}

TEST_CASE("A paced micro-profile trains and validates every candidate") {
  const CostTable t = paper_table();
  const Pacing p(t, KernelPlan{}, 30.0);
  Phase ph;
  ph.kind = PhaseKind::Profile;
  ph.profile.epochs = 5;
  ph.profile.candidates.resize(2);
  ph.profile.candidates[0].train.resize(40);  // 3 steps per epoch
  ph.profile.candidates[0].valid.resize(10);  // 1 batch
  ph.profile.candidates[1].train.resize(16);  // 1 step per epoch
  ph.profile.candidates[1].valid.resize(20);  // 2 batches
  const double want = (15 * 0.9 + 2 * 1 * 0.11) + (5 * 0.9 + 2 * 2 * 0.11);
  REQUIRE(p.phase_end(ph, clock30(), 10.0) == Approx(10.0 + want));
  Phase idle;
  REQUIRE(p.phase_end(idle, clock30(), 10.0) == 10.0);
}

TEST_CASE("Overrun is how much later the board finished than the paper time line") {
  REQUIRE(Pacing::overrun(10.5, 10.0) == 0.5);
  REQUIRE(Pacing::overrun(9.0, 10.0) == 0.0);
  REQUIRE(Pacing::overrun(10.0, 10.0) == 0.0);
}
