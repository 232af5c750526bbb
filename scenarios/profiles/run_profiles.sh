#!/bin/bash
# Regenerates the paper-pair latency tables in scenarios/profiles/ (timing-only; docs/profiling.md).
#
# usage: scenarios/profiles/run_profiles.sh DACAPO_VP WORKDIR [PAIR...]
#   PAIR = resnet18:wide_resnet50_2 | resnet34:wide_resnet101_2 | vit_b_32:vit_b_16 (default: all three)
#
# Per pair: the student's B-SA inference (MX6, batch 1, rows 1-15) gives the B-SA row count at 30 fps (from the
# table with the T-SA busy); at the remaining T-SA rows the student's training step (MX9, batch 16) and validation
# batch (MX6, batch 16) and the teacher's labeling (MX6, batch 1) are measured on the T-SA with the student's
# inference on the B-SA. Every point alone and shared (other SA busy). Results: <student>_<teacher>.csv (shared,
# what the pacing option reads), <student>_<teacher>_alone.csv, <student>_bsa_rows.csv; wall times appended to
# walltimes.txt. Runs are niced: the machine is shared.
set -euo pipefail
vp=$1 work=$2
shift 2
pairs=("$@")
[ ${#pairs[@]} -eq 0 ] && pairs=(resnet18:wide_resnet50_2 resnet34:wide_resnet101_2 vit_b_32:vit_b_16)
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"

run() {  # name, --set args...
  local name=$1; shift
  local args=()
  for kv in "$@"; do args+=(--set "$kv"); done
  local s
  s=$(date +%s.%N)
  nice -n 10 "$vp" --quiet --firmware profile --outdir "$work/$name" --set soc.acc.fidelity=timing_only "${args[@]}" \
      > "$work/$name.log" 2>&1
  echo "$name: $(echo "$(date +%s.%N) - $s" | bc | xargs printf '%.0f') s wall" | tee -a "$here/walltimes.txt"
}

merge() {  # output file, input tables...
  local out=$1; shift
  { echo "model,kernel,precision,rows,batch,seconds"; for f in "$@"; do tail -n +2 "$f"; done; } > "$out"
}

for pair in "${pairs[@]}"; do
  s=${pair%%:*} t=${pair##*:}
  run "${s}_bsa" firmware.profile.model="$s" firmware.profile.kernels=infer firmware.profile.precisions=MX6 \
      firmware.profile.infer_batches=1 firmware.profile.rows=1-15
  cp "$work/${s}_bsa/profile_bsa_rows.csv" "$here/${s}_bsa_rows.csv"
  bsa=$(awk -F, '$3 == "shared" {print $4}' "$here/${s}_bsa_rows.csv")
  [ "$bsa" = none ] && { echo "no B-SA row count keeps up for $s" >&2; exit 1; }
  tsa=$((16 - bsa))
  run "${s}_train$tsa" firmware.profile.model="$s" firmware.profile.kernels=train firmware.profile.precisions=MX9 \
      firmware.profile.rows=$tsa
  run "${s}_valid$tsa" firmware.profile.model="$s" firmware.profile.kernels=infer firmware.profile.infer_sa=top \
      firmware.profile.precisions=MX6 firmware.profile.infer_batches=16 firmware.profile.rows=$tsa
  run "${t}_label$tsa" firmware.profile.model="$t" firmware.profile.background_model="$s" \
      firmware.profile.kernels=infer firmware.profile.infer_sa=top firmware.profile.precisions=MX6 \
      firmware.profile.infer_batches=1 firmware.profile.rows=$tsa
  for tab in profile_shared profile; do
    out="$here/${s}_${t}.csv"
    [ $tab = profile ] && out="$here/${s}_${t}_alone.csv"
    merge "$out" "$work/${s}_bsa/$tab.csv" "$work/${s}_train$tsa/$tab.csv" "$work/${s}_valid$tsa/$tab.csv" \
        "$work/${t}_label$tsa/$tab.csv"
  done
done
