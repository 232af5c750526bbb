// dacapo-pretrain: builds the cached weight files of the compact student/teacher pair when missing or stale,
// and reports their accuracy per domain on the held-out t10k split.
#include <boost/program_options.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "firmware/nn/model_def.h"
#include "scenarios/src/pretraining.h"
#include "scenarios/src/weights_file.h"

namespace po = boost::program_options;
using namespace dacapo::scenarios;
namespace nn = dacapo::nn;

namespace {

bool up_to_date(const std::string& path, const nn::ModelDef& def, std::uint64_t inputs) {
  try {
    load_weights(path, def, inputs);
    return true;
  } catch (const std::exception& e) {
    std::cerr << "pretrain: " << def.name << " needs (re)building: " << e.what() << "\n";
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("dacapo-pretrain: pretrain the compact model pair (firmware/nn/model_def.h)");
  std::string cache, data_dir, model, report;
  std::size_t eval_images = 0;
  int threads = 2;
  opts.add_options()("help,h", "this help")(
      "cache-dir", po::value(&cache)->default_value(""),
      "weight cache (default $DACAPO_CACHE_DIR, $XDG_CACHE_HOME/dacapo-vp or ~/.cache/dacapo-vp)")(
      "data-dir", po::value(&data_dir)->default_value(kDefaultFashionMnistDir), "Fashion-MNIST idx files")(
      "model", po::value(&model)->default_value("all"), "student, teacher or all")(
      "force", "retrain even when the cached weights are up to date")(
      "eval-images", po::value(&eval_images)->default_value(0),
      "t10k images per domain for the accuracy table (0 = only after training, then 1000)")(
      "report", po::value(&report)->default_value(""), "write the accuracy table as CSV to this file")(
      "threads", po::value(&threads)->default_value(2), "threads for training (results do not depend on it)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "dacapo-pretrain: " << e.what() << "\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  std::vector<const nn::ModelDef*> models;
  if (model == "student" || model == "all") models.push_back(&nn::kStudent);
  if (model == "teacher" || model == "all") models.push_back(&nn::kTeacher);
  if (models.empty()) {
    std::cerr << "dacapo-pretrain: --model must be student, teacher or all\n";
    return 2;
  }
  try {
    const std::string dir = cache_dir(cache);
    const FashionMnist data = load_fashion_mnist(data_dir);
    bool trained = false;
    std::vector<Network> nets;
    for (const nn::ModelDef* def : models) {
      const PretrainConfig cfg = default_pretrain_config(*def);
      const std::uint64_t inputs = pretrain_inputs_hash(*def, cfg, data.train);
      const std::string path = weights_path(dir, *def);
      Network net(*def);
      if (!vm.count("force") && up_to_date(path, *def, inputs)) {
        std::cerr << "pretrain: " << path << " is up to date\n";
      } else {
        std::cerr << "pretrain: training " << def->name << " (" << net.info().parameter_count << " parameters, "
                  << cfg.epochs << " epochs)\n";
        const auto t0 = std::chrono::steady_clock::now();
        std::vector<float> params = pretrain(*def, cfg, data.train, {}, [&](int epoch, double loss) {
          const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
          std::fprintf(stderr, "pretrain: %s epoch %d loss %.4f (%.1f s)\n", def->name, epoch + 1, loss, s);
        }, threads);
        save_weights(path, *def, inputs, params);
        std::cerr << "pretrain: wrote " << path << "\n";
        trained = true;
      }
      net.params() = load_weights(path, *def, inputs).params;
      nets.push_back(std::move(net));
    }
    if (eval_images == 0 && trained) eval_images = 1000;
    if (eval_images > 0) {
      std::string csv = "domain";
      for (const Network& n : nets) csv += std::string(",") + n.def().name;
      csv += "\n";
      std::printf("%-24s", "domain (t10k)");
      for (const Network& n : nets) std::printf(" %9s", n.def().name);
      std::printf("\n");
      for (const Conditions& c : all_conditions()) {
        std::printf("%-24s", describe(c).c_str());
        csv += describe(c);
        for (const Network& n : nets) {
          const double acc = evaluate(n, data.test, c, 0, eval_images, 7);
          std::printf(" %8.1f%%", 100 * acc);
          char cell[32];
          std::snprintf(cell, sizeof cell, ",%.4f", acc);
          csv += cell;
        }
        std::printf("\n");
        csv += "\n";
      }
      if (!report.empty()) {
        std::ofstream f(report);
        f << csv;
        if (!f) throw std::runtime_error(report + ": write failed");
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "dacapo-pretrain: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
