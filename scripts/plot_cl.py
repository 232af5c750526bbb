#!/usr/bin/python3
"""Plots of continuous-learning runs (cl-sim or dacapo-vp output directories).

    scripts/plot_cl.py RUN_DIR [RUN_DIR ...] [--out PREFIX]

Reads accuracy.csv, phases.csv, drifts.csv and summary.txt of each run (docs/continuous-learning.md) and writes
  PREFIX_accuracy.png  per-window accuracy of every run, true drift boundaries (dashed) and the first run's
                       drift detections (ticks), warm-up shaded
  PREFIX_phases.png    T-SA phase Gantt chart of the first run
PREFIX defaults to RUN_DIR/cl of the first run. Uses /usr/bin/python3 (matplotlib).
"""
import argparse
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def policy_name(run_dir):
    """The run's policy, with the paper pair it was paced as (summary.txt's `pacing`), if any."""
    path = os.path.join(run_dir, "summary.txt")
    summary = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                key, _, value = line.partition("=")
                summary[key.strip()] = value.strip()
    if "policy" not in summary:
        return os.path.basename(os.path.normpath(run_dir))
    pacing = summary.get("pacing", "off")
    return summary["policy"] + ("" if pacing == "off" else " (paced as " + pacing + ")")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", help="run directories")
    ap.add_argument("--out", help="output file prefix (default: <first run>/cl)")
    ap.add_argument("--warmup", type=float, default=480.0, help="warm-up seconds to shade (default 480)")
    args = ap.parse_args()
    prefix = args.out or os.path.join(args.runs[0], "cl")

    fig, ax = plt.subplots(figsize=(10, 4))
    for run in args.runs:
        rows = read_csv(os.path.join(run, "accuracy.csv"))
        mids = [(float(r["start_s"]) + float(r["end_s"])) / 2 / 60 for r in rows if r["accuracy"]]
        acc = [float(r["accuracy"]) for r in rows if r["accuracy"]]
        ax.plot(mids, acc, marker="o", label=policy_name(run))
    first_drifts = os.path.join(args.runs[0], "drifts.csv")
    if os.path.exists(first_drifts):
        drifts = read_csv(first_drifts)
        for d in drifts:
            if d["boundary_s"]:
                ax.axvline(float(d["boundary_s"]) / 60, color="grey", linestyle="--", linewidth=1)
        detections = [float(d["detection_s"]) / 60 for d in drifts if d["detection_s"]]
        if detections:
            ax.plot(detections, [1.5] * len(detections), "|", color="red", markersize=12,
                    label="detections (" + policy_name(args.runs[0]) + ")")
    ax.axvspan(0, args.warmup / 60, color="lightgrey", alpha=0.4, label="warm-up")
    ax.set_xlabel("time (min)")
    ax.set_ylabel("accuracy per window (%)")
    ax.set_ylim(0, 100)
    ax.legend(loc="lower left", fontsize="small")
    fig.tight_layout()
    fig.savefig(prefix + "_accuracy.png", dpi=120)
    plt.close(fig)

    phases = read_csv(os.path.join(args.runs[0], "phases.csv"))
    colours = {"retrain": "tab:blue", "label": "tab:orange", "profile": "tab:purple", "idle": "lightgrey"}
    kernels = ["retrain", "label", "profile", "idle"]
    fig, ax = plt.subplots(figsize=(10, 2.5))
    for i, kernel in enumerate(kernels):
        spans = [(float(p["start_s"]) / 60, (float(p["end_s"]) - float(p["start_s"])) / 60)
                 for p in phases if p["kernel"] == kernel]
        if spans:
            ax.broken_barh(spans, (i - 0.4, 0.8), color=colours[kernel])
    drift_times = [float(p["end_s"]) / 60 for p in phases if p["drift"] == "1"]
    ax.plot(drift_times, [-0.8] * len(drift_times), "^", color="red", markersize=5)
    ax.set_yticks(range(len(kernels)))
    ax.set_yticklabels(kernels)
    ax.set_ylim(-1.2, len(kernels) - 0.5)
    ax.set_xlabel("time (min)")
    ax.set_title("T-SA phases: " + policy_name(args.runs[0]) + " (triangles: drift rule fired)", fontsize="medium")
    fig.tight_layout()
    fig.savefig(prefix + "_phases.png", dpi=120)
    plt.close(fig)
    print(prefix + "_accuracy.png")
    print(prefix + "_phases.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
