#!/usr/bin/env bash
# The README's run command: install what is missing, build the release configuration, boot the virtual board and
# run the GEMM self-test firmware (until the continuous-learning app is the default job). Arguments are passed to
# dacapo-vp (see docs/platform.md), e.g. scripts/run.sh --vcd out.vcd --set firmware.gemm_selftest.partitions=4,12
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" release
vp="$root/build/release/platform/dacapo-vp"
args=("$@")
has() { local a; for a in "${args[@]}"; do case "$a" in "$1"|"$1"=*) return 0 ;; esac; done; return 1; }
defaults=()
has --firmware || has -f || defaults+=(--firmware gemm_selftest)
has --outdir || has -o || defaults+=(--outdir "$root/build/run")
echo "run.sh: booting the virtual board: dacapo-vp ${defaults[*]} ${args[*]}" >&2
exec "$vp" "${defaults[@]}" "${args[@]}"
