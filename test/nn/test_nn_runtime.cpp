// firmware/nn's job runtime and API contract: concurrent jobs on both SAs, precision per job, weight copy/swap,
// timing-only accelerators, and clear errors for bad inputs and failed descriptors.
#include <catch2/catch.hpp>

#include "test/nn/nn_fixture.h"
#include "test/nn/test_models.h"

using namespace dacapo;
using namespace dacapo::nn_test;
using regs::Precision;
using regs::Sa;

namespace {
bool throws_with(const std::function<void()>& f, const std::string& text) {
  try {
    f();
  } catch (const nn::NnError& e) {
    if (std::string(e.what()).find(text) != std::string::npos) return true;
    FAIL("message '" << e.what() << "' lacks '" << text << "'");
  }
  return false;
}
}  // namespace

TEST_CASE("Inference on the B-SA and training on the T-SA run concurrently") {
  const std::vector<float> params = random_params(nn::kStudent, 3);
  const std::vector<float> pixels = random_images(nn::kStudent.input, 32, 4);
  std::vector<int> labels(32);
  for (size_t i = 0; i < 32; ++i) labels[i] = int(i % 10);
  nn::TrainConfig tc;
  tc.sgd.lr = 0.01f;

  // Sequential references.
  std::vector<float> ref_logits, ref_weights;
  {
    Bench bench(Arithmetic::Mx);
    nn::Network live(*bench.rt, nn::kStudent), copy(*bench.rt, nn::kStudent);
    live.load_weights(params);
    copy.copy_weights_from(live);
    const auto set = nn::upload_images(*bench.rt, nn::kStudent.input, pixels);
    ref_logits = live.infer(Sa::Bottom, Precision::MX6, set.addresses()).logits;
    copy.train_epoch(Sa::Top, Precision::MX9, set.addresses(), labels, tc);
    ref_weights = copy.read_weights();
  }

  Bench bench(Arithmetic::Mx);
  nn::Network live(*bench.rt, nn::kStudent), copy(*bench.rt, nn::kStudent);
  live.load_weights(params);
  copy.copy_weights_from(live);
  const auto set = nn::upload_images(*bench.rt, nn::kStudent.input, pixels);
  nn::Job& train = bench.rt->start(copy.train_job(Sa::Top, Precision::MX9, set.addresses(), labels, tc));
  nn::Job& infer = bench.rt->start(live.infer_job(Sa::Bottom, Precision::MX6, set.addresses()));
  CHECK(bench.rt->busy(Sa::Top));
  CHECK(bench.rt->busy(Sa::Bottom));
  // Inference has 2 forward passes, training 2 batches of forward + backward: inference finishes first.
  std::unique_ptr<nn::Job> first = bench.rt->wait_any();
  REQUIRE(first);
  CHECK(first.get() == &infer);
  CHECK_FALSE(train.done());
  std::unique_ptr<nn::Job> second = bench.rt->wait_any();
  REQUIRE(second);
  CHECK(second.get() == &train);
  CHECK(bench.rt->wait_any() == nullptr);
  CHECK_FALSE(first->failed());
  CHECK_FALSE(second->failed());
  CHECK(first->result.logits == ref_logits);
  CHECK(copy.read_weights() == ref_weights);
  CHECK(live.read_weights() == params);  // the live student is untouched while its copy trains

  // The two queues overlapped in time, each at its own precision.
  uint64_t top_first = UINT64_MAX, bottom_last = 0;
  for (const auto& e : bench.acc.executed()) {
    if (e.sa == 0) {
      top_first = std::min(top_first, e.start_ps);
      CHECK(e.precision == Precision::MX9);
    } else {
      bottom_last = std::max(bottom_last, e.end_ps);
      CHECK(e.precision == Precision::MX6);
    }
  }
  CHECK(top_first < bottom_last);
  CHECK(second->descriptors() == 2 * (4 + 7));
  CHECK(second->result.sgd_steps == 2);
  CHECK(first->accelerator_cycles() > 0);
  CHECK(second->host_element_ops() > 0);

  // Phase end: the retrained weights take effect by swapping buffers.
  live.swap_weights(copy);
  CHECK(live.read_weights() == ref_weights);
  CHECK(copy.read_weights() == params);
}

