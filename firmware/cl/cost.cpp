#include "firmware/cl/cost.h"

#include <cmath>
#include <sstream>
#include <vector>

namespace dacapo::cl {

const char* to_string(Kernel kernel) {
  switch (kernel) {
    case Kernel::Inference: return "inference";
    case Kernel::Label: return "label";
    case Kernel::Retrain: return "retrain";
    case Kernel::Validate: return "validate";
  }
  return "?";
}

const char* to_string(Precision precision) {
  switch (precision) {
    case Precision::MX4: return "MX4";
    case Precision::MX6: return "MX6";
    case Precision::MX9: return "MX9";
  }
  return "?";
}

std::optional<Precision> parse_precision(const std::string& text) {
  if (text == "MX4") return Precision::MX4;
  if (text == "MX6") return Precision::MX6;
  if (text == "MX9") return Precision::MX9;
  return std::nullopt;
}

void KernelPlan::validate() const {
  if (!parse_precision(train_precision))
    throw std::invalid_argument("train_precision: '" + train_precision + "' is not MX4, MX6 or MX9");
  if (!parse_precision(eval_precision))
    throw std::invalid_argument("eval_precision: '" + eval_precision + "' is not MX4, MX6 or MX9");
  if (train_batch == 0) throw std::invalid_argument("train_batch: must be > 0");
  if (valid_batch == 0) throw std::invalid_argument("valid_batch: must be > 0");
  if (total_rows < 2) throw std::invalid_argument("total_rows: must be >= 2");
}

Precision KernelPlan::train() const {
  validate();
  return *parse_precision(train_precision);
}
Precision KernelPlan::eval() const {
  validate();
  return *parse_precision(eval_precision);
}

uint64_t PhaseCosts::train_steps(uint64_t samples, uint32_t epochs, uint64_t max_steps) const {
  const uint64_t per_epoch = (samples + plan_.train_batch - 1) / plan_.train_batch;
  const uint64_t steps = per_epoch * epochs;
  return max_steps > 0 && steps > max_steps ? max_steps : steps;
}

double PhaseCosts::step_seconds() const {
  return cost_.seconds(Kernel::Retrain, plan_.train(), rows_, plan_.train_batch);
}

double PhaseCosts::train_seconds(uint64_t samples, uint32_t epochs, uint64_t max_steps) const {
  const uint64_t steps = train_steps(samples, epochs, max_steps);
  return steps == 0 ? 0.0 : static_cast<double>(steps) * step_seconds();
}

double PhaseCosts::valid_seconds(uint64_t samples) const {
  if (samples == 0) return 0.0;
  const uint64_t batches = (samples + plan_.valid_batch - 1) / plan_.valid_batch;
  return static_cast<double>(batches) * cost_.seconds(Kernel::Validate, plan_.eval(), rows_, plan_.valid_batch);
}

double PhaseCosts::label_seconds_per_frame() const { return cost_.seconds(Kernel::Label, plan_.eval(), rows_, 1); }

std::optional<uint32_t> choose_bsa_rows(const CostOracle& cost, const KernelPlan& plan, double fps) {
  for (uint32_t r = 1; r < plan.total_rows; ++r)
    if (cost.seconds(Kernel::Inference, plan.eval(), r, 1) <= 1.0 / fps) return r;
  return std::nullopt;
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream ss(line);
  while (std::getline(ss, field, ',')) {
    const auto b = field.find_first_not_of(" \t\r");
    const auto e = field.find_last_not_of(" \t\r");
    out.push_back(b == std::string::npos ? std::string() : field.substr(b, e - b + 1));
  }
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

namespace {
uint32_t parse_u32(const std::string& text, const std::string& where, const char* column) {
  size_t pos = 0;
  unsigned long v = 0;
  try {
    v = std::stoul(text, &pos);
  } catch (const std::exception&) {
    pos = 0;
  }
  if (pos == 0 || pos != text.size() || text[0] == '-' || v == 0 || v > 0xFFFFFFFFul)
    throw CostError(where + ": column '" + column + "': '" + text + "' is not a positive integer");
  return static_cast<uint32_t>(v);
}
}  // namespace

CostTable CostTable::parse(std::istream& in, const std::string& source, const std::string& student_model,
                           const std::string& teacher_model) {
  CostTable t;
  t.source_ = source;
  t.student_ = student_model;
  t.teacher_ = teacher_model;
  static const std::vector<std::string> header{"model", "kernel", "precision", "rows", "batch", "seconds"};
  std::string line;
  size_t line_no = 0;
  bool seen_header = false;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string where = source + ":" + std::to_string(line_no);
    if (line.find_first_not_of(" \t\r") == std::string::npos || line[0] == '#') continue;
    const auto f = split_csv(line);
    if (!seen_header) {
      if (f != header)
        throw CostError(where + ": expected header 'model,kernel,precision,rows,batch,seconds'");
      seen_header = true;
      continue;
    }
    if (f.size() != header.size())
      throw CostError(where + ": expected 6 columns, got " + std::to_string(f.size()));
    if (f[0].empty()) throw CostError(where + ": column 'model' is empty");
    if (f[1] != "infer" && f[1] != "label" && f[1] != "train")
      throw CostError(where + ": column 'kernel': '" + f[1] + "' is not infer, label or train");
    const auto prec = parse_precision(f[2]);
    if (!prec) throw CostError(where + ": column 'precision': '" + f[2] + "' is not MX4, MX6 or MX9");
    const uint32_t rows = parse_u32(f[3], where, "rows");
    const uint32_t batch = parse_u32(f[4], where, "batch");
    double seconds = 0;
    size_t pos = 0;
    try {
      seconds = std::stod(f[5], &pos);
    } catch (const std::exception&) {
      pos = 0;
    }
    if (pos == 0 || pos != f[5].size() || !std::isfinite(seconds) || seconds <= 0)
      throw CostError(where + ": column 'seconds': '" + f[5] + "' is not a positive number");
    const Key key{f[0], f[1], static_cast<uint32_t>(*prec), rows, batch};
    if (!t.table_.emplace(key, seconds).second)
      throw CostError(where + ": duplicate entry for " + f[0] + "," + f[1] + "," + f[2] + "," + f[3] + "," + f[4]);
  }
  if (!seen_header) throw CostError(source + ": empty cost table (no header)");
  return t;
}

double CostTable::seconds(Kernel kernel, Precision precision, uint32_t rows, uint32_t batch) const {
  const std::string& model = kernel == Kernel::Label ? teacher_ : student_;
  const char* op = kernel == Kernel::Retrain ? "train" : "infer";
  if (kernel == Kernel::Label) {  // an explicit label row of the teacher wins over its infer row
    const auto label = table_.find(Key{model, "label", static_cast<uint32_t>(precision), rows, batch});
    if (label != table_.end()) return label->second;
  }
  const auto it = table_.find(Key{model, op, static_cast<uint32_t>(precision), rows, batch});
  if (it == table_.end())
    throw CostError(source_ + ": no entry for " + model + "," + op + "," + to_string(precision) + "," +
                    std::to_string(rows) + "," + std::to_string(batch) + " (needed for " + to_string(kernel) + ")");
  return it->second;
}

}  // namespace dacapo::cl
