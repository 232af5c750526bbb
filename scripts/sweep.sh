#!/usr/bin/env bash
# Runs the continuous-learning firmware over scenarios × policies × seeds (one dacapo-vp process per run, in
# parallel with GNU Parallel when it is installed, else xargs -P) and merges every run's summary into one CSV.
#
#   scripts/sweep.sh [--full] [--scenarios "S1 S3 ..."] [--policies "spatiotemporal none ..."] [--seeds "1 2 3"]
#                    [--jobs N] [--out DIR] [--no-build] [--vp BINARY]
#                    [-- dacapo-vp options for every run, e.g. --set k=v]
#
# Defaults: the short variants of S1-S6 and ES1-ES2, all five policies, seed 1, jobs = nproc, out = out/sweep.
# Each run lands in DIR/<scenario>_<policy>_seed<seed>/ (outputs of dacapo-vp plus wall_s and cpu_s, the host's
# wall and CPU seconds); DIR/sweep.csv has one row per run (scripts/merge_sweep.py). A run directory that already
# has a complete summary.txt is not run again, so an interrupted sweep resumes where it stopped. --vp runs a given
# dacapo-vp binary instead of build/release's (e.g. a copy, so that a long sweep is not changed by a rebuild).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
full=0 scenarios="S1 S2 S3 S4 S5 S6 ES1 ES2" policies="spatiotemporal spatial ekya eomu none" seeds=1
jobs=$(nproc) out=$root/out/sweep build=1 vp=$root/build/release/platform/dacapo-vp extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --full) full=1 ;;
    --scenarios) scenarios=$2; shift ;;
    --policies) policies=$2; shift ;;
    --seeds) seeds=$2; shift ;;
    --jobs) jobs=$2; shift ;;
    --out) out=$2; shift ;;
    --no-build) build=0 ;;
    --vp) vp=$(realpath "$2"); build=0; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "sweep.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ $build = 1 ]; then
  "$root/scripts/build.sh" release >/dev/null
  "$root/scripts/pretrain.sh" "$root/build/release" >/dev/null
fi
[ -x "$vp" ] || { echo "sweep.sh: $vp not built (drop --no-build)" >&2; exit 2; }
mkdir -p "$out"
printf '%s\n' "${extra[@]+"${extra[@]}"}" > "$out/extra_args.txt"

# One run: SCENARIO POLICY SEED (called by parallel/xargs with the environment below).
run_one() {
  local scn=$1 policy=$2 seed=$3 file cfg=()
  if [ "$SWEEP_FULL" = 1 ]; then file=$SWEEP_ROOT/scenarios/scn/$scn.scn
  else file=$SWEEP_ROOT/scenarios/scn/short/$scn.scn; cfg=(--config "$SWEEP_ROOT/scenarios/scn/short/cl_short.ini"); fi
  local dir=$SWEEP_OUT/${scn}_${policy}_seed${seed}
  if grep -qx 'complete = true' "$dir/summary.txt" 2>/dev/null; then return 0; fi
  local extra=() start status=0
  mapfile -t extra < "$SWEEP_OUT/extra_args.txt"
  start=$(date +%s.%N)
  # CPU time (user + system) is the speed figure that survives a loaded machine; wall time is kept beside it.
  local timer=()
  [ -x /usr/bin/time ] && timer=(/usr/bin/time -f '%U %S' -o "$dir.cpu")
  mkdir -p "$dir"
  "${timer[@]}" "$SWEEP_VP" --firmware dacapo_cl --quiet --seed "$seed" --outdir "$dir" "${cfg[@]}" \
    --set "soc.camera.source.scenario=$file" --set "firmware.dacapo_cl.policy=$policy" \
    "${extra[@]}" >"$dir.log" 2>&1 || status=$?
  echo "$(date +%s.%N) - $start" | bc > "$dir/wall_s" 2>/dev/null || true
  if [ -s "$dir.cpu" ]; then awk '{ print $1 + $2 }' "$dir.cpu" > "$dir/cpu_s"; rm -f "$dir.cpu"; fi
  echo "$scn $policy seed $seed: exit $status"
}
export -f run_one
export SWEEP_ROOT=$root SWEEP_OUT=$out SWEEP_VP=$vp SWEEP_FULL=$full

combos=()
for s in $scenarios; do for p in $policies; do for d in $seeds; do combos+=("$s $p $d"); done; done; done
if command -v parallel >/dev/null; then
  printf '%s\n' "${combos[@]}" | parallel --will-cite -j "$jobs" --colsep ' ' run_one {1} {2} {3}
else
  printf '%s\n' "${combos[@]}" | xargs -P "$jobs" -L 1 bash -c 'run_one "$0" "$1" "$2"'
fi
/usr/bin/python3 "$root/scripts/merge_sweep.py" "$out" > "$out/sweep.csv"
echo "merged: $out/sweep.csv"
