#!/usr/bin/env python3
"""End-to-end checks of the dacapo_cl firmware on the virtual board (one dacapo-vp run per case).

usage: check_cl_run.py CASE DACAPO_VP WORKDIR SOURCE_DIR
  policy_<name>      short S1 (first max_frames frames) with that policy: outputs complete and consistent
  smoke              the first 5 s of the short S1 with a tiny sample buffer (label, retrain, validate, swap happen):
                     for the sanitizer build
  time_limit_partial the short S1 stopped by a simulated-time limit mid-run: partial outputs (complete = false)
                     are consistent over the frames they cover; phases end before the limit
  improves_on_drift  night.scn with no retraining and with DaCapo-Spatiotemporal: retraining on the board wins
                     accuracy back on the drifted (night) segment
  pacing             the smoke run paced by a made-up paper-scale table: B-SA rows and every phase's duration
                     follow the table's formulas (computed here); a bad table is rejected naming file and line
"""
import csv
import math
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from vcd_reader import VcdError, read_vcd  # noqa: E402

FRAMES = 900  # 30 s of the short S1: warm-up (20 s) plus the first drifted segment's start


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def vcd_last_values(path, suffixes):
    """Last value of each VCD variable whose full name ends with one of `suffixes` ({suffix: value})."""
    try:
        v = read_vcd(path)
    except VcdError as e:
        fail(str(e))
    found = {sfx: ident for name, ident in v.names.items() for sfx in suffixes if name.endswith(sfx)}
    missing = [s for s in suffixes if s not in found]
    if missing:
        fail("VCD lacks the signals %s" % missing)
    return {sfx: v.last.get(ident, "") for sfx, ident in found.items()}


def run(vp, outdir, src, scenario, policy, frames, extra=(), expect_exit=0):
    if os.path.exists(outdir):
        shutil.rmtree(outdir)
    cmd = [vp, "--firmware", "dacapo_cl", "--quiet", "--seed", "3", "--outdir", outdir,
           "--config", os.path.join(src, "scenarios/scn/short/cl_short.ini"),
           "--set", "soc.camera.source.scenario=" + scenario,
           "--set", "firmware.dacapo_cl.policy=" + policy,
           "--set", "firmware.dacapo_cl.max_frames=%d" % frames] + list(extra)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    print(p.stdout[-3000:])
    if p.returncode != expect_exit:
        fail("dacapo-vp exited with %d, expected %d" % (p.returncode, expect_exit))
    if expect_exit == 2:  # a configuration error: nothing was simulated, there are no outputs
        return p.stdout
    for name in ("accuracy.csv", "phases.csv", "drifts.csv", "summary.txt", "costs.csv", "stats.json"):
        if not os.path.isfile(os.path.join(outdir, name)):
            fail("missing output " + name)
    return outdir


def read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def summary(outdir):
    s = {}
    with open(os.path.join(outdir, "summary.txt")) as f:
        for line in f:
            k, _, v = line.partition("=")
            s[k.strip()] = v.strip()
    return s