TEST_CASE("Timing-only accelerator runs every job and charges host time") {
  Bench bench(Arithmetic::Mx, /*functional=*/false);
  REQUIRE_FALSE(bench.rt->functional());
  nn::Network net(*bench.rt, nn::kTeacher);
  const auto set = nn::upload_images(*bench.rt, nn::kTeacher.input, random_images(nn::kTeacher.input, 20, 1));
  std::vector<int> labels(20, 3);
  const uint64_t t0 = bench.board.now_ps(), c0 = bench.board.charged_cycles();
  const nn::NetResult r = net.infer(Sa::Bottom, Precision::MX6, set.addresses());
  CHECK(r.predictions == std::vector<int>(20, -1));
  CHECK(r.logits.empty());
  CHECK(std::isnan(net.evaluate(Sa::Bottom, Precision::MX6, set.addresses(), labels)));
  nn::TrainConfig tc;
  const nn::NetResult t = net.train_epoch(Sa::Top, Precision::MX9, set.addresses(), labels, tc);
  CHECK(t.sgd_steps == 2);
  CHECK(std::isnan(t.loss_sum));
  CHECK(bench.board.now_ps() > t0);
  // Host work is charged although no data moved: im2col + col2im of the teacher's conv layers alone are
  // 16·(196·25 + 49·216 + 49·216) element operations per full batch.
  CHECK(bench.board.charged_cycles() - c0 > 4u * 16 * (196 * 25 + 2 * 49 * 216));
  CHECK(bench.acc.executed().size() == 2 * 4 + 2 * (4 + 7) + 2 * 4);
}

TEST_CASE("Bad inputs give clear errors") {
  Bench bench(Arithmetic::ExactFp32);
  nn::Network net(*bench.rt, nn::kStudent);
  const auto set = nn::upload_images(*bench.rt, nn::kStudent.input, random_images(nn::kStudent.input, 4, 2));
  const auto addrs = set.addresses();
  nn::TrainConfig tc;
  CHECK(throws_with([&] { net.load_weights(std::vector<float>(5)); }, "5 values"));
  CHECK(throws_with([&] { net.infer(Sa::Top, Precision::MX6, {}); }, "no images"));
  CHECK(throws_with([&] { net.infer(Sa::Top, Precision::MX6, {addrs[0] + 2}); }, "4-byte aligned"));
  CHECK(throws_with([&] { net.evaluate(Sa::Top, Precision::MX6, addrs, {1, 2, 3}); }, "3 labels for 4 images"));
  CHECK(throws_with([&] { net.train_epoch(Sa::Top, Precision::MX9, addrs, {0, 1, 10, 2}, tc); }, "label 10"));
  CHECK(throws_with([&] { net.train_epoch(Sa::Top, Precision::MX9, addrs, {0, 1, -1, 2}, tc); }, "label -1"));
  tc.sgd.batch = 17;
  CHECK(throws_with([&] { net.train_epoch(Sa::Top, Precision::MX9, addrs, {0, 1, 2, 3}, tc); }, "batch 17"));
  tc.sgd.batch = 16;
  tc.sgd.lr = 0;
  CHECK(throws_with([&] { net.train_epoch(Sa::Top, Precision::MX9, addrs, {0, 1, 2, 3}, tc); }, "lr > 0"));
  const std::vector<uint64_t> many(17, addrs[0]);
  CHECK(throws_with([&] { net.gradient_job(Sa::Top, Precision::MX9, many, std::vector<int>(17, 0)); }, "max_batch"));
  nn::Network other(*bench.rt, nn::kTeacher);
  CHECK(throws_with([&] { net.copy_weights_from(other); }, "different definitions"));
  CHECK(throws_with([&] { net.swap_weights(other); }, "different definitions"));

  static constexpr nn::LayerDef kReluFirst[] = {nn::relu(), nn::linear(3)};
  static constexpr nn::ModelDef kBad{"relu_first", {2, 2, 1}, kReluFirst, 2};
  CHECK(throws_with([&] { nn::Network n(*bench.rt, kBad); }, "relu_first layer 0: a ReLU must follow"));
  static constexpr nn::LayerDef kHuge[] = {nn::conv(5, 1, 2, 4)};
  static constexpr nn::ModelDef kTooBig{"too_big", {70000, 2, 1}, kHuge, 1};
  CHECK(throws_with([&] { nn::Network n(*bench.rt, kTooBig); }, "CONV descriptor"));

  // One job per network and per SA.
  auto job = net.infer_job(Sa::Top, Precision::MX6, addrs);
  CHECK(throws_with([&] { net.infer_job(Sa::Bottom, Precision::MX6, addrs); }, "another job of this network"));
  CHECK(throws_with([&] { net.swap_weights(net); }, "running a job"));
  nn::Network second(*bench.rt, nn::kStudent);
  bench.rt->start(std::move(job));
  CHECK(throws_with([&] { bench.rt->start(second.infer_job(Sa::Top, Precision::MX6, addrs)); }, "T-SA already runs"));
  bench.rt->wait_any();
  CHECK_FALSE(net.busy());
  CHECK_FALSE(second.busy());  // the rejected job was dropped and released its network

  fw::DramArena tiny(soc::kDramBase + (200ull << 20), 1024);
  nn::TensorAllocator small(tiny);
  CHECK(throws_with([&] { small.fp32(100, 100); }, "DRAM arena exhausted"));
  CHECK(throws_with([&] { small.fp32(0, 3); }, "empty"));
}

