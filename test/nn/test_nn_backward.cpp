// Backward pass and training of firmware/nn: gradients against central finite differences of a double-precision
// host loss, one SGD step against the scenarios' FP32 trainer, and loss reduction over a few epochs.
#include <catch2/catch.hpp>

#include "scenarios/src/cnn.h"
#include "test/nn/nn_fixture.h"
#include "test/nn/test_models.h"

using namespace dacapo;
using namespace dacapo::nn_test;
using regs::Precision;
using regs::Sa;

namespace {

struct GradCheck {
  double max_abs_err = 0, max_abs_fd = 0;
  double err2 = 0, fd2 = 0, dot = 0, g2 = 0;
  double relative() const { return max_abs_err / max_abs_fd; }
  double l2() const { return std::sqrt(err2 / fd2); }
  double cosine() const { return dot / std::sqrt(fd2 * g2); }
};

// Gradients of the network (one gradient job) vs central differences of reference_loss on `samples` parameters
// (every parameter when samples == 0).
GradCheck grad_check(const nn::ModelDef& def, Arithmetic arithmetic, Precision p, size_t batch, size_t samples) {
  Bench bench(arithmetic);
  nn::Network net(*bench.rt, def);
  const std::vector<float> params = random_params(def, 17);
  net.load_weights(params);
  const std::vector<float> pixels = random_images(def.input, batch, 23);
  std::vector<int> labels(batch);
  for (size_t i = 0; i < batch; ++i) labels[i] = int((i * 7 + 3) % net.classes());
  const nn::ImageSet set = nn::upload_images(*bench.rt, def.input, pixels);
  const auto job = bench.rt->run(net.gradient_job(Sa::Top, p, set.addresses(), labels));
  const std::vector<float> grad = net.read_gradients();
  REQUIRE(grad.size() == params.size());
  const double loss = reference_loss(def, std::vector<double>(params.begin(), params.end()), pixels, labels);
  CHECK(job->result.mean_loss() == Approx(loss).epsilon(arithmetic == Arithmetic::ExactFp32 ? 1e-5 : 0.05));

  std::vector<size_t> which;
  const size_t stride = samples == 0 ? 1 : std::max<size_t>(1, params.size() / samples);
  for (size_t i = 0; i < params.size(); i += stride) which.push_back(i);
  GradCheck r;
  std::vector<double> p64(params.begin(), params.end());
  const double h = 1e-4;
  for (size_t i : which) {
    const double keep = p64[i];
    p64[i] = keep + h;
    const double up = reference_loss(def, p64, pixels, labels);
    p64[i] = keep - h;
    const double down = reference_loss(def, p64, pixels, labels);
    p64[i] = keep;
    const double fd = (up - down) / (2 * h);
    r.max_abs_err = std::max(r.max_abs_err, std::abs(fd - grad[i]));
    r.max_abs_fd = std::max(r.max_abs_fd, std::abs(fd));
    r.err2 += (fd - grad[i]) * (fd - grad[i]);
    r.fd2 += fd * fd;
    r.g2 += double(grad[i]) * grad[i];
    r.dot += fd * grad[i];
  }
  return r;
}

}  // namespace

TEST_CASE("Gradients of odd shapes match finite differences") {
  const GradCheck g = grad_check(kOdd, Arithmetic::ExactFp32, Precision::MX9, 3, 0);
  WARN("odd model, exact arithmetic: max |grad - fd| / max |fd| = " << g.relative());
  CHECK(g.relative() < 1e-4);
}

TEST_CASE("Gradients of an MLP match finite differences") {
  const GradCheck g = grad_check(kMlp, Arithmetic::ExactFp32, Precision::MX9, 5, 0);
  WARN("mlp, exact arithmetic: max |grad - fd| / max |fd| = " << g.relative());
  CHECK(g.relative() < 1e-4);
}

