#!/usr/bin/env bash
# vcd_screenshot.sh VCD PNG — opens the VCD in GTKWave on a virtual display (xvfb-run), with the key signals of
# scripts/gtkwave_view.tcl, and saves a screenshot. Needs gtkwave, xvfb (xvfb-run), x11-apps (xwd) and
# python3-pil (comes with matplotlib). A quick way to check that a run's waveform renders.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
vcd=$(realpath "$1")
png=$2
xwd_file=$(mktemp --suffix=.xwd)
trap 'rm -f "$xwd_file"' EXIT
xvfb-run -a -s "-screen 0 1400x900x24" bash -c \
  "gtkwave -S '$root/scripts/gtkwave_view.tcl' '$vcd' >/dev/null 2>&1 & sleep 8; xwd -root -silent > '$xwd_file'; kill %1"
/usr/bin/python3 - "$xwd_file" "$png" <<'PY'
import struct, sys
from PIL import Image
d = open(sys.argv[1], "rb").read()
h = struct.unpack(">25I", d[:100])
header, width, height, bytes_per_line, ncolors = h[0], h[4], h[5], h[12], h[19]
offset = header + 12 * ncolors
Image.frombytes("RGB", (width, height), d[offset:offset + bytes_per_line * height], "raw", "BGRX",
                bytes_per_line).save(sys.argv[2])
PY
echo "vcd_screenshot: $png"
