#!/usr/bin/python3
"""Energy and power per kernel of a continuous-learning run of dacapo-vp (firmware dacapo_cl).

    scripts/plot_power.py RUN_DIR [--out FILE.png] [--bin SECONDS] [--csv FILE]

Reads RUN_DIR/jobs.csv (one row per accelerator job, with its energy), phases.csv and summary.txt (the T-SA
phases of the firmware, stream time), stats.json (run totals) and config.ini (clock, DRAM command energies), and
  * prints, per kernel, the jobs, accelerator energy (J), busy time (s), power while busy (W), the kernel's share
    of the run's average power (W), and an estimate of the DRAM energy its traffic caused (J);
  * writes FILE.png (default RUN_DIR/plot_power.png): average accelerator power per kernel over stream time,
    stacked, in bins of --bin seconds (default: about 200 bins), plus the leakage not attributed to any job.

Kernels (docs/accelerator.md#energy): every B-SA job is `inference`; a T-SA job belongs to the phase of
phases.csv in which it starts: retrain phases hold `retrain` (jobs at the training precision, MX9) and `validate`
(at the evaluation precision, MX6) jobs, label/first_fill/extra_label phases `label`, Ekya's profile phases
`profile`; jobs before the stream started are the boot profile (`boot`). A job's energy is what jobs.csv says:
dynamic energy of its actions plus the leakage of its rows and SRAM half while it runs.
DRAM (estimate): the run's RD/WR/ACT command energy (stats.json counts x config.ini energies) split by each
kernel's share of the DRAM read / write / all bytes; refresh and background energy stay per run.
Uses /usr/bin/python3 (matplotlib).
"""
import argparse
import bisect
import csv
import json
import os
import sys

KERNELS = ["inference", "label", "retrain", "validate", "profile", "boot", "other"]


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def read_keyvals(path):
    """'key = value  # comment' lines (config.ini, summary.txt)."""
    out = {}
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if "=" in line:
                key, _, value = line.partition("=")
                out[key.strip()] = value.strip()
    return out


def stat(stats, path, name, default=0.0):
    try:
        return float(stats[path][name]["value"])
    except KeyError:
        return default


