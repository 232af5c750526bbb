#!/usr/bin/env bash
# The main job: continuous learning on the virtual board (firmware dacapo_cl) — DaCapo-Spatiotemporal on the short
# S1 scenario by default. Installs what is missing, builds the release configuration, builds the cached compact
# weights if needed (scripts/pretrain.sh), runs dacapo-vp, plots (if matplotlib is there) and prints a summary.
#
#   scripts/run.sh [--full] [--scenario FILE] [--policy spatiotemporal|spatial|ekya|eomu|none] [--seed N]
#                  [--out DIR] [--no-setup] [other dacapo-vp options, e.g. --set firmware.dacapo_cl.lr=1e-3 --vcd x.vcd]
#   scripts/run.sh --firmware gemm_selftest [dacapo-vp options]     boots another firmware image (docs/platform.md)
#
# --full runs the full-length scenario (28 min simulated; hours of wall time) instead of scenarios/scn/short/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
full=0 scenario="" policy=spatiotemporal seed=1 out="" setup=1
extra=() firmware=dacapo_cl
while [ $# -gt 0 ]; do
  case "$1" in
    --firmware) firmware=$2; shift ;;
    --full) full=1 ;;
    --scenario) scenario=$2; shift ;;
    --policy) policy=$2; shift ;;
    --seed) seed=$2; shift ;;
    --out) out=$2; shift ;;
    --no-setup) setup=0 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) extra+=("$1") ;;  # a dacapo-vp option (its value follows as another word)
  esac
  shift
done
if [ -z "$scenario" ]; then
  if [ $full = 1 ]; then scenario=$root/scenarios/scn/S1.scn; else scenario=$root/scenarios/scn/short/S1.scn; fi
fi
name=$(basename "$scenario" .scn)
[ $full = 1 ] || [[ "$scenario" != */short/* ]] || name=${name}_short

[ $setup = 0 ] || "$root/scripts/setup.sh"
"$root/scripts/build.sh" release
if [ "$firmware" != dacapo_cl ]; then
  exec "$root/build/release/platform/dacapo-vp" --firmware "$firmware" --outdir "${out:-$root/build/run}" "${extra[@]}"
fi
"$root/scripts/pretrain.sh" "$root/build/release" >/dev/null
out=${out:-$root/out/${name}_${policy}_seed${seed}}

args=(--firmware dacapo_cl --seed "$seed" --outdir "$out" --quiet
      --set "soc.camera.source.scenario=$scenario" --set "firmware.dacapo_cl.policy=$policy")
[[ "$scenario" != */short/* ]] || args+=(--config "$root/scenarios/scn/short/cl_short.ini")
start=$(date +%s.%N)
status=0
"$root/build/release/platform/dacapo-vp" "${args[@]}" "${extra[@]}" || status=$?
wall=$(echo "$(date +%s.%N) - $start" | bc)
if [ -f "$out/accuracy.csv" ] && /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  warmup=$(sed -n 's/^warmup_s = //p' "$out/summary.txt")
  /usr/bin/python3 "$root/scripts/plot_cl.py" "$out" --out "$out/plot" --warmup "${warmup:-480}" >/dev/null &&
    plots="$out/plot_accuracy.png $out/plot_phases.png"
  /usr/bin/python3 "$root/scripts/plot_power.py" "$out" --out "$out/plot_power.png" --csv "$out/energy.csv" \
    >"$out/energy.txt" && plots="${plots:-} $out/plot_power.png"
fi
echo "== dacapo_cl: $policy on $scenario (seed $seed), exit $status, wall ${wall%.*} s"
if [ -f "$out/summary.txt" ]; then
  grep -E '^(bsa_rows|tsa_rows|accuracy_mean|accuracy_geomean|scored_windows|frames_dropped|drift_hits|drift_misses|drift_false_alarms) =' \
    "$out/summary.txt" | sed 's/ = /: /; s/^/   /'
fi
[ ! -s "$out/energy.txt" ] || grep -v '^  plot:' "$out/energy.txt" | sed 's/^/   /'
echo "   outputs: $out ${plots:+(plots: $plots)}"
exit $status
