#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

#include "firmware/cl/policy_factory.h"
#include "firmware/cl/synthetic.h"
#include "models/common/params.h"
#include "support.h"

using namespace dacapo::cl;

namespace {
SyntheticConfig config() {
  SyntheticConfig c;
  c.seed = 3;
  return c;
}
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("Synthetic stream follows its segments") {
  const SyntheticStream s({{10, 0, 3}, {5.5, 1, 10}}, config());
  REQUIRE(s.clock().frame_count == 465);
  REQUIRE(s.boundaries() == std::vector<double>{10});
  REQUIRE(s.domain(299) == 0);
  REQUIRE(s.domain(300) == 1);
  for (FrameId f = 0; f < 300; ++f) REQUIRE(s.ground_truth(f) < 3);
  REQUIRE(s.changed_fraction(299) == 1.0);  // frame 299 -> 300 crosses into the new segment
  for (FrameId f = 0; f < 299; ++f) REQUIRE(s.changed_fraction(f) < 0.5);
  REQUIRE(s.changed_fraction(464) == 0.0);  // the last frame has no successor
}

TEST_CASE("Synthetic learner learns a domain only when the new weights are committed") {
  const SyntheticStream s({{100, 0, 10}, {100, 1, 10}}, config());
  SyntheticLearner l(s, {{0.8, 0.9}, {0.3, 0.8}});
  const auto train = test::samples_of(s, 3000, 200);  // domain 1
  const auto valid = test::samples_of(s, 4000, 1000);
  const double before = l.validate(valid);
  REQUIRE(before == Approx(30).margin(5));
  l.train(train, 2, 0);
  REQUIRE(l.live_accuracy(1) == 0.3);  // pending only
  // 400 sample-epochs with learn_samples 400: gap closes by 1 - e^-1.
  const double expected = 0.3 + 0.5 * (1 - std::exp(-1.0));
  REQUIRE(l.validate(valid) == Approx(100 * expected).margin(5));
  l.commit();
  REQUIRE(l.live_accuracy(1) == Approx(expected));
  // Domain 0 did not get samples: it decays toward its pretrained level (already there: unchanged).
  REQUIRE(l.live_accuracy(0) == Approx(0.8));
  // Micro-profiling leaves the live student alone.
  const ProfileOutcome p = l.microprofile(train, valid, 5);
  REQUIRE(p.after > p.before);
  REQUIRE(l.live_accuracy(1) == Approx(expected));
  // A step cap trains a share of the epochs: 200 samples, 2 epochs = 26 steps; 13 steps = half.
  SyntheticLearner half(s, {{0.8, 0.9}, {0.3, 0.8}});
  half.train(train, 2, 13);
  half.commit();
  REQUIRE(half.live_accuracy(1) == Approx(0.3 + 0.5 * (1 - std::exp(-0.5))));
}

TEST_CASE("Synthetic CSV files are validated with file line and column") {
  std::istringstream bad_header("seconds,domain,classes\n");
  REQUIRE_THAT(error_of([&] { parse_segments_csv(bad_header, "s.csv"); }), Catch::Contains("s.csv:1"));
  std::istringstream bad_value("duration_s,domain,classes\n10,0,3\n5,x,3\n");
  REQUIRE_THAT(error_of([&] { parse_segments_csv(bad_value, "s.csv"); }),
               Catch::Contains("s.csv:3") && Catch::Contains("domain"));
  std::istringstream bad_order("domain,base_accuracy,max_accuracy\n1,0.5,0.9\n");
  REQUIRE_THAT(error_of([&] { parse_domains_csv(bad_order, "d.csv"); }), Catch::Contains("d.csv:2"));
  std::istringstream bad_acc("domain,base_accuracy,max_accuracy\n0,1.5,0.9\n");
  REQUIRE_THAT(error_of([&] { parse_domains_csv(bad_acc, "d.csv"); }), Catch::Contains("base_accuracy"));
  const SyntheticStream s({{1, 2, 3}}, config());
  REQUIRE_THAT(error_of([&] { SyntheticLearner(s, {{0.5, 0.9}}); }), Catch::Contains("domain 2"));
}

TEST_CASE("The shipped cl-sim example files parse") {
  const std::string dir = std::string(DACAPO_SOURCE_DIR) + "/firmware/cl/examples/";
  std::ifstream seg(dir + "toy_segments.csv"), dom(dir + "toy_domains.csv"), cost(dir + "toy_costs.csv");
  REQUIRE(parse_segments_csv(seg, "toy_segments.csv").size() == 5);
  REQUIRE(parse_domains_csv(dom, "toy_domains.csv").size() == 3);
  const CostTable t = CostTable::parse(cost, "toy_costs.csv", "student", "teacher");
  KernelPlan plan;
  REQUIRE(choose_bsa_rows(t, plan, 30).has_value());
}

TEST_CASE("Continuous-learning configs load through the parameter system") {
  dacapo::ParamStore store;
  store.set("fw.cl.spatiotemporal.drift_threshold", "-4");
  store.set("fw.cl.eomu.strict_label_budget", "true");
  store.set("fw.cl.kernels.train_precision", "MX6");
  ClConfig cfg;
  cfg = dacapo::load_config(store, "fw.cl", cfg);
  visit_cl_sections(cfg, [&](const char* name, auto& section) {
    section = dacapo::load_config(store, std::string("fw.cl.") + name, section);
  });
  store.require_all_consumed();
  REQUIRE(cfg.spatiotemporal.drift_threshold == -4);
  REQUIRE(cfg.eomu.strict_label_budget);
  REQUIRE(cfg.kernels.train() == Precision::MX6);
  const auto docs = dacapo::describe_config<SpatiotemporalConfig>("fw.cl.spatiotemporal");
  REQUIRE(docs.size() == 7);
  REQUIRE(docs[0].key == "fw.cl.spatiotemporal.buffer_capacity");
  REQUIRE(docs[0].default_value == "1080");
  dacapo::ParamStore bad;
  bad.set("fw.cl.spatial.epochs", "0");
  REQUIRE_THROWS_WITH(dacapo::load_config<SpatialConfig>(bad, "fw.cl.spatial"), Catch::Contains("epochs"));
}
