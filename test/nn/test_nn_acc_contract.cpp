// Every descriptor firmware/nn emits (training and staged inference of the compact pair and the test models)
// passes the accelerator model's own descriptor validation (models/dacapo check_descriptor), so the lowering and
// the model agree on the register contract (formats, strides, conv geometry, alignment, extents).
#include <catch2/catch.hpp>

#include "models/dacapo/descriptor_check.h"
#include "test/nn/nn_fixture.h"
#include "test/nn/test_models.h"

using namespace dacapo;
using namespace dacapo::nn_test;

TEST_CASE("Every network descriptor passes the accelerator model's check") {
  for (const bool col_major_copy : {false, true})
  for (const nn::ModelDef* def : {&nn::kStudent, &nn::kTeacher, &kOdd, &kMlp}) {
    Bench bench(Arithmetic::Mx);
    auto arithmetic = bench.acc.compute;
    size_t checked = 0;
    std::vector<std::string> rejected;
    bench.acc.compute = [&](const regs::Descriptor& d, regs::Precision p, fw::FakeBoard& board) {
      const acc::CheckContext ctx{p, bench.acc.partition(), 16, soc::kDramBase, Bench::kDramBytes};
      acc::Job job;
      const regs::ErrorCode e = acc::check_descriptor(d, ctx, job);
      ++checked;
      if (e != regs::ErrorCode::None) rejected.push_back("tag " + std::to_string(d.tag) + ": " + fw::to_string(e));
      arithmetic(d, p, board);
    };
    nn::NetworkConfig cfg;
    cfg.inference_weights_col_major = col_major_copy;
    nn::Network net(*bench.rt, *def, cfg);
    net.load_weights(random_params(*def, 1));
    const auto set = nn::upload_images(*bench.rt, def->input, random_images(def->input, 20, 2));
    net.train_epoch(regs::Sa::Top, regs::Precision::MX9, set.addresses(), std::vector<int>(20, 1), nn::TrainConfig{});
    std::vector<uint64_t> reversed = set.addresses();
    std::reverse(reversed.begin(), reversed.end());
    net.infer(regs::Sa::Bottom, regs::Precision::MX6, reversed);
    INFO(def->name << (col_major_copy ? " (column-major inference copy)" : "") << ": " << (rejected.empty() ? std::string("-") : rejected.front()));
    CHECK(checked > 0);
    CHECK(rejected.empty());
  }
}