TEST_CASE("Gradients of the student match finite differences") {
  const GradCheck exact = grad_check(nn::kStudent, Arithmetic::ExactFp32, Precision::MX9, 4, 150);
  const GradCheck mx9 = grad_check(nn::kStudent, Arithmetic::Mx, Precision::MX9, 4, 150);
  WARN("student: max |grad - fd| / max |fd| = " << exact.relative() << " exact, " << mx9.relative()
                                                  << " MX9; MX9 relative L2 error " << mx9.l2() << ", cosine "
                                                  << mx9.cosine());
  CHECK(exact.relative() < 1e-4);
  // MX9 truncates every operand (forward activations, dY, W, im2col): the gradient keeps its direction.
  CHECK(mx9.l2() < 0.15);
  CHECK(mx9.cosine() > 0.99);
}

TEST_CASE("One SGD step equals the scenarios FP32 trainer") {
  Bench bench(Arithmetic::ExactFp32);
  nn::Network net(*bench.rt, nn::kStudent);
  scenarios::Network host2(nn::kStudent);
  host2.init(12);
  net.load_weights(host2.params());
  const std::vector<float> pixels = random_images(nn::kStudent.input, 16, 31);
  std::vector<int> labels(16);
  std::vector<const float*> inputs;
  for (size_t i = 0; i < 16; ++i) {
    labels[i] = int(i % 10);
    inputs.push_back(pixels.data() + i * 784);
  }
  nn::TrainConfig tc;
  tc.sgd.lr = 0.05f;
  tc.sgd.batch = 16;
  scenarios::SgdConfig hc;
  hc.learning_rate = 0.05;
  hc.momentum = 0.9;
  hc.weight_decay = 1e-4;
  const auto set = nn::upload_images(*bench.rt, nn::kStudent.input, pixels);
  // Two steps so that the momentum matters.
  const nn::NetResult r = bench.rt->run(net.train_job(Sa::Top, Precision::MX9, set.addresses(), labels, tc, 2))->result;
  CHECK(r.sgd_steps == 2);
  CHECK(r.samples == 32);
  scenarios::SgdTrainer trainer(host2);
  const double l1 = trainer.step(inputs, labels, hc);
  const double l2 = trainer.step(inputs, labels, hc);
  CHECK(r.loss_sum / 16 == Approx(l1 + l2).epsilon(1e-5));
  const std::vector<float> w = net.read_weights();
  double max_diff = 0, max_w = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    max_diff = std::max(max_diff, double(std::abs(w[i] - host2.params()[i])));
    max_w = std::max(max_w, double(std::abs(host2.params()[i])));
  }
  WARN("two SGD steps vs scenarios trainer: max |w - w_ref| = " << max_diff << " (max |w| " << max_w << ")");
  CHECK(max_diff < 1e-5);
}

TEST_CASE("MX9 training reduces the loss on a small data set") {
  // 48 images of 4 classes: class c has a bright quadrant c on noise.
  const nn::Shape s = nn::kStudent.input;
  std::vector<float> pixels = random_images(s, 48, 77);
  std::vector<int> labels(48);
  for (size_t i = 0; i < 48; ++i) {
    labels[i] = int(i % 4);
    for (int y = 0; y < 14; ++y)
      for (int x = 0; x < 14; ++x)
        pixels[i * 784 + size_t((y + 14 * (labels[i] / 2)) * 28 + x + 14 * (labels[i] % 2))] += 1.5f;
  }
  Bench bench(Arithmetic::Mx);
  nn::Network net(*bench.rt, nn::kStudent);
  net.load_weights(random_params(nn::kStudent, 5));
  const auto set = nn::upload_images(*bench.rt, s, pixels);
  nn::TrainConfig tc;
  tc.sgd.lr = 0.02f;
  tc.shuffle_seed = 9;
  const double before = net.evaluate(Sa::Top, Precision::MX6, set.addresses(), labels);
  std::vector<double> losses;
  for (int e = 0; e < 4; ++e)
    losses.push_back(net.train_epoch(Sa::Top, Precision::MX9, set.addresses(), labels, tc).mean_loss());
  const double after = net.evaluate(Sa::Bottom, Precision::MX6, set.addresses(), labels);
  WARN("MX9 training: epoch losses " << losses[0] << " " << losses[1] << " " << losses[2] << " " << losses[3]
                                     << "; MX6 accuracy " << before << " -> " << after);
  CHECK(losses[3] < 0.5 * losses[0]);
  CHECK(after > before);
  CHECK(after >= 0.9);
}
