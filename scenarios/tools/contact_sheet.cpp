// dacapo-contact-sheet: renders sample frames of every segment of a scenario into one PNG so a person can see
// the drift. One row per segment, frames picked evenly over the segment; a legend (row → attributes) goes to
// stdout.
#include <boost/program_options.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>

#include "scenarios/src/frame_source.h"
#include "scenarios/src/png_writer.h"

namespace po = boost::program_options;
using namespace dacapo::scenarios;

int main(int argc, char** argv) {
  po::options_description opts("dacapo-contact-sheet: sample frames per segment of a scenario as a PNG");
  std::string scenario_path, out, data_dir;
  int per_segment = 0, zoom = 0;
  std::uint64_t seed = 0;
  opts.add_options()("help,h", "this help")("scenario", po::value(&scenario_path)->required(), "scenario file")(
      "out", po::value(&out)->required(), "PNG to write")("per-segment", po::value(&per_segment)->default_value(12),
                                                          "frames per segment")(
      "zoom", po::value(&zoom)->default_value(3), "pixel scale")("seed", po::value(&seed)->default_value(1),
                                                                 "stream seed")(
      "data-dir", po::value(&data_dir)->default_value(kDefaultFashionMnistDir), "Fashion-MNIST idx files")(
      "stretch", "display only: rescale each frame to its own min..max (night frames are otherwise near black)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    if (vm.count("help")) {
      std::cout << opts;
      return 0;
    }
    po::notify(vm);
    if (per_segment < 1 || per_segment > 256 || zoom < 1 || zoom > 16)
      throw std::invalid_argument("--per-segment must be 1..256 and --zoom 1..16");
  } catch (const std::exception& e) {
    std::cerr << "dacapo-contact-sheet: " << e.what() << "\n" << opts;
    return 2;
  }
  try {
    const Scenario sc = load_scenario(scenario_path);
    const FashionMnist data = load_fashion_mnist(data_dir);
    const ScenarioFrameSource source(sc, data.test, seed);
    const int side = data.test.rows, cell = side * zoom, gap = 4;
    const int width = per_segment * (cell + gap) + gap;
    const int height = static_cast<int>(sc.segments.size()) * (cell + gap) + gap;
    std::vector<std::uint8_t> sheet(static_cast<std::size_t>(width) * height, 128);  // mid-gray frame lines
    for (std::size_t s = 0; s < sc.segments.size(); ++s) {
      const Segment& seg = sc.segments[s];
      std::printf("row %zu: frames %llu..%llu (%.0f..%.0f s) labels=%s time=%s location=%s weather=%s\n", s,
                  static_cast<unsigned long long>(seg.first_frame), static_cast<unsigned long long>(seg.end_frame - 1),
                  seg.start_s, seg.start_s + seg.duration_s, sc.label_sets[seg.label_set].name.c_str(),
                  to_string(seg.conditions.time), to_string(seg.conditions.location),
                  to_string(seg.conditions.weather));
      const std::uint64_t span = seg.end_frame - seg.first_frame;
      for (int j = 0; j < per_segment; ++j) {
        const Frame f = source.frame(seg.first_frame + span * static_cast<std::uint64_t>(j) / per_segment);
        float lo = 0.0f, hi = 1.0f;
        if (vm.count("stretch")) {
          lo = *std::min_element(f.image.pixels.begin(), f.image.pixels.end());
          hi = std::max(lo + 1e-6f, *std::max_element(f.image.pixels.begin(), f.image.pixels.end()));
        }
        const int x0 = gap + j * (cell + gap), y0 = gap + static_cast<int>(s) * (cell + gap);
        for (int y = 0; y < cell; ++y)
          for (int x = 0; x < cell; ++x) {
            const float v = (f.image.at(y / zoom, x / zoom) - lo) / (hi - lo);
            sheet[static_cast<std::size_t>(y0 + y) * width + (x0 + x)] =
                static_cast<std::uint8_t>(std::lround(255.0f * std::clamp(v, 0.0f, 1.0f)));
          }
      }
    }
    write_png_gray(out, width, height, sheet);
    std::printf("wrote %s (%dx%d)\n", out.c_str(), width, height);
  } catch (const std::exception& e) {
    std::cerr << "dacapo-contact-sheet: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
