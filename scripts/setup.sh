#!/usr/bin/env bash
# Installs the Debian packages dacapo-vp needs (as root on Debian bookworm). Does nothing when all are present,
# so re-running is fast.
set -euo pipefail
packages=(
  build-essential cmake pkg-config
  libsystemc-dev            # SystemC 2.3.4 + TLM-2.0
  libboost-program-options-dev libfmt-dev catch2 nlohmann-json3-dev
  zlib1g-dev                # gzip (Fashion-MNIST files) and PNG output
  libbenchmark-dev libopenblas-dev   # benchmarks only (OpenBLAS is the sgemm reference)
  dataset-fashion-mnist     # real images for the scenarios
  python3 python3-matplotlib  # plots
  gtkwave                     # waveform viewer (scripts/vcd_screenshot.sh also needs xvfb x11-apps)
  bc parallel                 # scripts/run.sh (wall time), scripts/sweep.sh (GNU Parallel)
)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
