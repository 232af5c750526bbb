#include "firmware/cl/sample_buffer.h"

#include <map>
#include <stdexcept>

namespace dacapo::cl {

SampleBuffer::SampleBuffer(size_t capacity) : capacity_(capacity) {
  if (capacity == 0) throw std::invalid_argument("SampleBuffer: capacity must be > 0");
}

void SampleBuffer::push(const std::vector<Sample>& batch) {
  std::map<int, std::vector<Sample>> by_class;
  for (const Sample& s : batch) by_class[s.label].push_back(s);
  std::vector<Sample> interleaved;
  interleaved.reserve(batch.size());
  for (size_t round = 0; interleaved.size() < batch.size(); ++round)
    for (const auto& [label, samples] : by_class)
      if (round < samples.size()) interleaved.push_back(samples[round]);
  entries_.insert(entries_.begin(), interleaved.begin(), interleaved.end());
  while (entries_.size() > capacity_) entries_.pop_back();
}

size_t SampleBuffer::class_count(int label) const {
  size_t n = 0;
  for (const Sample& s : entries_) n += (s.label == label);
  return n;
}

SampleBuffer::Draw SampleBuffer::draw(size_t total, uint32_t valid_every) const {
  Draw out;
  if (entries_.empty() || total == 0) return out;
  if (total > entries_.size()) total = entries_.size();
  std::map<int, std::vector<Sample>> by_class;  // each newest first
  for (const Sample& s : entries_) by_class[s.label].push_back(s);

  std::map<int, size_t> take;
  size_t taken = 0;
  for (const auto& [label, samples] : by_class) {
    take[label] = total * samples.size() / entries_.size();  // floor(total * share)
    taken += take[label];
  }
  while (taken < total) {  // top up one per class in class order; terminates since total <= size()
    for (const auto& [label, samples] : by_class) {
      if (taken == total) break;
      if (take[label] < samples.size()) {
        ++take[label];
        ++taken;
      }
    }
  }
  for (const auto& [label, samples] : by_class) {
    const size_t k = take[label];
    if (k == 0) continue;
    const size_t stride = samples.size() / k;
    for (size_t j = 0; j < k; ++j) {
      const Sample& s = samples[j * stride];
      if (valid_every > 0 && (j + 1) % valid_every == 0)
        out.valid.push_back(s);
      else
        out.train.push_back(s);
    }
  }
  return out;
}

std::vector<FrameId> pick_uniform_stride(FrameId first, FrameId end, size_t count) {
  if (end < first || end - first < count)
    throw std::invalid_argument("pick_uniform_stride: range holds fewer frames than requested");
  std::vector<FrameId> picks;
  if (count == 0) return picks;
  const FrameId stride = (end - first) / count;
  picks.reserve(count);
  for (size_t j = 0; j < count; ++j) picks.push_back(first + j * stride);
  return picks;
}

std::vector<Sample> pick_stride(const std::vector<Sample>& items, size_t count) {
  if (count > items.size()) throw std::invalid_argument("pick_stride: more picks than items");
  std::vector<Sample> picks;
  if (count == 0) return picks;
  const size_t stride = items.size() / count;
  for (size_t j = 0; j < count; ++j) picks.push_back(items[j * stride]);
  return picks;
}

}  // namespace dacapo::cl
