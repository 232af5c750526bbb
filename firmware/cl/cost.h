// Kernel latencies and the phase-duration formulas every policy and the simulated executor share.
//
// The cost oracle answers "how long does one call of this kernel take on `rows` DPE rows at this precision and
// batch": on the board by profiling on the virtual platform, in host runs from a cost table in the profiler's CSV
// format (model,kernel,precision,rows,batch,seconds). One call processes one batch: an inference of `batch`
// frames, or one SGD step (forward + backward + update) on `batch` samples.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "firmware/hal/dacapo_regs.h"

namespace dacapo::cl {

using Precision = regs::Precision;

// Inference: student on the B-SA. Label: teacher inference on the T-SA. Retrain: student SGD step on the
// T-SA. Validate: student inference on the T-SA (batched).
enum class Kernel { Inference, Label, Retrain, Validate };
const char* to_string(Kernel kernel);
const char* to_string(Precision precision);
std::optional<Precision> parse_precision(const std::string& text);

// Fields of one CSV line, each trimmed of blanks; a trailing ',' gives a last empty field. Shared by the readers of
// the profiler's table formats (CostTable here, platform/topology.cpp).
std::vector<std::string> split_csv(const std::string& line);

class CostOracle {
 public:
  virtual ~CostOracle() = default;
  // Seconds per call (one batch). Throws CostError when the board cannot answer (e.g. no table entry).
  virtual double seconds(Kernel kernel, Precision precision, uint32_t rows, uint32_t batch) const = 0;
};

class CostError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Precision and batch per kernel (DESIGN.md §2/§6 defaults). Every policy charges kernels through this plan.
struct KernelPlan {
  std::string train_precision = "MX9";
  std::string eval_precision = "MX6";  // inference, labeling, validation
  uint32_t train_batch = 16;
  uint32_t valid_batch = 16;
  uint32_t total_rows = 16;  // rows of the array; the B-SA gets what the T-SA does not

  template <class V>
  void visit_params(V& v) {
    v("train_precision", train_precision, "", "MX precision of retraining (MX4|MX6|MX9)");
    v("eval_precision", eval_precision, "", "MX precision of inference, labeling and validation (MX4|MX6|MX9)");
    v("train_batch", train_batch, "samples", "SGD batch size");
    v("valid_batch", valid_batch, "samples", "validation batch size");
    v("total_rows", total_rows, "rows", "DPE rows of the array (split between T-SA and B-SA)");
  }
  void validate() const;  // throws std::invalid_argument naming the key
  Precision train() const;
  Precision eval() const;
};

// Phase durations on the T-SA with `rows` rows (reference/cl-policies.md §1, §2.3):
//   retrain  = steps · t(Retrain, p_T, rows, B),  steps = epochs · ceil(n / B), optionally capped
//   validate = ceil(n / B_V) · t(Validate, p_I, rows, B_V)
//   label    = n · t(Label, p_I, rows, 1)
class PhaseCosts {
 public:
  PhaseCosts(const CostOracle& cost, const KernelPlan& plan, uint32_t tsa_rows)
      : cost_(cost), plan_(plan), rows_(tsa_rows) {}
  uint64_t train_steps(uint64_t samples, uint32_t epochs, uint64_t max_steps = 0) const;
  double step_seconds() const;
  double train_seconds(uint64_t samples, uint32_t epochs, uint64_t max_steps = 0) const;
  double valid_seconds(uint64_t samples) const;
  double label_seconds_per_frame() const;
  double label_seconds(uint64_t frames) const { return static_cast<double>(frames) * label_seconds_per_frame(); }
  uint32_t tsa_rows() const { return rows_; }
  const KernelPlan& plan() const { return plan_; }
  const CostOracle& oracle() const { return cost_; }

 private:
  const CostOracle& cost_;
  const KernelPlan& plan_;
  uint32_t rows_;
};

// Offline spatial allocation (Algorithm 1 lines 1-2): the smallest B-SA row count r in 1..total_rows-1 whose
// batch-1 student inference keeps up with the camera, t(Inference, p_I, r, 1) <= 1/fps. Empty when none does.
std::optional<uint32_t> choose_bsa_rows(const CostOracle& cost, const KernelPlan& plan, double fps);

// A cost table read from the profiler's CSV: header "model,kernel,precision,rows,batch,seconds", kernel
// "infer", "label" or "train". The student's rows answer Inference / Validate (infer) and Retrain (train), the
// teacher's rows answer Label (its "label" row if the table has one, else its "infer" row: the profiler measures
// labeling as the teacher's batch-1 inference). Lookups are exact; a missing entry is a CostError naming the query.
class CostTable : public CostOracle {
 public:
  // Throws CostError naming `source`, the line and the column on malformed input.
  static CostTable parse(std::istream& in, const std::string& source, const std::string& student_model,
                         const std::string& teacher_model);
  double seconds(Kernel kernel, Precision precision, uint32_t rows, uint32_t batch) const override;
  size_t size() const { return table_.size(); }

 private:
  using Key = std::tuple<std::string, std::string, uint32_t, uint32_t, uint32_t>;  // model, kernel, prec, rows, batch
  std::map<Key, double> table_;
  std::string source_, student_, teacher_;
};

}  // namespace dacapo::cl