TEST_CASE("A failed descriptor fails its job with a clear error and the SA recovers") {
  Bench bench(Arithmetic::ExactFp32);
  nn::Network net(*bench.rt, nn::kStudent);
  net.load_weights(random_params(nn::kStudent, 1));
  const auto set = nn::upload_images(*bench.rt, nn::kStudent.input, random_images(nn::kStudent.input, 2, 2));
  bench.acc.fail_tags[nn::make_tag(nn::JobKind::WeightGrad, 1)] = regs::ErrorCode::BadAddress;
  auto job = bench.rt->wait(bench.rt->start(net.gradient_job(Sa::Top, Precision::MX9, set.addresses(), {1, 2})));
  CHECK(job->failed());
  CHECK(job->error().find("weight gradient descriptor of stage 1 failed on the T-SA: bad address") != std::string::npos);
  CHECK_FALSE(net.busy());
  CHECK(throws_with([&] { bench.rt->run(net.gradient_job(Sa::Top, Precision::MX9, set.addresses(), {1, 2})); },
                    "bad address"));
  bench.acc.fail_tags.clear();
  const nn::NetResult r = net.infer(Sa::Top, Precision::MX9, set.addresses());
  CHECK(r.predictions.size() == 2);
  // A tensor outside DRAM is rejected by the accelerator, not a crash.
  const std::vector<uint64_t> outside = {soc::kDramBase + Bench::kDramBytes + 4096};
  CHECK(throws_with([&] { net.infer(Sa::Bottom, Precision::MX6, outside); }, "bad address"));
}

TEST_CASE("Host ops: col2im is the adjoint of im2col and SGD follows its formula") {
  nn::ConvGeometry g{2, {5, 4, 3}, {3, 2, 2}, 3, 2, 1};
  std::vector<float> x(2 * 5 * 4 * 3), dcol(g.m() * g.k()), col(g.m() * g.k()), dx(x.size());
  std::mt19937 gen(1);
  std::uniform_real_distribution<float> u(-1, 1);
  for (float& v : x) v = u(gen);
  for (float& v : dcol) v = u(gen);
  nn::im2col(g, x.data(), col.data());
  nn::col2im(g, dcol.data(), dx.data());
  double lhs = 0, rhs = 0;  // <im2col(x), dcol> = <x, col2im(dcol)>
  for (size_t i = 0; i < col.size(); ++i) lhs += double(col[i]) * dcol[i];
  for (size_t i = 0; i < x.size(); ++i) rhs += double(x[i]) * dx[i];
  CHECK(lhs == Approx(rhs).epsilon(1e-6));
  // Padding taps are zero: output (0,0) of image 0 reads input rows/cols -1..1.
  CHECK(col[0] == 0.0f);
  CHECK(col[(1 * 3 + 1) * 3] == x[0]);

  nn::SgdConfig s{0.1f, 0.9f, 0.01f, 16};
  float w = 2.0f, grad = 0.5f, v = 1.0f;
  nn::sgd_update(s, &w, &grad, &v, 1);
  CHECK(v == Approx(0.9 * 1.0 + 0.5 + 0.01 * 2.0));
  CHECK(w == Approx(2.0 - 0.1 * (0.9 + 0.5 + 0.02)));
  const float nan_row[3] = {NAN, NAN, NAN};
  CHECK(nn::argmax(nan_row, 3) == 0);
}
