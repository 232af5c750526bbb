// Minimal PNG encoder (8-bit grayscale, no interlace) on zlib, for contact sheets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dacapo::scenarios {

// The encoded file; pixels row-major, width × height bytes.
std::vector<std::uint8_t> encode_png_gray(int width, int height, const std::vector<std::uint8_t>& pixels);
// Writes via a temporary file and a rename (complete or absent).
void write_png_gray(const std::string& path, int width, int height, const std::vector<std::uint8_t>& pixels);

}  // namespace dacapo::scenarios
