// The labeled-sample buffer M of DaCapo's Algorithm 1 (reference/cl-policies.md §2.4): newest first, classes
// interleaved round-robin on insertion, oldest entries evicted beyond the capacity, class-stratified draws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "firmware/cl/types.h"

namespace dacapo::cl {

class SampleBuffer {
 public:
  explicit SampleBuffer(size_t capacity);

  // Inserts a batch at the front. The batch is first reordered round-robin over its classes in ascending class
  // order (class 0's first sample, class 1's first, ..., class 0's second, ...; within a class the batch order
  // is kept), and that sequence becomes the new front of the buffer. Entries beyond the capacity are dropped from
  // the back (the oldest).
  void push(const std::vector<Sample>& batch);
  void clear() { entries_.clear(); }

  size_t size() const { return entries_.size(); }
  size_t capacity() const { return capacity_; }
  bool empty() const { return entries_.empty(); }
  size_t class_count(int label) const;
  // Newest first.
  const std::deque<Sample>& entries() const { return entries_; }

  struct Draw {
    std::vector<Sample> train;
    std::vector<Sample> valid;
  };
  // Class-stratified draw of min(total, size()) samples: class c gets floor(total * n_c / size()), then one more
  // per class in ascending class order (classes with entries left) until the total is reached; within a class the
  // entries are taken at the regular stride floor(n_c / k_c) starting from the newest. Of each class's picks,
  // every `valid_every`-th (the 4th, 8th, ...) goes to the validation set, the rest to the training set.
  // valid_every = 0 puts everything into the training set.
  Draw draw(size_t total, uint32_t valid_every) const;

 private:
  size_t capacity_;
  std::deque<Sample> entries_;
};

// `count` frames from the contiguous range [first, end) with the uniform stride floor((end - first) / count),
// starting at `first` (the authors' label sampling). Requires end - first >= count (the caller waits otherwise).
std::vector<FrameId> pick_uniform_stride(FrameId first, FrameId end, size_t count);

// `count` items at the regular stride floor(size / count) from the front of `items` (count <= size).
std::vector<Sample> pick_stride(const std::vector<Sample>& items, size_t count);

}  // namespace dacapo::cl
