#include <catch2/catch.hpp>

#include "models/bus/address_decoder.h"

using dacapo::bus::AddressDecoder;

TEST_CASE("decoder finds the window and the local offset") {
  AddressDecoder d({{"csr", 0x1000'0000, 0x4000}, {"dram", 0x8000'0000, 0x1000'0000}});
  auto hit = d.decode(0x1000'2004, 4);
  REQUIRE(hit);
  CHECK(hit->target == 0);
  CHECK(hit->offset == 0x2004);
  hit = d.decode(0x8fff'fff0, 16);
  REQUIRE(hit);
  CHECK(hit->target == 1);
  CHECK(hit->offset == 0x0fff'fff0);
}

TEST_CASE("decoder rejects holes and requests that straddle a window end") {
  AddressDecoder d({{"csr", 0x1000'0000, 0x4000}, {"dram", 0x8000'0000, 0x1000'0000}});
  CHECK_FALSE(d.decode(0x0, 4));
  CHECK_FALSE(d.decode(0x1000'4000, 4));
  CHECK_FALSE(d.decode(0x1000'3ffe, 4));
  CHECK_FALSE(d.decode(0x8fff'fff0, 17));
  CHECK_FALSE(d.decode(0xffff'ffff'ffff'fff0ull, 0x100));
  CHECK(d.decode(0x1000'3fff, 0));  // zero length decodes like one byte
}

TEST_CASE("decoder rejects overlapping and empty windows naming them") {
  CHECK_THROWS_WITH(AddressDecoder({{"a", 0x1000, 0x1000}, {"b", 0x1fff, 0x10}}), Catch::Contains("'a' and 'b'"));
  CHECK_THROWS_WITH(AddressDecoder({{"z", 0x1000, 0}}), Catch::Contains("'z'"));
  CHECK_THROWS_AS(AddressDecoder({{"wrap", 0xffff'ffff'ffff'f000ull, 0x2000}}), std::invalid_argument);
  CHECK_NOTHROW(AddressDecoder({{"a", 0x1000, 0x1000}, {"b", 0x2000, 0x10}}));
}
