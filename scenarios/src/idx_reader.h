// Reader for the idx-ubyte format of (Fashion-)MNIST, plain or gzip-compressed.
//
// idx: big-endian u32 magic 0x00000803 (u8 images, 3 dims) or 0x00000801 (u8 labels, 1 dim), then one u32 per
// dimension, then the bytes. Everything is validated: magic, dimensions, exact payload length, label range, and
// that an image file and its label file agree on the count. Every error names the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dacapo::scenarios {

// Images and labels of one split, pixels row-major [index][row][col], 0 = black.
struct ImageSet {
  int rows = 0;
  int cols = 0;
  std::vector<std::uint8_t> pixels;
  std::vector<std::uint8_t> labels;

  std::size_t count() const { return labels.size(); }
  std::size_t image_size() const { return static_cast<std::size_t>(rows) * cols; }
  const std::uint8_t* image(std::size_t i) const { return pixels.data() + i * image_size(); }
};

// The whole file decompressed (gzip is detected by its magic; other files are read as they are).
std::vector<std::uint8_t> read_maybe_gzip(const std::string& path);

// One images file + its labels file. num_classes bounds the labels (0..num_classes-1).
ImageSet load_idx_pair(const std::string& images_path, const std::string& labels_path, int num_classes = 10);

// Debian's dataset-fashion-mnist installs the four files here.
inline constexpr const char* kDefaultFashionMnistDir = "/usr/share/datasets/fashion-mnist";

struct FashionMnist {
  ImageSet train;  // 60 000 images: pretraining only
  ImageSet test;   // 10 000 images (t10k): the stream pool and the held-out accuracy measurements
};

// Loads train-{images-idx3,labels-idx1}-ubyte.gz and t10k-... from dir; checks the expected sizes
// (60 000 / 10 000 images of 28×28).
FashionMnist load_fashion_mnist(const std::string& dir = kDefaultFashionMnistDir);

// Fashion-MNIST class names (index = label).
inline constexpr const char* kFashionMnistClasses[10] = {"t-shirt", "trouser", "pullover", "dress", "coat",
                                                          "sandal",  "shirt",   "sneaker",  "bag",   "ankle-boot"};

}  // namespace dacapo::scenarios
