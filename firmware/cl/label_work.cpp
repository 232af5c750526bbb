#include "firmware/cl/label_work.h"

#include <stdexcept>

#include "firmware/cl/sample_buffer.h"

namespace dacapo::cl {

std::vector<FrameId> resolve_label_frames(const LabelRequest& q, FrameId frame_count) {
  if (!q.frames.empty()) return q.frames;
  if (q.end >= q.first && q.end - q.first >= q.count) return pick_uniform_stride(q.first, q.end, q.count);
  std::vector<FrameId> picks;
  for (FrameId f = q.first; f < q.first + q.count && f < frame_count; ++f) picks.push_back(f);
  return picks;
}

void score_labels(const std::vector<FrameId>& frames, const std::vector<int>& labels, const FrameLog& log,
                  PhaseResult& result) {
  if (labels.size() != frames.size()) throw std::runtime_error("label count does not match the frames labeled");
  result.labeled.clear();
  result.live_correct = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    result.labeled.push_back(Sample{frames[i], labels[i]});
    const int predicted = frames[i] < log.prediction.size() ? log.prediction[frames[i]] : kNoPrediction;
    result.live_correct += predicted != kNoPrediction && predicted == labels[i];
  }
  result.label_accuracy =
      frames.empty() ? kNaN : 100.0 * result.live_correct / static_cast<double>(frames.size());
}

}  // namespace dacapo::cl
