#!/usr/bin/python3
"""Integration checks of the profiler firmware (dacapo-vp --firmware profile); one CTest case per invocation.

usage: check_profile.py CASE DACAPO_VP WORKDIR TOPOLOGY_DIR

The expected latencies are computed here, independently of the C++ model, from the tile formula of DESIGN.md §2
and the SCALE-Sim topology file."""
import csv
import math
import os
import re
import shutil
import subprocess
import sys

case, vp, work, topo = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
# "quick" (the sanitizer build): three small GEMMs instead of eleven; the checks are the same.
quick = len(sys.argv) > 5 and sys.argv[5] == "quick"
work = os.path.join(work, case)
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)

CYCLES_PER_BLOCK = {"MX4": 1, "MX6": 4, "MX9": 16}
CLOCK_HZ = 500e6
# A ResNet-18 subset keeps the runs short (also under ASan): the stages after the first (M <= 784) and the classifier.
SUBSET_DIR = os.path.join(work, "topologies")
os.makedirs(SUBSET_DIR)
with open(os.path.join(topo, "resnet18_gemm.csv")) as f_in:
    _lines = f_in.read().splitlines()
with open(os.path.join(SUBSET_DIR, "r18sub_gemm.csv"), "w") as f_out:
    _keep = ("layer3.0.downsample", "layer4.0.downsample", "fc") if quick else ("layer3", "layer4", "fc")
    f_out.write("\n".join([_lines[0]] + [l for l in _lines[1:] if l.split(",")[0].startswith(_keep)]) + "\n")
