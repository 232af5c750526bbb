#include <catch2/catch.hpp>

#include "models/camera/synthetic_source.h"

using namespace dacapo::camera;

TEST_CASE("synthetic frames are deterministic per seed and labelled by index") {
  SyntheticSourceConfig cfg;
  cfg.frames = 20;
  cfg.width = 16;
  cfg.height = 8;
  SyntheticFrameSource a(cfg, 1), b(cfg, 1), c(cfg, 2);
  for (uint64_t i : {0, 7, 19}) {
    const auto fa = a.frame(i), fb = b.frame(i), fc = c.frame(i);
    CHECK(fa.label == int(i % 10));
    CHECK(fa.time_s == Approx(double(i) / 30.0));
    CHECK(fa.image.rows == 8);
    CHECK(fa.image.cols == 16);
    CHECK(fa.image.pixels == fb.image.pixels);
    CHECK(fa.image.pixels != fc.image.pixels);
    for (float p : fa.image.pixels) {
      REQUIRE(p >= 0.0f);
      REQUIRE(p <= 1.0f);
    }
  }
  CHECK(a.frame(3).image.pixels != a.frame(4).image.pixels);
}

TEST_CASE("synthetic source rejects bad settings") {
  SyntheticSourceConfig cfg;
  cfg.fps = 0;
  CHECK_THROWS_WITH(SyntheticFrameSource(cfg, 1), Catch::Contains("fps"));
  cfg.fps = 30;
  cfg.width = 0;
  CHECK_THROWS_WITH(SyntheticFrameSource(cfg, 1), Catch::Contains("width"));
}