def classify(jobs, phases, clock_hz, stream_start_s, train_precision):
    """Adds 'kernel', 't0', 't1' (stream seconds) to every job."""
    spans = sorted((float(p["start_s"]), float(p["end_s"]), p) for p in phases)
    starts = [s[0] for s in spans]
    for j in jobs:
        j["t0"] = int(j["start_cycle"]) / clock_hz - stream_start_s
        end = int(j["end_cycle"])
        j["t1"] = (end / clock_hz - stream_start_s) if end else j["t0"]  # end 0: interrupted, not completed
        if j["t0"] < 0:
            j["kernel"] = "boot"
            continue
        if j["sa"] == "B-SA":
            j["kernel"] = "inference"
            continue
        i = bisect.bisect_right(starts, j["t0"]) - 1
        kind = spans[i][2]["kernel"] if i >= 0 and j["t0"] < spans[i][1] + 1e-9 else None
        if kind == "retrain":
            j["kernel"] = "retrain" if j["precision"] == train_precision else "validate"
        elif kind in ("label", "profile"):
            j["kernel"] = kind
        else:
            j["kernel"] = "other"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", help="run directory of dacapo-vp --firmware dacapo_cl")
    ap.add_argument("--out", help="PNG to write (default RUN/plot_power.png); 'none' = no plot")
    ap.add_argument("--bin", type=float, help="bin width in seconds (default: stream length / 200)")
    ap.add_argument("--csv", help="also write the per-kernel table as CSV")
    args = ap.parse_args()
    run = args.run

    for f in ("jobs.csv", "phases.csv", "stats.json", "config.ini"):
        if not os.path.exists(os.path.join(run, f)):
            sys.exit(f"plot_power.py: {os.path.join(run, f)} missing (a dacapo_cl run directory is needed)")
    jobs = read_csv(os.path.join(run, "jobs.csv"))
    if jobs and "energy_pj" not in jobs[0]:
        sys.exit("plot_power.py: jobs.csv has no energy columns (run made by an older dacapo-vp)")
    phases = read_csv(os.path.join(run, "phases.csv"))
    with open(os.path.join(run, "stats.json")) as f:
        stats = json.load(f)
    config = read_keyvals(os.path.join(run, "config.ini"))
    summary = read_keyvals(os.path.join(run, "summary.txt"))
    clock_hz = float(config.get("soc.acc.clock_mhz", "500")) * 1e6
    if "stream_start_s" not in summary:
        sys.exit("plot_power.py: summary.txt has no stream_start_s (run made by an older dacapo_cl)")
    stream_start = float(summary["stream_start_s"])
    train_precision = config.get("firmware.dacapo_cl.kernels.train_precision", "MX9")
    classify(jobs, phases, clock_hz, stream_start, train_precision)

    # Stream length: the end of the last phase or job.
    stream_end = max([float(p["end_s"]) for p in phases] + [j["t1"] for j in jobs] + [1e-9])

    # DRAM: command energy of the run, split by byte shares.
    e = {k: float(config.get("soc.dram." + k, "0")) for k in ("e_rd_pj", "e_wr_pj", "e_act_pj")}
    dram_rd_pj = stat(stats, "soc.dram", "commands_RD") * e["e_rd_pj"]
    dram_wr_pj = stat(stats, "soc.dram", "commands_WR") * e["e_wr_pj"]
    dram_act_pj = stat(stats, "soc.dram", "commands_ACT") * e["e_act_pj"]
    dram_rd_bytes = stat(stats, "soc.dram", "read_bytes")
    dram_wr_bytes = stat(stats, "soc.dram", "write_bytes")

    table = {k: {"jobs": 0, "pj": 0.0, "busy": 0.0, "rd": 0, "wr": 0} for k in KERNELS}
    for j in jobs:
        t = table[j["kernel"]]
        t["jobs"] += 1
        t["pj"] += float(j["energy_pj"])
        t["busy"] += j["t1"] - j["t0"]
        t["rd"] += int(j["dram_read_bytes"])
        t["wr"] += int(j["dram_write_bytes"])
    # Busy time of a kernel on one SA never overlaps (one job at a time per SA), so the sum is its busy time.
    acc_total_pj = stat(stats, "soc.acc.energy", "total_pj")
    sim_s = stat(stats, "soc.acc.energy", "simulated_s")
    attributed_pj = sum(t["pj"] for t in table.values())
    unattributed_pj = acc_total_pj - attributed_pj  # leakage while no job ran (idle rows and SRAM, between jobs)

    def dram_share(t):
        s = 0.0
        if dram_rd_bytes > 0:
            s += dram_rd_pj * t["rd"] / dram_rd_bytes
        if dram_wr_bytes > 0:
            s += dram_wr_pj * t["wr"] / dram_wr_bytes
        if dram_rd_bytes + dram_wr_bytes > 0:
            s += dram_act_pj * (t["rd"] + t["wr"]) / (dram_rd_bytes + dram_wr_bytes)
        return s

    rows = []
    print(f"energy per kernel (accelerator; stream {stream_end:.3f} s, run {sim_s:.3f} s simulated):")
    print(f"  {'kernel':<10} {'jobs':>7} {'energy_J':>12} {'busy_s':>10} {'busy_W':>9} {'avg_W':>11} {'dram_est_J':>11}")
    for k in KERNELS:
        t = table[k]
        if t["jobs"] == 0:
            continue
        joules = t["pj"] * 1e-12
        busy_w = joules / t["busy"] if t["busy"] > 0 else 0.0
        avg_w = joules / sim_s if sim_s > 0 else 0.0
        dram_j = dram_share(t) * 1e-12
        rows.append((k, t["jobs"], joules, t["busy"], busy_w, avg_w, dram_j))
        print(f"  {k:<10} {t['jobs']:>7} {joules:>12.4e} {t['busy']:>10.4f} {busy_w:>9.4f} {avg_w:>11.4e} {dram_j:>11.4e}")
    idle_j = unattributed_pj * 1e-12
    print(f"  {'idle leak':<10} {'':>7} {idle_j:>12.4e} {'':>10} {'':>9} {idle_j / sim_s if sim_s else 0:>11.4e}")
    print(f"  accelerator total {acc_total_pj * 1e-12:.4e} J, average {stat(stats, 'soc.acc.energy', 'total_mw'):.3f} mW;"
          f" DRAM total {stat(stats, 'soc.dram', 'energy_pj') * 1e-12:.4e} J"
          f" (average {stat(stats, 'soc.dram', 'average_power_mw'):.1f} mW, incl. refresh + background)")
    if args.csv:
        with open(args.csv + ".tmp", "w", newline="") as f:  # complete or absent
            w = csv.writer(f)
            w.writerow(["kernel", "jobs", "energy_j", "busy_s", "busy_power_w", "average_power_w", "dram_estimate_j"])
            for r in rows:
                w.writerow([r[0], r[1]] + [f"{x:.6e}" for x in r[2:]])
        os.replace(args.csv + ".tmp", args.csv)

    if args.out == "none":
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    width = args.bin or max(stream_end / 200.0, 1e-3)
    nbins = max(1, int(stream_end / width + 0.999999))
    power = {k: [0.0] * nbins for k in KERNELS}
    for j in jobs:
        t0, t1 = max(j["t0"], 0.0), j["t1"]
        if t1 <= t0 or t0 >= nbins * width:
            continue
        rate = float(j["energy_pj"]) * 1e-12 / (j["t1"] - j["t0"])  # W while the job runs
        b = int(t0 / width)
        while b < nbins and b * width < t1:
            overlap = min(t1, (b + 1) * width) - max(t0, b * width)
            power[j["kernel"]][b] += rate * overlap / width
            b += 1
    idle_w = unattributed_pj * 1e-12 / sim_s if sim_s > 0 else 0.0
    edges = [b * width for b in range(nbins + 1)]
    colors = {k: c for k, c in zip(KERNELS, plt.rcParams["axes.prop_cycle"].by_key()["color"])}
    fig, (ax, bars) = plt.subplots(1, 2, figsize=(13, 4.5), gridspec_kw={"width_ratios": [3, 1]})
    # T-SA phases in the background (the kernels' power is tiny next to leakage for compact models: log scale).
    shade = {"retrain": colors["retrain"], "label": colors["label"], "profile": colors["profile"]}
    for p in phases:
        if p["kernel"] in shade:
            ax.axvspan(float(p["start_s"]), float(p["end_s"]), color=shade[p["kernel"]], alpha=0.08, linewidth=0)
    shown = [k for k in KERNELS if k != "boot" and any(power[k])]
    floor = None
    for k in shown:
        ys = [v if v > 0 else float("nan") for v in power[k]]
        ax.stairs(power[k], edges, label=k, color=colors[k], linewidth=1.2)
        low = min((v for v in ys if v == v), default=None)
        floor = low if floor is None or (low is not None and low < floor) else floor
    ax.axhline(idle_w, color="grey", linestyle=":", linewidth=1.2,
               label=f"leakage outside jobs (run mean) {idle_w * 1e3:.1f} mW")
    ax.set_yscale("log")
    if floor:
        ax.set_ylim(bottom=floor / 3)
    ax.set_xlabel("stream time (s); shaded: T-SA retrain / label phases")
    ax.set_ylabel(f"average power (W) in {width:.3g} s bins")
    ax.set_title(f"{summary.get('policy', os.path.basename(os.path.normpath(run)))}: accelerator power per kernel "
                 "(DRAM excluded)", fontsize=10)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_xlim(0, nbins * width)
    # Power while each kernel runs, with its energy.
    names = [r[0] for r in rows if r[0] != "boot"]
    busy_w = [r[4] for r in rows if r[0] != "boot"]
    energy_mj = [r[2] * 1e3 for r in rows if r[0] != "boot"]
    bars.bar(names, busy_w, color=[colors[k] for k in names])
    for i, (w, e) in enumerate(zip(busy_w, energy_mj)):
        bars.text(i, w, f"{e:.3g} mJ", ha="center", va="bottom", fontsize=8)
    bars.set_ylabel("power while running (W)")
    bars.set_title("per kernel: power while busy, energy", fontsize=10)
    bars.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    out = args.out or os.path.join(run, "plot_power.png")
    fig.savefig(out + ".tmp", dpi=120, format="png")
    os.replace(out + ".tmp", out)
    print(f"  plot: {out}")


if __name__ == "__main__":
    main()