topo = SUBSET_DIR
SMALL = ["--set", "soc.acc.fidelity=timing_only", "--set", "firmware.profile.model=r18sub",
         "--set", "firmware.profile.topologies=" + SUBSET_DIR,
         "--set", "firmware.profile.kernels=infer", "--set", "firmware.profile.precisions=MX6",
         "--set", "firmware.profile.infer_batches=1"]


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def run(args, expect_exit=0, outdir="out"):
    cmd = [vp, "--quiet", "--firmware", "profile", "--outdir", os.path.join(work, outdir)] + args
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if p.returncode != expect_exit:
        fail(f"{' '.join(cmd)}: exit {p.returncode}, expected {expect_exit}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def table(outdir, name="profile.csv"):
    path = os.path.join(work, outdir, name)
    if not os.path.isfile(path):
        fail(f"missing output {name}")
    with open(path) as f:
        lines = f.read().splitlines()
    if lines[0] != "model,kernel,precision,rows,batch,seconds":
        fail(f"{name}: header is '{lines[0]}'")
    out = {}
    for row in csv.DictReader(lines):
        out[(row["model"], row["kernel"], row["precision"], int(row["rows"]), int(row["batch"]))] = float(row["seconds"])
    return out


def gemms(model, batch):
    with open(os.path.join(topo, model + "_gemm.csv")) as f:
        rows = list(csv.reader(f))[1:]
    return [(int(r[1]) * batch, int(r[2]), int(r[3])) for r in rows if r and r[0]]


def tile_formula_cycles(m, n, k, rows, precision, queue_stalls=True):
    """Output-stationary: M on 16 columns, N on `rows` rows; per tile ceil(K/16)*c + skew (+ operand-queue term)."""
    c = CYCLES_PER_BLOCK[precision]
    kb = math.ceil(k / 16)
    total = 0
    for n0 in range(0, n, rows):
        rr = min(rows, n - n0)
        full_cols, rest = divmod(m, 16)
        for cc, count in ((16, full_cols), (rest, 1 if rest else 0)):
            if count == 0:
                continue
            skew = (rr - 1) + (cc - 1)
            t = kb * c + skew
            if queue_stalls and c > 1:
                t0 = (16 * c) // (c - 1)
                t += (c - 1) * min(max(0, kb - t0), max(0, skew - t0))
            total += t * count
    return total


def expected_seconds(model, precision, rows, batch):
    return sum(tile_formula_cycles(m, n, k, rows, precision) for m, n, k in gemms(model, batch)) / CLOCK_HZ


if case == "ideal_memory_matches_tile_formula":
    rows = [1, 2, 3, 8, 15, 16]
    # A camera rate between the formula's 2- and 3-row latencies: the B-SA row answer must be 3.
    fps = 2 / (expected_seconds("r18sub", "MX6", 2, 1) + expected_seconds("r18sub", "MX6", 3, 1))
    run(SMALL + ["--set", "soc.acc.ideal_memory=true", "--set", "firmware.profile.shared=false",
                 "--set", f"firmware.profile.fps={fps:.6f}",
                 "--set", "firmware.profile.rows=" + ",".join(map(str, rows))])
    t = table("out")
    if len(t) != len(rows):
        fail(f"expected {len(rows)} rows, got {t}")
    for r in rows:
        got = t[("r18sub", "infer", "MX6", r, 1)]
        want = expected_seconds("r18sub", "MX6", r, 1)
        # What the formula leaves out: descriptor fetch/write-back and interrupt handling between the jobs, and
        # the host CPU's quantum (its clock may run up to a quantum ahead of the accelerator at the first submit).
        print(f"rows {r}: measured {got * 1e3:.4f} ms, tile formula {want * 1e3:.4f} ms, ratio {got / want:.6f}")
        lo, hi = want * (1 - 1e-4), want * 1.01
        if not (lo <= got <= hi):
            fail(f"rows {r}: {got} s is not within [formula - 0.01 %, formula + 1 %] = [{lo}, {hi}]")
    with open(os.path.join(work, "out", "profile_bsa_rows.csv")) as f:
        bsa = f.read().splitlines()
    if bsa[0] != "model,fps,table,bsa_rows" or len(bsa) != 2 or not bsa[1].startswith("r18sub,") \
            or not bsa[1].endswith(",alone,3"):
        fail(f"profile_bsa_rows.csv at {fps:.3f} fps: {bsa}, expected 3 rows (alone)")
elif case == "dram_stalls_and_rows":
    rows = [8, 15]
    run(SMALL + ["--set", "firmware.profile.rows=" + ",".join(map(str, rows))])
    alone, shared = table("out"), table("out", "profile_shared.csv")
    prev = None
    for r in rows:
        key = ("r18sub", "infer", "MX6", r, 1)
        want = expected_seconds("r18sub", "MX6", r, 1)
        print(f"rows {r}: alone {alone[key] * 1e3:.4f} ms, shared {shared[key] * 1e3:.4f} ms, "
              f"tile formula {want * 1e3:.4f} ms")
        # Memory stalls only add time; the stall share stays bounded (DRAM and SRAM refetch, not a constant).
        if not (want <= alone[key] <= want * 3):
            fail(f"rows {r}: alone {alone[key]} s outside [formula, 3 x formula] = [{want}, {3 * want}]")
        if shared[key] < alone[key] * 0.999:
            fail(f"rows {r}: with the other SA busy ({shared[key]} s) faster than alone ({alone[key]} s)")
        if prev is not None and not alone[key] < prev:
            fail(f"rows {r}: {alone[key]} s does not decrease from {prev} s")
        prev = alone[key]
    # Labeling and validation run on the T-SA: the same kernel there, alone, takes what it takes on the B-SA
    # (the sub-arrays are identical; the operands sit at the same addresses).
    run(SMALL + ["--set", "firmware.profile.rows=8", "--set", "firmware.profile.infer_sa=top",
                 "--set", "firmware.profile.shared=false"], outdir="top")
    top = table("top")[("r18sub", "infer", "MX6", 8, 1)]
    bottom = alone[("r18sub", "infer", "MX6", 8, 1)]
    print(f"rows 8 on the T-SA: {top * 1e3:.4f} ms (B-SA {bottom * 1e3:.4f} ms)")
    if abs(top / bottom - 1) > 1e-3:
        fail(f"infer on the T-SA ({top} s) differs from the B-SA ({bottom} s)")
elif case == "bad_topology":
    bad_dir = SUBSET_DIR
    files = {
        "header": ("Layer,M,N,K,\nconv1,1,2,3,\n", r"header_gemm\.csv:1: expected header"),
        "column": ("Layer name,M,N,K,\nconv1,12544,64,147,\nfc,1,x,512,\n", r"column_gemm\.csv:3: column 'N'"),
        "count": ("Layer name,M,N,K,\nconv1,12544,64,\n", r"count_gemm\.csv:2: expected 4 columns"),
        "dup": ("Layer name,M,N,K,\na,1,1,1,\na,2,2,2,\n", r"dup_gemm\.csv:3: column 'Layer name': duplicate"),
        "zero": ("Layer name,M,N,K,\na,0,1,1,\n", r"zero_gemm\.csv:2: column 'M'"),
    }
    for name, (text, pattern) in files.items():
        with open(os.path.join(bad_dir, name + "_gemm.csv"), "w") as f:
            f.write(text)
        p = run(["--set", "firmware.profile.topologies=" + bad_dir, "--set", "firmware.profile.model=" + name],
                expect_exit=2, outdir="bad_" + name)
        if not re.search(pattern, p.stderr):
            fail(f"{name}: stderr does not match /{pattern}/:\n{p.stderr}")
    p = run(["--set", "firmware.profile.model=nosuchnet"], expect_exit=2, outdir="bad_missing")
    if "nosuchnet_gemm.csv" not in p.stderr:
        fail("missing topology file not named:\n" + p.stderr)
    # Bad firmware keys are reported by the firmware (exit 3) with the key's name.
    p = run(SMALL + ["--set", "firmware.profile.rows=0-3"], expect_exit=3, outdir="bad_rows")
    if "firmware.profile.rows" not in p.stderr:
        fail("bad rows key not named:\n" + p.stderr)
else:
    fail("unknown case " + case)
print("PASS", case)