def check_consistent(outdir, frames, fps, window_s, warmup_s, partial=False, paced=False):
    s = summary(outdir)
    bsa = int(s["bsa_rows"])
    if not 1 <= bsa <= 15 or bsa + int(s["tsa_rows"]) != 16:
        fail("bad row split %s/%s" % (s["bsa_rows"], s["tsa_rows"]))
    if paced:  # the split comes from the paper-scale table (checked by the caller), not from the board's profile
        bsa = None
    # The chosen B-SA split is the smallest whose profiled inference keeps up with the camera.
    costs = [r for r in read_csv(os.path.join(outdir, "costs.csv")) if r["kernel"] == "infer" and r["model"] == "student"
             and r["batch"] == "1"]
    lat = {int(r["rows"]): float(r["seconds"]) for r in costs}
    if sorted(lat) != list(range(1, 16)):
        fail("costs.csv lacks the B-SA sweep r=1..15: %s" % sorted(lat))
    keep_up = [r for r in range(1, 16) if lat[r] <= 1.0 / fps + 1e-12]
    if not keep_up or (bsa is not None and keep_up[0] != bsa):
        fail("bsa_rows %d is not the smallest split keeping up (%s)" % (bsa, keep_up))
    if float(s["pacing_bsa_inference_s" if paced else "bsa_inference_s"]) > 1.0 / fps:
        fail("B-SA inference slower than the frame period")
    # accuracy.csv: contiguous windows covering every frame once; counts add up.
    win = read_csv(os.path.join(outdir, "accuracy.csv"))
    if not win:
        fail("accuracy.csv has no windows")
    total = correct = dropped = 0
    t = 0.0
    for w in win:
        if abs(float(w["start_s"]) - t) > 1e-6:
            fail("window %s starts at %s, expected %g" % (w["window"], w["start_s"], t))
        t = float(w["end_s"])
        n, c, d = int(w["frames"]), int(w["correct"]), int(w["dropped"])
        if c + d > n:
            fail("window %s: correct + dropped > frames" % w["window"])
        if n and abs(float(w["accuracy"]) - 100.0 * c / n) > 1e-3:
            fail("window %s: accuracy %s != 100*%d/%d" % (w["window"], w["accuracy"], c, n))
        scored = w["scored"] in ("1", "true")
        if scored != (float(w["start_s"]) >= warmup_s - 1e-9 and w["complete"] in ("1", "true")):
            fail("window %s: scored flag wrong" % w["window"])
        total, correct, dropped = total + n, correct + c, dropped + d
    if total != frames:
        fail("accuracy.csv counts %d frames, the stream has %d" % (total, frames))
    if dropped != int(s["frames_dropped"]):
        fail("dropped frames: windows %d, summary %s" % (dropped, s["frames_dropped"]))
    # With a B-SA that keeps up, the board drops (almost) nothing: a drop needs host-side contention.
    if dropped > frames // 50:
        fail("%d of %d frames dropped" % (dropped, frames))
    scored = [float(w["accuracy"]) for w in win if w["scored"] in ("1", "true")]
    if scored:
        mean = sum(scored) / len(scored)
        if abs(mean - float(s["accuracy_mean"])) > 1e-3:
            fail("accuracy_mean %s != mean of scored windows %g" % (s["accuracy_mean"], mean))
        if not 20.0 < mean <= 100.0:  # 10 classes: chance is 10 %; the pretrained student is far above
            fail("implausible accuracy %g" % mean)
    # phases.csv: consecutive, monotonic, within the stream.
    ph = read_csv(os.path.join(outdir, "phases.csv"))
    end = 0.0
    for p in ph:
        a, b = float(p["start_s"]), float(p["end_s"])
        if a + 1e-9 < end or b + 1e-9 < a:
            fail("phase %s: [%g, %g) not monotonic after %g" % (p["phase"], a, b, end))
        end = b
    if not partial and end > frames / fps + 1e-6:
        fail("phases end at %g after the stream end %g" % (end, frames / fps))
    return s, win, ph


