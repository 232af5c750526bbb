#include "platform/firmware_catalog.h"

#include <fstream>
#include <memory>
#include "firmware/apps/dacapo_cl.h"
#include "firmware/apps/gemm_selftest.h"
#include "firmware/apps/profile.h"
#include "firmware/cl/pacing.h"
#include "platform/board_config.h"
#include "platform/topology.h"
#include "scenarios/src/scenario.h"
#include "scenarios/src/weights_file.h"

namespace dacapo::platform {
namespace {

// An image whose entry point is run(hal, config, seed) with its config under firmware.<name>.
template <class Config, class Run>
FirmwareImage make_image(const std::string& name, const std::string& description, Run run) {
  const std::string prefix = "firmware." + name;
  FirmwareImage img;
  img.name = name;
  img.description = description;
  img.describe = [prefix] { return describe_config(prefix, Config{}); };
  img.load = [prefix, run](const ParamStore& store, uint64_t seed, std::vector<ParamDoc>& effective) {
    const Config cfg = load_config<Config>(store, prefix);
    const std::vector<ParamDoc> docs = describe_config(prefix, cfg);
    effective.insert(effective.end(), docs.begin(), docs.end());
    return cpu::HostCpu::Firmware([cfg, seed, run](fw::Hal& hal) { return run(hal, cfg, seed); });
  };
  return img;
}

// dacapo_cl: the app's keys and firmware/cl's ClConfig (policy + one section per sub-config) under
// firmware.dacapo_cl. The loader runs on the host: it reads the cached compact weights and the scenario's
// stream length and hands them to the firmware (which has no file access).
FirmwareImage make_dacapo_cl_image() {
  const std::string prefix = "firmware.dacapo_cl";
  FirmwareImage img;
  img.name = "dacapo_cl";
  img.description =
      "continuous learning: spatial allocation by on-board profiling, then a policy (firmware.dacapo_cl.policy) "
      "running labeling/retraining/validation on the T-SA while the B-SA infers every camera frame; needs "
      "soc.camera.source.scenario and cached weights (scripts/pretrain.sh)";
  auto describe_all = [prefix](fw::DacapoClConfig app, cl::ClConfig cl) {
    std::vector<ParamDoc> docs = describe_config(prefix, app);
    const std::vector<ParamDoc> top = describe_config(prefix, cl);
    docs.insert(docs.end(), top.begin(), top.end());
    cl::visit_cl_sections(cl, [&](const char* name, auto& section) {
      const std::vector<ParamDoc> d = describe_config(prefix + "." + name, section);
      docs.insert(docs.end(), d.begin(), d.end());
    });
    return docs;
  };
  img.describe = [describe_all] { return describe_all(fw::DacapoClConfig{}, cl::ClConfig{}); };
  img.load = [prefix, describe_all](const ParamStore& store, uint64_t seed, std::vector<ParamDoc>& effective) {
    const fw::DacapoClConfig app = load_config<fw::DacapoClConfig>(store, prefix);
    cl::ClConfig cl = load_config<cl::ClConfig>(store, prefix);
    cl::visit_cl_sections(cl, [&](const char* name, auto& section) {
      using Section = std::decay_t<decltype(section)>;
      section = load_config<Section>(store, prefix + "." + name);
    });
    try {
      cl.validate();
      cl::make_policy(cl);  // rejects an unknown policy name now, not inside the simulation
    } catch (const std::invalid_argument& e) {
      throw ParamError(prefix + ": " + e.what());
    }
    const std::vector<ParamDoc> docs = describe_all(app, cl);
    effective.insert(effective.end(), docs.begin(), docs.end());

    const BoardConfig board = load_board_config(store);
    if (board.camera_source.scenario.empty())
      throw ParamError("firmware dacapo_cl needs a scenario: set soc.camera.source.scenario (e.g. "
                       "scenarios/scn/short/S1.scn)");
    const scenarios::Scenario scn = scenarios::load_scenario(board.camera_source.scenario);
    auto in = std::make_shared<fw::DacapoClInputs>();
    in->scenario = board.camera_source.scenario;
    in->fps = scn.fps;
    in->frame_count = scn.frame_count();
    in->warmup_s = scn.warmup_s;
    const std::string cache = scenarios::cache_dir(app.cache_dir);
    in->student_weights = scenarios::load_weights(scenarios::weights_path(cache, nn::kStudent), nn::kStudent).params;
    in->teacher_weights = scenarios::load_weights(scenarios::weights_path(cache, nn::kTeacher), nn::kTeacher).params;
    if (!app.pacing_profile.empty()) {
      // Pacing: the paper-scale table must parse and hold every entry the run will ask for, checked now.
      const std::string key = prefix + ".pacing_profile";
      std::ifstream file(app.pacing_profile);
      if (!file) throw ParamError(key + ": cannot open '" + app.pacing_profile + "'");
      try {
        in->pacing = cl::CostTable::parse(file, app.pacing_profile, app.pacing_student, app.pacing_teacher);
        cl::Pacing check(*in->pacing, cl.kernels, in->fps);
      } catch (const cl::CostError& e) {
        throw ParamError(key + " (" + prefix + ".pacing_student = " + app.pacing_student + ", pacing_teacher = " +
                         app.pacing_teacher + "): " + e.what());
      }
    }
    return cpu::HostCpu::Firmware(
        [app, cl, in, seed](fw::Hal& hal) { return fw::run_dacapo_cl(hal, app, cl, *in, seed); });
  };
  return img;
}

// The profiler: the platform reads and validates the model's topology file (firmware cannot read files) and hands
// the layer list to the firmware.
FirmwareImage make_profile_image() {
  const std::string prefix = "firmware.profile";
  FirmwareImage img;
  img.name = "profile";
  img.description =
      "per-kernel latency tables (infer/train x MX4/6/9 x rows) of a paper-scale model from its SCALE-Sim topology, "
      "alone and with the other SA busy: profile.csv, profile_shared.csv, profile_bsa_rows.csv";
  img.describe = [prefix] { return describe_config(prefix, fw::ProfileConfig{}); };
  img.load = [prefix](const ParamStore& store, uint64_t, std::vector<ParamDoc>& effective) {
    fw::ProfileConfig cfg = load_config<fw::ProfileConfig>(store, prefix);
    if (cfg.topologies.empty()) cfg.topologies = DACAPO_TOPOLOGY_DIR;
    const std::vector<ParamDoc> docs = describe_config(prefix, cfg);
    effective.insert(effective.end(), docs.begin(), docs.end());
    auto model = std::make_shared<const fw::ProfileModel>(load_gemm_topology(cfg.topologies, cfg.model));
    auto background = cfg.background_model.empty()
                          ? model
                          : std::make_shared<const fw::ProfileModel>(
                                load_gemm_topology(cfg.topologies, cfg.background_model));
    return cpu::HostCpu::Firmware(
        [cfg, model, background](fw::Hal& hal) { return fw::run_profile(hal, cfg, *model, *background); });
  };
  return img;
}

}  // namespace

const std::vector<FirmwareImage>& firmware_images() {
  static const std::vector<FirmwareImage> images = {
      make_image<fw::GemmSelftestConfig>(
          "gemm_selftest",
          "GEMMs of every precision on both sub-accelerators, checked against the MX reference; error recovery; "
          "perf counters",
          [](fw::Hal& hal, const fw::GemmSelftestConfig& cfg, uint64_t seed) {
            return fw::run_gemm_selftest(hal, cfg, seed);
          }),
      make_dacapo_cl_image(),
      make_profile_image(),
  };
  return images;
}

const FirmwareImage* find_firmware(const std::string& name) {
  for (const FirmwareImage& img : firmware_images())
    if (img.name == name) return &img;
  return nullptr;
}

}  // namespace dacapo::platform
