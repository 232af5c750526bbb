#!/usr/bin/python3
"""Integration checks of the dacapo-vp binary (one CTest case = one invocation of this script).

usage: check_run.py CASE DACAPO_VP WORKDIR

Every case boots the board, runs a firmware image and checks exit code, console and outputs against
independent expectations (not against captured outputs)."""
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from vcd_reader import VcdError, read_vcd  # noqa: E402

case, vp, work = sys.argv[1], sys.argv[2], sys.argv[3]
work = os.path.join(work, case)
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def run(args, expect_exit=0, outdir="out"):
    cmd = [vp, "--quiet", "--outdir", os.path.join(work, outdir)] + args
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != expect_exit:
        fail(f"{' '.join(cmd)}: exit {p.returncode}, expected {expect_exit}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def outputs(outdir="out"):
    d = os.path.join(work, outdir)
    for f in ["config.ini", "stats.json", "stats.txt", "jobs.csv", "console.txt", "host.json"]:
        if not os.path.isfile(os.path.join(d, f)):
            fail(f"missing output {f}")
    leftovers = [f for f in os.listdir(d) if f.endswith(".tmp")]
    if leftovers:
        fail(f"temporary files left behind: {leftovers}")
    stats = json.load(open(os.path.join(d, "stats.json")))
    jobs = list(csv.DictReader(open(os.path.join(d, "jobs.csv"))))
    console = open(os.path.join(d, "console.txt")).read()
    host = json.load(open(os.path.join(d, "host.json")))
    return stats, jobs, console, host


def stat(stats, path, name):
    try:
        return stats[path][name]["value"]
    except KeyError:
        fail(f"stat {path}.{name} missing")


def check_stats_agree_with_jobs(stats, jobs):
    """MACs, job counts and DRAM bytes per SA in stats.json equal the sums over jobs.csv; MACs = M*N*K."""
    for sa, path in (("T-SA", "soc.acc.t_sa"), ("B-SA", "soc.acc.b_sa")):
        # Completed jobs (an interrupted run may end with one job per SA in flight: end_cycle 0).
        ok = [j for j in jobs if j["sa"] == sa and j["error"] == "0" and j["end_cycle"] != "0"]
        for j in ok:
            if int(j["macs"]) != int(j["m"]) * int(j["n"]) * int(j["k"]):
                fail(f"jobs.csv MACs != M*N*K: {j}")
            if int(j["end_cycle"]) < int(j["start_cycle"]):
                fail(f"job ends before it starts: {j}")
        for prec in ("MX4", "MX6", "MX9"):
            want = sum(int(j["macs"]) for j in ok if j["precision"] == prec)
            got = stat(stats, path, "macs_" + prec.lower())
            if got != want:
                fail(f"{path}.macs_{prec.lower()} = {got}, jobs.csv sums to {want}")
        if stat(stats, path, "jobs") != len(ok):
            fail(f"{path}.jobs = {stat(stats, path, 'jobs')}, jobs.csv has {len(ok)} completed")
        for col, name in (("dram_read_bytes", "dram_read_bytes"), ("dram_write_bytes", "dram_write_bytes")):
            want = sum(int(j[col]) for j in jobs if j["sa"] == sa)
            got = stat(stats, path, name)
            if got != want:
                fail(f"{path}.{name} = {got}, jobs.csv sums to {want}")
        # Energy: the SA's stat is the sum of its jobs' energy_pj (CSV values have 9 significant digits).
        want = sum(float(j["energy_pj"]) for j in jobs if j["sa"] == sa)
        got = stat(stats, path, "energy_pj")
        if abs(got - want) > 1e-6 * max(abs(want), 1.0):
            fail(f"{path}.energy_pj = {got}, jobs.csv sums to {want}")
    # The run's accelerator energy: the jobs' dynamic energy + leakage of everything over the whole run.
    jobs_pj = sum(float(j["energy_pj"]) for j in jobs)
    total_pj = stat(stats, "soc.acc.energy", "total_pj")
    if total_pj < jobs_pj * (1 - 1e-6) or total_pj <= 0 and jobs:
        fail(f"soc.acc.energy.total_pj = {total_pj} < sum of jobs {jobs_pj}")


def vcd_signals(path):
    """Parses a VCD (test/common/vcd_reader.py): returns ({full name: id}, [times]); fails on a malformed file."""
    try:
        v = read_vcd(path)
    except VcdError as e:
        fail(str(e))
    return v.names, v.times


SELFTEST_SMALL = ["--set", "firmware.gemm_selftest.max_m=24", "--set", "firmware.gemm_selftest.max_n=20",
                  "--set", "firmware.gemm_selftest.max_k=48"]

if case == "selftest_functional":
    vcd = os.path.join(work, "run.vcd")
    run(["--set", "firmware.gemm_selftest.partitions=3,8,13", "--vcd", vcd, "--set", "soc.dram.trace_out=dram.stl"]
        + SELFTEST_SMALL)
    stats, jobs, console, host = outputs()
    if "gemm_selftest: PASS" not in console:
        fail("no PASS in console:\n" + console)
    m = re.search(r"\((\d+) jobs ok, (\d+) checked bit-exact, (\d+) invalid", console)
    if not m or int(m.group(1)) != 3 * 3 * 2 * 3 or m.group(1) != m.group(2) or int(m.group(3)) != 3 * 3 * 2:
        fail("unexpected job counts in the summary")
    rows = {(j["sa"], j["rows"]) for j in jobs}
    for r in (3, 8, 13):
        if ("T-SA", str(r)) not in rows or ("B-SA", str(16 - r)) not in rows:
            fail(f"partition {r} missing from jobs.csv rows: {rows}")
    if {j["precision"] for j in jobs if j["sa"] == "T-SA"} != {"MX4", "MX6", "MX9"}:
        fail("T-SA did not run every precision")
    check_stats_agree_with_jobs(stats, jobs)
    if stat(stats, "soc.cpu", "firmware_exit_code") != 0:
        fail("firmware exit code")
    names, times = vcd_signals(vcd)
    for want in ["soc.cpu.phase", "soc.irq.acc", "soc.irq.camera", "soc.acc.sa_0.job_tag", "soc.acc.sa_1.job_precision",
                 "soc.dram.ch0.busy", "soc.dram.ch15.busy"]:
        if want not in names:
            fail(f"VCD lacks {want}; has {sorted(names)[:40]}")
    if not any(re.search(r"rows.*\d+.*(owner|busy)", n) for n in names):
        fail("VCD lacks per-row owner/busy signals")
    if not any("dma" in n and "busy" in n for n in names):
        fail("VCD lacks DMA busy")
    if len(times) < 100:
        fail("VCD has too few value changes")
    # GTKWave's own VCD reader must accept the file (vcd2fst ships with gtkwave).
    if shutil.which("vcd2fst"):
        fst = os.path.join(work, "run.fst")
        p = subprocess.run(["vcd2fst", vcd, fst], capture_output=True, text=True)
        if p.returncode != 0 or not os.path.isfile(fst) or os.path.getsize(fst) == 0:
            fail("vcd2fst (GTKWave) rejected the VCD:\n" + p.stdout + p.stderr)
    stl = os.path.join(work, "out", "dram.stl")
    lines = open(stl).read().splitlines()
    pat = re.compile(r"^\d+:\s*\(\d+\)\s*(read|write)\s+0x[0-9a-fA-F]+$")
    data = [l for l in lines if l.strip() and not l.startswith("#")]
    if not data or not all(pat.match(l) for l in data):
        fail("dram.stl is empty or malformed")
    if len(data) < stat(stats, "soc.dram", "requests"):
        fail("dram.stl has fewer requests than soc.dram.requests")

elif case == "selftest_timing_only":
    run(["--set", "soc.acc.fidelity=timing_only", "--set", "firmware.gemm_selftest.partitions=0,5,16"] + SELFTEST_SMALL)
    stats, jobs, console, host = outputs()
    if "gemm_selftest: PASS" not in console or "timing-only model" not in console:
        fail("timing-only self-test did not pass:\n" + console)
    # Partition 0: only the B-SA has rows; 16: only the T-SA.
    if not any(j["sa"] == "B-SA" and j["rows"] == "16" for j in jobs) or not any(
            j["sa"] == "T-SA" and j["rows"] == "16" for j in jobs):
        fail("partitions 0 and 16 did not give one SA all rows")
    check_stats_agree_with_jobs(stats, jobs)

elif case == "same_seed_identical":
    run(SELFTEST_SMALL + ["--seed", "7"], outdir="a")
    run(SELFTEST_SMALL + ["--seed", "7"], outdir="b")
    run(SELFTEST_SMALL + ["--seed", "8"], outdir="c")
    read = lambda d, f: open(os.path.join(work, d, f), "rb").read()
    for f in ("stats.json", "stats.txt", "jobs.csv", "console.txt", "config.ini"):
        if read("a", f) != read("b", f):
            fail(f"{f} differs between two runs with the same seed")
    if read("a", "jobs.csv") == read("c", "jobs.csv"):
        fail("a different seed gave the same jobs")

elif case == "vcd_window":
    full, part = os.path.join(work, "full.vcd"), os.path.join(work, "part.vcd")
    run(SELFTEST_SMALL + ["--vcd", full], outdir="a")
    run(SELFTEST_SMALL + ["--vcd", part, "--vcd-window", "0.5ms:1ms", "--trace", "cpu,irq"], outdir="b")
    names_full, times_full = vcd_signals(full)
    names, times = vcd_signals(part)
    if set(names) != {"soc.cpu.phase", "soc.cpu.drift_flag", "soc.cpu.running_accuracy", "soc.irq.acc", "soc.irq.camera"}:
        fail(f"--trace cpu,irq gave {sorted(names)}")
    if min(times) != 500_000_000 or max(times) > 1_000_000_000:
        fail(f"window times {min(times)}..{max(times)} ps outside 0.5..1 ms")
    if len(times) >= len(times_full):
        fail("the window did not drop anything")

elif case == "list_params":
    p = subprocess.run([vp, "--list-params"], capture_output=True, text=True)
    if p.returncode != 0:
        fail("--list-params failed")
    for key in ["soc.quantum_ns", "soc.cpu.clock_mhz", "soc.bus.latency_ns", "soc.acc.rows", "soc.acc.fidelity",
                "soc.dram.channels", "soc.dram.trace_out", "soc.camera.pixel_format", "soc.camera.source.scenario",
                "firmware.gemm_selftest.partitions"]:
        if not re.search(r"^" + re.escape(key) + r"\s", p.stdout, re.M):
            fail(f"--list-params lacks {key}")
    if not re.search(r"^soc\.cpu\.clock_mhz\s+1500\s+MHz\s", p.stdout, re.M):
        fail("--list-params does not show default and unit of soc.cpu.clock_mhz")
    h = subprocess.run([vp, "--help"], capture_output=True, text=True)
    if h.returncode != 0 or "--vcd-window" not in h.stdout or "exit codes" not in h.stdout:
        fail("--help incomplete")

elif case == "config_file_and_effective_config":
    ini = os.path.join(work, "board.ini")
    open(ini, "w").write("# test\n[soc.acc]\nclock_mhz = 400\n[firmware.gemm_selftest]\npartitions = 6\n")
    run(["--config", ini, "--set", "soc.acc.clock_mhz=250"] + SELFTEST_SMALL)
    cfg = open(os.path.join(work, "out", "config.ini")).read()
    if not re.search(r"^soc\.acc\.clock_mhz = 250\b", cfg, re.M):
        fail("--set did not win over the file, or config.ini lacks the effective value")
    if not re.search(r"^firmware\.gemm_selftest\.partitions = 6(\s|$)", cfg, re.M):
        fail("config.ini lacks the firmware parameter from the INI file")
    # The effective configuration is loadable again and gives the same run.
    run(["--config", os.path.join(work, "out", "config.ini")] , outdir="again")
    a = open(os.path.join(work, "out", "stats.json")).read()
    b = open(os.path.join(work, "again", "stats.json")).read()
    if a != b:
        fail("re-running with the written config.ini gave different stats")

elif case == "bad_input":
    checks = [
        (["--bogus"], 2, r"unrecognised option '--bogus'|unrecognized option"),
        (["--set", "soc.nope=1"], 2, r"soc\.nope"),
        (["--set", "soc.acc.rows=abc"], 2, r"soc\.acc\.rows"),
        (["--set", "soc.cpu.clock_mhz=0"], 2, r"clock_mhz"),
        (["--set", "noequals"], 2, r"noequals"),
        (["--firmware", "nosuch"], 2, r"unknown firmware 'nosuch'.*gemm_selftest"),
        (["--config", os.path.join(work, "missing.ini")], 2, r"missing\.ini"),
        (["--vcd-window", "1ms:2ms"], 2, r"--vcd-window needs --vcd"),
        (["--vcd", os.path.join(work, "x.vcd"), "--vcd-window", "2ms:1ms"], 2, r"end before start"),
        (["--vcd", os.path.join(work, "x.vcd"), "--trace", "gpu"], 2, r"unknown --trace group 'gpu'"),
        (["--set", "soc.camera.source.scenario=" + os.path.join(work, "none.scn")], 2, r"none\.scn"),
    ]
    bad_ini = os.path.join(work, "bad.ini")
    open(bad_ini, "w").write("[soc]\nquantum_ns = 10\nthis line is wrong\n")
    checks.append((["--config", bad_ini], 2, r"bad\.ini:3"))
    for args, code, pattern in checks:
        p = run(args, expect_exit=code, outdir="bad")
        if not re.search(pattern, p.stderr):
            fail(f"{args}: stderr does not match /{pattern}/:\n{p.stderr}")
    # A firmware that fails at run time (its buffer region is too small) ends with exit 3 and still writes outputs.
    p = run(["--set", "firmware.gemm_selftest.dram_bytes=4096"] + SELFTEST_SMALL, expect_exit=3, outdir="fwerr")
    if "exhausted" not in p.stderr:
        fail("firmware error not reported:\n" + p.stderr)
    stats, jobs, console, host = outputs("fwerr")
    if host["firmware_error"] == "" or stat(stats, "soc.cpu", "firmware_exit_code") != -1:
        fail("firmware error not recorded")
    # The time limit stops the run with exit 3.
    run(["--set", "soc.time_limit_s=0.0002"], expect_exit=3, outdir="limit")
    stats, jobs, console, host = outputs("limit")
    if not host["time_limit_hit"] or abs(stat(stats, "soc", "sim_time") - 0.0002) > 1e-9:
        fail("time limit not honoured")

elif case == "sigint_writes_outputs":
    heavy = ["--set", "firmware.gemm_selftest.partitions=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
             "--set", "firmware.gemm_selftest.jobs_per_round=12", "--set", "firmware.gemm_selftest.max_m=128",
             "--set", "firmware.gemm_selftest.max_n=128", "--set", "firmware.gemm_selftest.max_k=256"]
    vcd = os.path.join(work, "int.vcd")
    cmd = [vp, "--quiet", "--outdir", os.path.join(work, "out"), "--vcd", vcd] + heavy
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    if p.poll() is not None:
        fail("the heavy run finished before it could be interrupted; make it heavier")
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=300)
    if p.returncode != 130:
        fail(f"exit {p.returncode} after SIGINT, expected 130\n{err}")
    stats, jobs, console, host = outputs()
    if not host["interrupted"]:
        fail("host.json does not say interrupted")
    check_stats_agree_with_jobs(stats, jobs)
    vcd_signals(vcd)  # complete and parseable
    if os.path.exists(vcd + ".tmp.vcd"):
        fail("temporary VCD left behind")

else:
    fail("unknown case " + case)
print("ok:", case)
