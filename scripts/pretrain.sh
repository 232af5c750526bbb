#!/usr/bin/env bash
# pretrain.sh [build dir] [dacapo-pretrain options] — builds the cached weights of the compact student/teacher
# pair when they are missing or stale (a no-op otherwise). Cache: $DACAPO_CACHE_DIR, else
# $XDG_CACHE_HOME/dacapo-vp, else ~/.cache/dacapo-vp. Uses the release build (training at -O0 would be slow).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/build/release}
shift || true
if [ ! -x "$dir/scenarios/dacapo-pretrain" ]; then
  [ -f "$dir/CMakeCache.txt" ] || cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo
  cmake --build "$dir" --target dacapo-pretrain -j "${JOBS:-$(nproc)}"
fi
exec "$dir/scenarios/dacapo-pretrain" "$@"