def check_power(outdir, src):
    """scripts/plot_power.py on a board run: its per-kernel energies add up to the jobs' (jobs.csv), B-SA jobs after
    the stream start are inference, MX9 T-SA jobs are retrain (only retrain phases train), and the PNG exists."""
    png, table = os.path.join(outdir, "power.png"), os.path.join(outdir, "power.csv")
    p = subprocess.run(["/usr/bin/python3", os.path.join(src, "scripts/plot_power.py"), outdir, "--out", png,
                        "--csv", table], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    print(p.stdout)
    if p.returncode != 0:
        fail("plot_power.py exited with %d" % p.returncode)
    if not os.path.getsize(png):
        fail("plot_power.py wrote no PNG")
    jobs = read_csv(os.path.join(outdir, "jobs.csv"))
    clock = 500e6
    start = float(summary(outdir)["stream_start_s"])
    kernels = {r["kernel"]: float(r["energy_j"]) for r in read_csv(table)}

    def close(a, b):
        return abs(a - b) <= 1e-5 * max(abs(b), 1e-15)

    total = sum(float(j["energy_pj"]) for j in jobs) * 1e-12
    if not close(sum(kernels.values()), total):
        fail("per-kernel energies sum to %g J, jobs.csv to %g J" % (sum(kernels.values()), total))
    infer = sum(float(j["energy_pj"]) for j in jobs
                if j["sa"] == "B-SA" and int(j["start_cycle"]) / clock >= start) * 1e-12
    if not close(kernels.get("inference", 0.0), infer):
        fail("inference energy %g J, B-SA jobs in the stream %g J" % (kernels.get("inference", 0.0), infer))
    train = sum(float(j["energy_pj"]) for j in jobs
                if j["sa"] == "T-SA" and j["precision"] == "MX9" and int(j["start_cycle"]) / clock >= start) * 1e-12
    if train <= 0 or not close(kernels.get("retrain", 0.0), train):
        fail("retrain energy %g J, MX9 T-SA jobs %g J" % (kernels.get("retrain", 0.0), train))


def main():
    case, vp, work, src = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    if case.startswith("policy_"):
        policy = case[len("policy_"):]
        out = run(vp, os.path.join(work, case), src, os.path.join(src, "scenarios/scn/short/S1.scn"), policy, FRAMES)
        s, win, ph = check_consistent(out, FRAMES, 30.0, 10.0, 20.0)
        if s["policy"] != policy:
            fail("summary names policy %s" % s["policy"])
        kinds = {p["kernel"] for p in ph if p["completed"] in ("1", "true")}
        if policy == "none":
            if any(k in ("retrain", "label") for k in kinds):
                fail("policy none ran T-SA work: %s" % kinds)
        elif "label" not in kinds:
            fail("policy %s labeled nothing: %s" % (policy, kinds))
        if policy == "spatiotemporal":
            tr = [p for p in ph if p["kernel"] == "retrain" and p["completed"] in ("1", "true")]
            if not tr:
                fail("no completed retrain phase")
            if any(int(p["steps"]) < 1 or p["a_valid"] in ("", "nan") for p in tr):
                fail("retrain phase without steps or validation accuracy")
    elif case == "smoke":
        frames = 150
        small = []
        for kv in ("buffer_capacity=64", "label_samples_after_drift=32", "label_samples=8", "train_samples=24",
                   "valid_samples=8"):
            small += ["--set", "firmware.dacapo_cl.spatiotemporal." + kv]
        vcd = os.path.join(work, case + ".vcd")
        out = run(vp, os.path.join(work, case), src, os.path.join(src, "scenarios/scn/short/S1.scn"),
                  "spatiotemporal", frames, small + ["--vcd", vcd, "--trace", "cpu"])
        s, win, ph = check_consistent(out, frames, 30.0, 10.0, 20.0)
        if s["complete"] != "true":
            fail("summary of a finished run says complete = %s" % s["complete"])
        if not any(p["kernel"] == "retrain" and p["completed"] in ("1", "true") for p in ph):
            fail("no completed retrain phase")
        # The traced running accuracy ends at the accuracy over every frame of the stream (drops count wrong).
        last = vcd_last_values(vcd, ["cpu.running_accuracy", "cpu.drift_flag"])
        want = 100.0 * sum(int(w["correct"]) for w in win) / frames
        if abs(float(last["cpu.running_accuracy"]) - want) > 1e-6:
            fail("VCD running accuracy %s != %g from accuracy.csv" % (last["cpu.running_accuracy"], want))
        check_power(out, src)
    elif case == "time_limit_partial":
        limit = 30.0
        out = run(vp, os.path.join(work, case), src, os.path.join(src, "scenarios/scn/short/S1.scn"),
                  "spatiotemporal", 0, ["--set", "soc.time_limit_s=%g" % limit], expect_exit=3)
        s = summary(out)
        if s["complete"] != "false":
            fail("summary of a stopped run says complete = %s" % s["complete"])
        frames = int(s["frames"])
        if not 0 < frames <= limit * 30:
            fail("partial outputs cover %d frames, the run stopped at %g s" % (frames, limit))
        _, win, ph = check_consistent(out, frames, 30.0, 10.0, 20.0, partial=True)
        if not ph or float(ph[-1]["end_s"]) > limit:
            fail("phases.csv of the stopped run: %d phases, last ends at %s" % (len(ph), ph[-1]["end_s"] if ph else "-"))
    elif case == "improves_on_drift":
        scn = os.path.join(src, "test/clapp/night.scn")
        frames = 36 * 30
        base = run(vp, os.path.join(work, "night_none"), src, scn, "none", frames)
        st = run(vp, os.path.join(work, "night_st"), src, scn, "spatiotemporal", frames)
        _, wn, _ = check_consistent(base, frames, 30.0, 10.0, 4.0)
        _, ws, ph = check_consistent(st, frames, 30.0, 10.0, 4.0)
        swap = min(float(p["end_s"]) for p in ph if p["kernel"] == "retrain" and p["completed"] in ("1", "true"))

        def acc_after(win, t0):
            c = n = 0
            for w in win:
                if float(w["start_s"]) >= t0:
                    c, n = c + int(w["correct"]), n + int(w["frames"])
            return 100.0 * c / n, n

        a_none, n1 = acc_after(wn, swap)
        a_st, n2 = acc_after(ws, swap)
        print("night accuracy after the first weight swap (%.1f s): none %.2f %% (%d frames), "
              "spatiotemporal %.2f %% (%d frames)" % (swap, a_none, n1, a_st, n2))
        if n1 < 300:
            fail("too few frames after the first swap to compare")
        # Identical frames (same scenario and seed): the difference is the on-board retraining.
        if not a_st > a_none + 3.0:
            fail("retraining on the board did not improve the night accuracy (%.2f vs %.2f)" % (a_st, a_none))
    elif case == "pacing":
        frames = 90  # 3 s: first fill, then retrain and label phases (short: this case also runs under ASan)
        small = []
        for kv in ("buffer_capacity=64", "label_samples_after_drift=32", "label_samples=8", "train_samples=24",
                   "valid_samples=8"):
            small += ["--set", "firmware.dacapo_cl.spatiotemporal." + kv]
        # A made-up paper pair, far slower than the compact one: inference 0.12 s / rows keeps up with 30 fps from
        # 4 rows on (0.03 s), leaving 12 T-SA rows; a training step 0.1 s, a validation batch 0.04 s, a label 0.02 s.
        t_train, t_valid, t_label = 0.1, 0.04, 0.02
        table = os.path.join(work, "paper_pair.csv")
        with open(table, "w") as f:
            f.write("model,kernel,precision,rows,batch,seconds\n")
            for r in range(1, 16):
                f.write("paperS,infer,MX6,%d,1,%.9g\n" % (r, 0.12 / r))
            f.write("paperS,train,MX9,12,16,%g\npaperS,infer,MX6,12,16,%g\npaperT,infer,MX6,12,1,%g\n"
                    % (t_train, t_valid, t_label))
        pacing = ["--set", "firmware.dacapo_cl.pacing_profile=" + table, "--set",
                  "firmware.dacapo_cl.pacing_student=paperS", "--set", "firmware.dacapo_cl.pacing_teacher=paperT"]
        out = run(vp, os.path.join(work, case), src, os.path.join(src, "scenarios/scn/short/S1.scn"),
                  "spatiotemporal", frames, small + pacing)
        s, _, ph = check_consistent(out, frames, 30.0, 10.0, 20.0, paced=True)
        if (s["bsa_rows"], s["tsa_rows"], s["pacing"]) != ("4", "12", "paperS/paperT"):
            fail("paced run: bsa_rows %s tsa_rows %s pacing %s, expected 4, 12, paperS/paperT"
                 % (s["bsa_rows"], s["tsa_rows"], s["pacing"]))
        if s["pacing_overruns"] != "0" or s["frames_dropped"] != "0":
            fail("paced run: %s overruns, %s drops" % (s["pacing_overruns"], s["frames_dropped"]))
        with open(os.path.join(out, "console.txt")) as f:
            if "paced as paperS/paperT" not in f.read():
                fail("console does not say the run is paced")
        with open(os.path.join(out, "config.ini")) as f:
            if "pacing_profile = " + table not in f.read():
                fail("effective config lacks the pacing profile")
        done = [p for p in ph if p["completed"] in ("1", "true")]
        paced = read_csv(os.path.join(out, "pacing.csv"))
        if len(paced) != len(done) or any(a["tag"] != b["tag"] or abs(float(a["start_s"]) - float(b["start_s"])) > 1e-6
                                          for a, b in zip(paced, done)):
            fail("pacing.csv rows do not match the completed phases")
        kinds = set()
        for p, q in zip(done, paced):
            dur = float(p["end_s"]) - float(p["start_s"])
            if p["kernel"] == "retrain":
                want = int(p["steps"]) * t_train + math.ceil(int(p["valid"]) / 16) * t_valid
            elif p["kernel"] == "label":
                # One teacher call per frame; the labeler waits for frames that have not arrived yet.
                want = int(p["label"]) * t_label + float(p["label_wait_s"])
                if float(p["label_wait_s"]) < 0:
                    fail("negative label wait")
            else:
                continue
            kinds.add(p["kernel"])
            board = float(q["board_work_end_s"]) - float(p["start_s"])
            print("phase %s %-11s %.6f s (paper formula %.6f s, compact work %.6f s)" % (p["phase"], p["tag"], dur, want, board))
            if abs(dur - want) > 1e-3:
                fail("phase %s (%s) lasted %.6f s, the paper-scale formula gives %.6f s" % (p["phase"], p["tag"], dur, want))
            if not 0 <= board <= dur + 1e-6:
                fail("phase %s: the compact work (%.6f s) is not inside the phase" % (p["phase"], board))
        if kinds != {"retrain", "label"}:
            fail("paced run completed only %s" % kinds)
        # Bad tables are rejected before the simulation, naming the key, the file and the line.
        with open(table, "a") as f:
            f.write("paperT,infer,MX5,12,16,0.1\n")
        msg = run(vp, os.path.join(work, case + "_bad"), src, os.path.join(src, "scenarios/scn/short/S1.scn"),
                  "spatiotemporal", frames, pacing, expect_exit=2)
        if "pacing_profile" not in msg or table + ":20:" not in msg or "precision" not in msg:
            fail("bad precision not reported with key, file and line:\n" + msg)
        msg = run(vp, os.path.join(work, case + "_bad"), src, os.path.join(src, "scenarios/scn/short/S1.scn"),
                  "spatiotemporal", frames, pacing[:4] + ["--set", "firmware.dacapo_cl.pacing_profile=/nonexistent.csv"],
                  expect_exit=2)
        if "pacing_profile" not in msg or "/nonexistent.csv" not in msg:
            fail("missing table not reported:\n" + msg)
        with open(table, "w") as f:
            f.write("model,kernel,precision,rows,batch,seconds\n")
            for r in range(1, 16):
                f.write("paperS,infer,MX6,%d,1,%.9g\n" % (r, 0.12 / r))
        msg = run(vp, os.path.join(work, case + "_bad"), src, os.path.join(src, "scenarios/scn/short/S1.scn"),
                  "spatiotemporal", frames, pacing, expect_exit=2)
        if "pacing_profile" not in msg or "paperS,train,MX9,12,16" not in msg:
            fail("missing table entry not reported:\n" + msg)
    else:
        fail("unknown case " + case)
    print("PASS " + case)


if __name__ == "__main__":
    main()
