#!/usr/bin/env bash
# The README's run command: install what is missing, build the release configuration, run the main job.
# The main job is the platform (build/release/platform/dacapo-vp) once it exists; until then the MX demo
# (MX GEMM vs FP32 error on random matrices). Arguments are passed through.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" release
vp="$root/build/release/platform/dacapo-vp"
if [ -x "$vp" ]; then
  exec "$vp" "$@"
fi
exec "$root/build/release/models/mx/mx-demo" "$@"
