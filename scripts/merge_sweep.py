#!/usr/bin/env python3
"""Merges the run directories of a sweep (scripts/sweep.sh) into one CSV on stdout, one row per run, and prints a
per-policy table of geometric-mean accuracy (mean over the runs of each scenario) on stderr.

usage: merge_sweep.py SWEEP_DIR
"""
import csv
import math
import os
import re
import sys

FIELDS = ["scenario", "policy", "seed", "complete", "bsa_rows", "tsa_rows", "accuracy_mean", "accuracy_geomean",
          "scored_windows", "frames", "frames_dropped", "drift_hits", "drift_misses", "drift_false_alarms", "lr",
          "wall_s", "cpu_s"]


def read_summary(path):
    values = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep:
                sys.exit("%s:%d: expected 'key = value'" % (path, n))
            values[key.strip()] = value.strip()
    return values


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    top = sys.argv[1]
    rows = []
    for name in sorted(os.listdir(top)):
        m = re.fullmatch(r"(.+)_([a-z]+)_seed(\d+)", name)
        summary = os.path.join(top, name, "summary.txt")
        if not m or not os.path.isfile(summary):
            continue
        s = read_summary(summary)
        row = {k: s.get(k, "") for k in FIELDS}
        row.update(scenario=m.group(1), policy=m.group(2), seed=m.group(3))
        wall = os.path.join(top, name, "wall_s")
        if os.path.isfile(wall):
            row["wall_s"] = "%.1f" % float(open(wall).read().strip() or "nan")
        cpu = os.path.join(top, name, "cpu_s")
        if os.path.isfile(cpu):
            row["cpu_s"] = "%.1f" % float(open(cpu).read().strip() or "nan")
        rows.append(row)
    out = csv.DictWriter(sys.stdout, FIELDS, lineterminator="\n")
    out.writeheader()
    out.writerows(rows)

    table = {}
    for r in rows:
        if r["complete"] == "true" and r["accuracy_geomean"]:
            table.setdefault(r["policy"], {}).setdefault(r["scenario"], []).append(float(r["accuracy_geomean"]))
    scenarios = sorted({s for p in table.values() for s in p})
    print("geomean accuracy (%%), mean over seeds\n%-15s %s" % ("policy", " ".join("%7s" % s for s in scenarios)),
          file=sys.stderr)
    for p in sorted(table):
        cells = []
        for s in scenarios:
            v = table[p].get(s)
            cells.append("%7.2f" % (sum(v) / len(v)) if v else "%7s" % "-")
        print("%-15s %s" % (p, " ".join(cells)), file=sys.stderr)


if __name__ == "__main__":
    main()
