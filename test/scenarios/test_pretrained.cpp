// The cached pretrained pair (built by scripts/pretrain.sh, which scripts/test.sh runs before ctest): the
// student is good on its own domain and clearly hurt by drift; the teacher stays good on drifted domains.
// Accuracies on held-out t10k images; bounds are loose (measured values are in docs/scenarios.md).
#include <catch2/catch.hpp>

#include "scenarios/src/pretraining.h"
#include "scenarios/src/weights_file.h"

using namespace dacapo::scenarios;
namespace nn = dacapo::nn;

namespace {

constexpr std::size_t kImages = 400;  // per domain; binomial sd ≤ 2.5 points
constexpr std::uint64_t kEvalSeed = 7;

const FashionMnist& data() {
  static const FashionMnist d = load_fashion_mnist();
  return d;
}

Network load(const nn::ModelDef& def) {
  const PretrainConfig cfg = default_pretrain_config(def);
  const std::uint64_t inputs = pretrain_inputs_hash(def, cfg, data().train);
  Network net(def);
  // Throws with "run scripts/pretrain.sh" when missing or stale: the weights must match the current code.
  net.params() = load_weights(weights_path(cache_dir(), def), def, inputs).params;
  return net;
}

double accuracy(const Network& net, TimeOfDay t, Location l, Weather w) {
  return evaluate(net, data().test, Conditions{t, l, w}, 0, kImages, kEvalSeed);
}

}  // namespace

TEST_CASE("pretrained student: good on clear/day/city, clearly hurt by night and by the suburb location") {
  const Network student = load(nn::kStudent);
  const double clean = accuracy(student, TimeOfDay::day, Location::city, Weather::clear);
  const double night = accuracy(student, TimeOfDay::night, Location::city, Weather::clear);
  const double suburb = accuracy(student, TimeOfDay::day, Location::suburb, Weather::clear);
  const double fog = accuracy(student, TimeOfDay::day, Location::city, Weather::fog);
  INFO("student clean " << clean << " night " << night << " suburb " << suburb << " fog " << fog);
  CHECK(clean >= 0.82);
  CHECK(night <= clean - 0.20);
  CHECK(suburb <= clean - 0.40);
  CHECK(fog <= clean - 0.20);
}

TEST_CASE("pretrained teacher: good on every drifted domain and far better than the student there") {
  const Network teacher = load(nn::kTeacher);
  const Network student = load(nn::kStudent);
  const double clean = accuracy(teacher, TimeOfDay::day, Location::city, Weather::clear);
  const double night = accuracy(teacher, TimeOfDay::night, Location::city, Weather::clear);
  const double suburb = accuracy(teacher, TimeOfDay::day, Location::suburb, Weather::clear);
  const double night_suburb = accuracy(teacher, TimeOfDay::night, Location::suburb, Weather::clear);
  INFO("teacher clean " << clean << " night " << night << " suburb " << suburb << " night+suburb " << night_suburb);
  CHECK(clean >= 0.80);
  CHECK(night >= 0.72);
  CHECK(suburb >= 0.70);
  CHECK(night_suburb >= 0.52);
  CHECK(night >= accuracy(student, TimeOfDay::night, Location::city, Weather::clear) + 0.15);
  CHECK(suburb >= accuracy(student, TimeOfDay::day, Location::suburb, Weather::clear) + 0.40);
}
