// Firmware image "profile": per-kernel latency tables of a paper-scale model, measured on the board's accelerator
// (normally in timing-only fidelity) through the driver, with real DRAM traffic and SRAM re-fetch.
//
// Kernels (reference/cl-policies.md §1): `infer` = one forward pass of `batch` inputs (student inference on the
// B-SA, labeling = the teacher's `infer` rows at batch 1, validation = `infer` at batch 16), `train` = one SGD
// step on `train_batch` samples: per GEMM C[M×N] = A[M×K]·B[K×N] of the forward pass (M scaled by the batch), the
// data gradient dA[M×K] = dC[M×N]·Bᵀ (skipped for the first GEMM: the input image needs none) and the second
// operand's gradient dB[K×N] = Aᵀ[K×M]·dC[M×N]. `infer` is measured on the B-SA (or the T-SA: infer_sa = top, for
// labeling and validation), `train` on the T-SA; `rows` is the row count of that SA. Each point is measured alone
// and, when the other SA has rows left, with the other SA busy running the background model (batch-1 MX6 inference
// on the B-SA under a T-SA kernel, MX9 training steps on the T-SA under B-SA inference), so the second table
// includes the DRAM contention of both SAs.
//
// Outputs (Hal::write_output): profile.csv (alone) and profile_shared.csv (other SA busy), both in the cost-table
// format model,kernel,precision,rows,batch,seconds that firmware/cl's CostTable reads; profile_bsa_rows.csv, the
// fewest B-SA rows whose batch-1 inference keeps up with `fps`. Tables are rewritten after every point, so an
// interrupted run leaves the points measured so far.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "firmware/hal/dacapo_regs.h"
#include "firmware/hal/hal.h"

namespace dacapo::fw {

// One GEMM of a model's forward pass at batch 1 (a SCALE-Sim topology row: C[M×N] = A[M×K]·B[K×N]).
struct GemmLayer {
  std::string name;
  uint32_t m = 0, n = 0, k = 0;
};

struct ProfileModel {
  std::string name;
  std::vector<GemmLayer> layers;
};

struct ProfileConfig {
  std::string model = "resnet18";  // topology <topologies>/<model>_gemm.csv (read by the platform)
  std::string topologies = "";     // directory of the topology CSVs; empty = the repository's test/data/topologies
  std::string background_model;    // what the other SA runs in the shared measurement; empty = `model`
  std::string infer_sa = "bottom";  // SA of the infer kernel: bottom (student inference) | top (labeling, validation)
  std::string kernels = "infer,train";
  std::string precisions = "MX4,MX6,MX9";
  std::string rows = "1-15";        // comma-separated values and ranges a-b (1..16)
  std::string infer_batches = "1,16";
  uint32_t train_batch = 16;
  bool shared = true;               // also measure with the other SA busy
  double fps = 30.0;                // camera rate for the B-SA row requirement
  uint32_t ring_slots = 256;        // descriptor ring of the measured SA
  uint32_t background_ring_slots = 64;
  uint64_t dram_offset = 0;         // start of the profiler's buffers, bytes above the DRAM base
  uint64_t dram_bytes = 16ull << 30;

  template <class V>
  void visit_params(V& v) {
    v("model", model, "", "topology name: <topologies>/<model>_gemm.csv (resnet18, resnet34, vit_b_32, ...)");
    v("topologies", topologies, "", "directory of SCALE-Sim topology CSVs; empty = test/data/topologies of the source tree");
    v("background_model", background_model, "",
      "topology the other SA runs in the shared measurement (empty = model), e.g. the student under a teacher's labeling");
    v("infer_sa", infer_sa, "", "SA of the infer kernel: bottom (inference) | top (labeling, validation); train runs on top");
    v("kernels", kernels, "", "kernels to profile, comma-separated: infer, train");
    v("precisions", precisions, "", "MX precisions, comma-separated: MX4, MX6, MX9");
    v("rows", rows, "rows", "row counts of the measured SA (1..16; 16 is measured alone only): values and ranges, e.g. 1-15 or 3,13");
    v("infer_batches", infer_batches, "", "batch sizes of the infer kernel (1 = inference/labeling, 16 = validation)");
    v("train_batch", train_batch, "samples", "SGD batch of the train kernel");
    v("shared", shared, "", "also measure every point with the other SA busy (profile_shared.csv)");
    v("fps", fps, "1/s", "camera frame rate for the B-SA row requirement");
    v("ring_slots", ring_slots, "", "descriptor ring slots of the measured SA");
    v("background_ring_slots", background_ring_slots, "", "descriptor ring slots of the busy other SA");
    v("dram_offset", dram_offset, "B", "offset of the profiler's buffers above the DRAM base");
    v("dram_bytes", dram_bytes, "B", "size of the profiler's buffer region");
  }
};

enum class ProfileKernel { Infer, Train };
const char* to_string(ProfileKernel k);

enum class GemmRole { Forward, DataGrad, WeightGrad };

// One accelerator GEMM of a kernel: C[m×n] = A[m×k]·B[k×n] in the descriptor's orientation.
struct KernelGemm {
  uint32_t layer = 0;
  GemmRole role = GemmRole::Forward;
  uint32_t m = 0, n = 0, k = 0;
};

// The GEMMs one call of the kernel runs, in execution order (forward, then backward from the last layer).
// Throws std::invalid_argument naming the layer when a scaled dimension exceeds the descriptor limit.
std::vector<KernelGemm> kernel_gemms(const ProfileModel& model, ProfileKernel kernel, uint32_t batch);

// "1-3,8" → {1, 2, 3, 8}; values in [lo, hi]. Throws std::invalid_argument naming `key`.
std::vector<uint32_t> parse_uint_list(const std::string& text, const std::string& key, uint32_t lo, uint32_t hi);

// Returns 0 on success. Throws DriverError / BusError / std::invalid_argument on failures (the platform reports them).
int run_profile(Hal& hal, const ProfileConfig& cfg, const ProfileModel& model, const ProfileModel& background);

}  // namespace dacapo::fw
