// The virtual board's address map and interrupt lines: shared by platform/ (wiring) and firmware/ (drivers).
#pragma once

#include <cstdint>

namespace dacapo::soc {

inline constexpr uint64_t kAccCsrBase = 0x1000'0000;     // DaCapo register window (regs::kCsrBytes)
inline constexpr uint64_t kCameraCsrBase = 0x1001'0000;  // camera peripheral registers (4 KiB)
inline constexpr uint64_t kDramBase = 0x8000'0000;       // LPDDR5; size from the DRAM configuration

// Interrupt inputs of the host CPU model.
inline constexpr unsigned kIrqAccelerator = 0;
inline constexpr unsigned kIrqCamera = 1;
inline constexpr unsigned kIrqCount = 2;

}  // namespace dacapo::soc
