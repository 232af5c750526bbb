// Firmware image "dacapo_cl": continuous learning on the virtual board (DESIGN.md §6).
//
// Boot: probe the accelerator, write the compact student and teacher weights (handed over by the host-side
// image loader) into DRAM, profile the student's MX6 batch-1 inference on the B-SA for r = 1..R-1 rows and keep
// the smallest r that keeps up with the camera (spatial allocation), program PARTITION once, profile the T-SA
// kernels (retrain step, validation batch, teacher label) for the cost oracle. Run: the camera delivers frames
// into a DRAM ring (one slot per stream frame, so buffered samples stay addressable); the B-SA infers every frame
// with the live student; a firmware/cl policy decides the T-SA phases, which run as real jobs (teacher labels,
// MX9 SGD, MX6 validation); retrained weights are swapped in at the end of the retrain phase.
//
// Ground truth: the camera's frame header carries the scenario's class and segment (simulation metadata). The app
// uses it to score predictions and to place the true drift boundaries, and for learning only when
// `labels = ground_truth` (the authors' emulator's option; the teacher job still runs and is charged).
//
// Outputs (Hal::write_output): accuracy.csv, phases.csv, drifts.csv, summary.txt, costs.csv (the boot profile in
// firmware/cl's CostTable format); with pacing, pacing.csv (per phase the paper-scale end and the board's own).
//
// Pacing (pacing_profile): the B-SA rows, the per-frame inference time and every T-SA phase's duration follow a
// paper-scale pair's latency table (firmware/cl/pacing.h); the policy plans with those costs; the compact pair's
// real work runs first and the phase then lasts until the paper-scale end (later if the board took longer: an
// overrun, reported).
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>
#include "firmware/cl/cost.h"
#include "firmware/cl/policy_factory.h"
#include "firmware/hal/hal.h"

namespace dacapo::fw {

struct DacapoClConfig {
  double lr = 1e-2;  // DESIGN §7: 1e-2 suited the compact student better than the release 1e-3
  double momentum = 0.9;
  double weight_decay = 1e-4;
  std::string labels = "teacher";  // teacher | ground_truth
  uint64_t max_frames = 0;         // stop the stream after this many frames (0 = the whole scenario)
  bool scenario_warmup = true;     // score after the scenario's warm-up instead of metrics.warmup_s
  uint32_t profile_repeats = 2;    // boot profiling: runs per kernel (the last one is kept; the first warms up)
  uint32_t ring_slots = 16;        // accelerator descriptor ring per SA
  uint32_t host_cycles_per_element = 4;
  uint64_t dram_offset = 0;        // start of the app's DRAM region above the DRAM base
  uint64_t dram_bytes = 1ull << 30;
  bool frame_change = false;       // compute EOMU's frame difference on the host per frame (always on for eomu)
  std::string cache_dir;           // weight cache (empty: scenarios::cache_dir's default); read by the loader
  std::string pacing_profile;      // latency table of a paper-scale pair (empty = no pacing); read by the loader
  std::string pacing_student = "resnet18";
  std::string pacing_teacher = "wide_resnet50_2";
  // nn::NetworkConfig::inference_weights_col_major for the student, its retraining copy and the teacher: what a
  // firmware engineer does once the DRAM trace shows one 4-byte request per weight (79 % fewer DRAM requests on
  // the short S1 run, same predictions). false reproduces the results published before it became the default.
  bool col_major_inference_weights = true;
  template <class V>
  void visit_params(V& v) {
    v("lr", lr, "", "SGD learning rate of on-board retraining");
    v("momentum", momentum, "", "SGD momentum");
    v("weight_decay", weight_decay, "", "SGD weight decay");
    v("labels", labels, "", "label source: teacher (teacher forward passes) | ground_truth (frame header)");
    v("max_frames", max_frames, "frames", "stop the stream after this many frames (0 = whole scenario)");
    v("scenario_warmup", scenario_warmup, "", "score after the scenario's warm-up (else metrics.warmup_s)");
    v("profile_repeats", profile_repeats, "", "boot profiling runs per kernel (the last is kept)");
    v("ring_slots", ring_slots, "", "accelerator descriptor ring slots per SA");
    v("host_cycles_per_element", host_cycles_per_element, "cycles", "host CPU cycles per element-wise operation");
    v("dram_offset", dram_offset, "B", "start of the app's DRAM region above the DRAM base");
    v("dram_bytes", dram_bytes, "B", "size of the app's DRAM region (frame ring, networks)");
    v("frame_change", frame_change, "", "compute the frame difference per frame (always on for eomu)");
    v("cache_dir", cache_dir, "", "weight cache folder (empty = $DACAPO_CACHE_DIR or ~/.cache/dacapo-vp)");
    v("pacing_profile", pacing_profile, "",
      "pacing: cost table (model,kernel,precision,rows,batch,seconds) of a paper-scale pair, e.g. "
      "scenarios/profiles/resnet18_wide_resnet50_2.csv; B-SA rows and phase durations follow it while the compact "
      "pair learns (empty = the board's own timing)");
    v("pacing_student", pacing_student, "", "pacing: the table's student model (inference, retraining, validation)");
    v("pacing_teacher", pacing_teacher, "", "pacing: the table's teacher model (labeling)");
    v("col_major_inference_weights", col_major_inference_weights, "",
      "inference, labeling and validation read a column-major weight copy (few long DRAM requests) instead of "
      "the row-major master weights (one small request per K row and tile); same predictions, other timing");
  }
  void validate() const {
    if (!(lr > 0)) throw std::invalid_argument("lr: must be > 0");
    if (!(momentum >= 0 && momentum < 1)) throw std::invalid_argument("momentum: must be in [0, 1)");
    if (!(weight_decay >= 0)) throw std::invalid_argument("weight_decay: must be >= 0");
    if (labels != "teacher" && labels != "ground_truth")
      throw std::invalid_argument("labels: must be teacher or ground_truth");
    if (profile_repeats == 0) throw std::invalid_argument("profile_repeats: must be > 0");
    if (ring_slots < 2) throw std::invalid_argument("ring_slots: must be >= 2");
  }
};

// What the host-side loader hands the image (it can read files; the firmware cannot).
struct DacapoClInputs {
  std::vector<float> student_weights, teacher_weights;  // firmware/nn/model_def.h layout
  std::string scenario;                                 // file name, for the summary
  double fps = 0;
  uint64_t frame_count = 0;  // frames of the scenario
  double warmup_s = 0;       // the scenario's warm-up
  std::optional<cl::CostTable> pacing;  // the parsed pacing_profile (checked by the loader)
};

// Returns 0 when the run completed and its outputs were written.
int run_dacapo_cl(Hal& hal, const DacapoClConfig& app, const cl::ClConfig& cl, const DacapoClInputs& in,
                  uint64_t seed);

}  // namespace dacapo::fw
