#include <catch2/catch.hpp>

#include <sstream>

#include "firmware/cl/cost.h"
#include "support.h"

using namespace dacapo::cl;

namespace {
const char* kTable =
    "model,kernel,precision,rows,batch,seconds\n"
    "# comment lines and blank lines are skipped\n"
    "\n"
    "resnet18,infer,MX6,1,1,0.08\n"
    "resnet18,infer,MX6,2,1,0.04\n"
    "resnet18,infer,MX6,3,1,0.03\n"
    "resnet18,infer,MX6,13,16,0.11\n"
    "resnet18,train,MX9,13,16,0.9\n"
    "wrn50_2,infer,MX6,13,1,0.025\n";

CostTable table() {
  std::istringstream in(kTable);
  return CostTable::parse(in, "costs.csv", "resnet18", "wrn50_2");
}

std::string parse_error(const std::string& text) {
  std::istringstream in(text);
  try {
    CostTable::parse(in, "c.csv", "s", "t");
  } catch (const CostError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("Cost table answers each kernel from the student or the teacher rows") {
  const CostTable t = table();
  REQUIRE(t.size() == 6);
  REQUIRE(t.seconds(Kernel::Inference, Precision::MX6, 2, 1) == 0.04);
  REQUIRE(t.seconds(Kernel::Validate, Precision::MX6, 13, 16) == 0.11);
  REQUIRE(t.seconds(Kernel::Retrain, Precision::MX9, 13, 16) == 0.9);
  REQUIRE(t.seconds(Kernel::Label, Precision::MX6, 13, 1) == 0.025);
  REQUIRE_THROWS_WITH(t.seconds(Kernel::Label, Precision::MX6, 12, 1),
                      Catch::Contains("costs.csv") && Catch::Contains("wrn50_2,infer,MX6,12,1"));
}

TEST_CASE("Cost table takes an explicit label row of the teacher before its infer row") {
  std::istringstream in(std::string(kTable) + "wrn50_2,label,MX6,13,1,0.03\nwrn50_2,label,MX6,12,1,0.04\n");
  const CostTable t = CostTable::parse(in, "costs.csv", "resnet18", "wrn50_2");
  REQUIRE(t.seconds(Kernel::Label, Precision::MX6, 13, 1) == 0.03);
  REQUIRE(t.seconds(Kernel::Label, Precision::MX6, 12, 1) == 0.04);
  // A label row is never an inference cost of the student.
  REQUIRE_THROWS_AS(t.seconds(Kernel::Inference, Precision::MX6, 12, 1), CostError);
}

TEST_CASE("Cost table errors name the file the line and the column") {
  REQUIRE_THAT(parse_error("model,kernel\n"), Catch::Contains("c.csv:1") && Catch::Contains("header"));
  const std::string h = "model,kernel,precision,rows,batch,seconds\n";
  REQUIRE_THAT(parse_error(h + "s,infer,MX7,1,1,0.1\n"), Catch::Contains("c.csv:2") && Catch::Contains("precision"));
  REQUIRE_THAT(parse_error(h + "s,fwd,MX6,1,1,0.1\n"), Catch::Contains("c.csv:2") && Catch::Contains("kernel"));
  REQUIRE_THAT(parse_error(h + "s,infer,MX6,0,1,0.1\n"), Catch::Contains("rows"));
  REQUIRE_THAT(parse_error(h + "s,infer,MX6,1,x,0.1\n"), Catch::Contains("batch"));
  REQUIRE_THAT(parse_error(h + "s,infer,MX6,1,1,-2\n"), Catch::Contains("seconds"));
  REQUIRE_THAT(parse_error(h + "s,infer,MX6,1,1\n"), Catch::Contains("6 columns"));
  REQUIRE_THAT(parse_error(h + "s,infer,MX6,1,1,0.1\ns,infer,MX6,1,1,0.2\n"),
               Catch::Contains("c.csv:3") && Catch::Contains("duplicate"));
  REQUIRE_THAT(parse_error(""), Catch::Contains("empty"));
}

TEST_CASE("Phase costs follow the latency-table formulas") {
  test::ConstCost c;
  c.train_step = 0.5;
  c.valid_batch = 0.05;
  c.label_frame = 0.02;
  KernelPlan plan;
  PhaseCosts pc(c, plan, 13);
  REQUIRE(pc.train_steps(324, 1) == 21);  // ceil(324/16)
  REQUIRE(pc.train_steps(324, 2) == 42);
  REQUIRE(pc.train_steps(324, 2, 30) == 30);
  REQUIRE(pc.train_seconds(324, 1) == Approx(21 * 0.5));
  REQUIRE(pc.valid_seconds(108) == Approx(7 * 0.05));  // ceil(108/16) = 7
  REQUIRE(pc.label_seconds(108) == Approx(108 * 0.02));
  REQUIRE(pc.train_seconds(0, 1) == 0);
}

TEST_CASE("B-SA rows are the fewest that keep up with the camera") {
  const CostTable t = table();
  KernelPlan plan;
  REQUIRE(choose_bsa_rows(t, plan, 30.0) == 3u);   // 0.03 <= 1/30, 0.04 is not
  REQUIRE(choose_bsa_rows(t, plan, 20.0) == 2u);   // 0.04 <= 0.05
  test::ConstCost slow;
  slow.infer_row_seconds = 10;
  REQUIRE_FALSE(choose_bsa_rows(slow, plan, 30.0).has_value());
  KernelPlan bad;
  bad.train_precision = "FP16";
  REQUIRE_THROWS_WITH(bad.validate(), Catch::Contains("train_precision"));
}
