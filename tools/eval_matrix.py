#!/usr/bin/env python3
"""Evaluation harness: run the built seiscluster CLI over data sets x seeds and tabulate.

For each data set folder (waveforms under DATASET/waveforms/ if that exists, else DATASET/;
DATASET/picks.csv and DATASET/truth.csv beside them):
  1. ingest once and import the picks into a base store (in a temporary folder);
  2. per seed: copy the base store (after a WAL checkpoint; -wal/-shm copied too if present), run
     `cluster <--cluster-args> --seed S`, then `evaluate --truth DATASET/truth.csv`;
     with --per-station, one `cluster --stations NET.STA` + `evaluate` per station of truth.csv;
     with --relabel N, after cluster: draw N labelled windows per class (seeded by S) from the
     run's catalog joined with the truth, run `relabel --labels`, evaluate again;
  3. parse: the evaluate line `ACC=... NMI=... ARI=... N=...`, unmatched truth rows, the per-cluster
     mean probabilities of the cluster summary, the `stability:` and `warning: unstable` lines (if
     the CLI prints them), windows built/skipped, and wall times.
Prints one markdown table per data set (ACC per seed, worst, median, max-min spread, mean time)
and writes one CSV row per run (--output).

`K_true` in --cluster-args is replaced by the number of distinct truth labels (per station with
--per-station). Runs are sequential unless --jobs > 1. The load average is printed at the start
and at the end (other work on the machine slows the runs).

  python tools/eval_matrix.py --datasets /work/data/genb-events-300 --seeds 0-7 \\
      --cluster-args "--clusters 2 --before 5 --after 55" --output results.csv --markdown summary.md
"""
import argparse
import concurrent.futures as cf
import csv
import datetime as dt
import os
import random
import re
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

EVAL_RE = re.compile(r"ACC=([0-9.]+)\s+NMI=([0-9.]+)\s+ARI=(-?[0-9.]+)\s+N=(\d+)")
SUMMARY_RE = re.compile(r"^\s*(\d+)\s+(\d+)\s+([0-9.]+)%\s+([0-9.]+)(\s|$)")


def parse_seeds(text):
    out = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out.extend(range(int(a), int(b) + 1))
        elif part:
            out.append(int(part))
    return out


def run(cmd, timeout, env=None):
    t0 = time.time()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        return p.returncode, p.stdout, p.stderr, time.time() - t0
    except subprocess.TimeoutExpired as e:
        return -9, e.stdout or "", (e.stderr or "") + "\n(timeout after %d s)" % timeout, time.time() - t0


def checkpoint_copy(src, dst):
    """Copy an SQLite store: checkpoint its WAL first, then copy the file and any -wal/-shm."""
    try:
        con = sqlite3.connect(src)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
    except sqlite3.Error as e:
        print("warning: checkpoint of %s failed (%s); copying -wal/-shm too" % (src, e), file=sys.stderr)
    shutil.copyfile(src, dst)
    for ext in ("-wal", "-shm"):
        if os.path.exists(src + ext):
            shutil.copyfile(src + ext, dst + ext)


def read_truth(path):
    rows = list(csv.DictReader(open(path, newline="")))
    return rows


def iso_key(net, sta, loc, t):
    """Key for matching a pick time within 1 ms: codes and the time in whole milliseconds."""
    t = t.strip().rstrip("Z")
    d = dt.datetime.fromisoformat(t)
    ms = round((d - dt.datetime(1970, 1, 1)).total_seconds() * 1000)
    return (net, sta, loc, ms)


def parse_cluster(out):
    """Fields from the cluster command's stdout+stderr."""
    probs, sizes = [], []
    stability, unstable, windows_line, station_check = "", "", "", ""
    for line in out.splitlines():
        m = SUMMARY_RE.match(line)
        if m:
            sizes.append(int(m.group(2)))
            probs.append(float(m.group(4)))
        s = line.strip()
        if s.startswith("stability:"):
            stability = s[len("stability:"):].strip()
        if s.startswith("warning: unstable"):
            unstable = s
        if s.startswith("windows: built"):
            windows_line = s
        if s.startswith("station check:") or s.startswith("warning: station check"):
            station_check = s
    warnings = sum(1 for line in out.splitlines() if line.startswith("warning:"))
    return dict(cluster_sizes=";".join(map(str, sizes)), mean_probs=";".join("%.3f" % p for p in probs),
                min_mean_prob=min(probs) if probs else "", stability=stability, unstable=unstable,
                windows=windows_line, station_check=station_check, n_warnings=warnings)


def parse_evaluate(out):
    res = dict(acc="", nmi="", ari="", n="", unmatched="", label_accuracy="")
    for line in out.splitlines():
        m = EVAL_RE.search(line)
        if m:
            res.update(acc=float(m.group(1)), nmi=float(m.group(2)), ari=float(m.group(3)), n=int(m.group(4)))
        m = re.search(r"(\d+) truth rows? match(es)? no window", line)
        if m:
            res["unmatched"] = int(m.group(1))
        if re.search(r"label", line, re.I) and re.search(r"accura", line, re.I) and not EVAL_RE.search(line):
            res["label_accuracy"] = line.strip()
            m = re.search(r"accuracy\D{0,3}([0-9]*\.[0-9]+)", line)
            if m:
                res["label_acc"] = float(m.group(1))
    return res


def first_error(text):
    for line in text.splitlines():
        if line.startswith("error:") or line.startswith("Error:"):
            return line.strip()
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


class Harness:
    def __init__(self, args):
        self.args = args
        self.bin = os.path.abspath(args.bin)
        self.extra = shlex.split(args.cluster_args)
        self.rows = []
        self.refused = {}

    def cli(self, db, *a, timeout=None):
        return run([self.bin, "--db", db] + list(a), timeout or self.args.timeout)

    def prepare(self, ds, work):
        wf = os.path.join(ds, "waveforms")
        wf = wf if os.path.isdir(wf) else ds
        base = os.path.join(work, "base.sqlite")
        rc, out, err, t_in = self.cli(base, "ingest", wf)
        summary = [line for line in (out + err).splitlines() if line.startswith("ingest:")]
        print("  ingest: rc %d, %.1f s; %s" % (rc, t_in, summary[-1] if summary else first_error(err)), flush=True)
        if rc not in (0, 1):
            raise RuntimeError("ingest failed: " + first_error(err))
        rc, out, err, t_p = self.cli(base, "picks", "import", os.path.join(ds, "picks.csv"))
        print("  picks import: rc %d, %.1f s; %s" % (rc, t_p, (out + err).strip().splitlines()[-1] if (out + err).strip() else ""), flush=True)
        if rc != 0:
            raise RuntimeError("picks import failed: " + first_error(err))
        return base, t_in, t_p

    def cluster_args(self, k_true):
        return [str(k_true) if a == "K_true" else a for a in self.extra]

    def one(self, ds, base, work, seed, station, truth):
        """One cluster (+ relabel) + evaluate on a fresh copy of the base store (or the seed's copy
        for per-station runs, which are sequential within a seed)."""
        name = os.path.basename(os.path.normpath(ds))
        tag = "s%d" % seed
        db = os.path.join(work, "run-%s.sqlite" % tag)
        if station is None or not os.path.exists(db):
            checkpoint_copy(base, db)
        labels = {r["label"] for r in truth if station is None or "%s.%s" % (r["network"], r["station"]) == station}
        cargs = ["cluster"] + self.cluster_args(len(labels)) + ["--seed", str(seed)]
        if station is not None:
            cargs += ["--stations", station]
        row = dict(dataset=name, seed=seed, station=station or "*", k_true=len(labels),
                   args=" ".join(self.cluster_args(len(labels)) + (["--stations", "NET.STA"] if station else [])))
        rc, out, err, t_c = self.cli(db, *cargs)
        row.update(cluster_rc=rc, cluster_s=round(t_c, 2))
        row.update(parse_cluster(out + "\n" + err))
        if rc != 0:
            row["error"] = first_error(err)
            if station is not None and "--stations" in err and "unknown option" in err.lower():
                row["error"] = "the CLI refuses --stations (per-station clustering not in this build): " + first_error(err)
            elif rc == 64 or "unknown option" in err.lower() or "is invalid for" in err:
                # a usage error: the same arguments fail for every seed and station
                row["error"] = "the CLI refuses the arguments: " + first_error(err)
            return row
        rc, out, err, t_e = self.cli(db, "evaluate", "--truth", os.path.join(ds, "truth.csv"))
        row.update(evaluate_rc=rc, evaluate_s=round(t_e, 2))
        row.update(parse_evaluate(out + "\n" + err))
        if rc != 0:
            row["error"] = first_error(err)
            return row
        if self.args.relabel:
            row.update(self.relabel(db, work, ds, seed, station, truth, tag))
        return row

    def relabel(self, db, work, ds, seed, station, truth, tag):
        cat = os.path.join(work, "catalog-%s.csv" % tag)
        rc, out, err, _ = self.cli(db, "export", "--format", "csv", "--output", cat, "--force")
        if rc != 0:
            return dict(relabel_error="export: " + first_error(err))
        tkey = {}
        for r in truth:
            tkey[iso_key(r["network"], r["station"], r["location"], r["time"])] = r
        by = {}
        for w in csv.DictReader(open(cat, newline="")):
            r = tkey.get(iso_key(w["network"], w["station"], w["location"], w["time"]))
            if r is None:
                continue
            by.setdefault(r["label"], []).append(r)
        rng = random.Random(1000 + seed)
        chosen = []
        for lab in sorted(by):
            pool = sorted(by[lab], key=lambda r: (r["network"], r["station"], r["location"], r["time"]))
            chosen += rng.sample(pool, min(self.args.relabel, len(pool)))
        lab_path = os.path.join(work, "labels-%s.csv" % tag)
        with open(lab_path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["network", "station", "location", "time", "label"])
            for r in chosen:
                w.writerow([r["network"], r["station"], r["location"], r["time"], r["label"]])
        rc, out, err, t_r = self.cli(db, "relabel", "--labels", lab_path)
        res = dict(relabel_rc=rc, relabel_s=round(t_r, 2), relabel_n=len(chosen),
                   relabel_warning=next((line for line in err.splitlines() if line.startswith("warning: labels disagree")), ""))
        if rc != 0:
            res["relabel_error"] = first_error(err)
            return res
        rc, out, err, _ = self.cli(db, "evaluate", "--truth", os.path.join(ds, "truth.csv"))
        ev = parse_evaluate(out + "\n" + err)
        res.update(relabel_acc=ev["acc"], relabel_nmi=ev["nmi"], relabel_ari=ev["ari"],
                   relabel_label_acc=ev.get("label_acc", ""), relabel_label_accuracy=ev["label_accuracy"])
        return res

    def dataset(self, ds):
        name = os.path.basename(os.path.normpath(ds))
        print("\n## %s" % name, flush=True)
        truth = read_truth(os.path.join(ds, "truth.csv"))
        work = tempfile.mkdtemp(prefix="evalm-%s-" % name, dir=self.args.workdir)
        try:
            base, t_in, t_p = self.prepare(ds, work)
            stations = [None]
            if self.args.per_station:
                stations = sorted({"%s.%s" % (r["network"], r["station"]) for r in truth})
            rows = []

            def seed_task(seed):
                out = []
                for st in stations:
                    if self.refused.get(name):
                        break
                    row = self.one(ds, base, work, seed, st, truth)
                    row.update(ingest_s=round(t_in, 2), picks_s=round(t_p, 2))
                    out.append(row)
                    self.show(row)
                    if str(row.get("error", "")).startswith("the CLI refuses"):
                        self.refused[name] = row["error"]
                        break
                db = os.path.join(work, "run-s%d.sqlite" % seed)
                for ext in ("", "-wal", "-shm"):
                    if os.path.exists(db + ext) and not self.args.keep:
                        os.remove(db + ext)
                return out

            if self.args.jobs > 1:
                with cf.ThreadPoolExecutor(self.args.jobs) as ex:
                    for out in ex.map(seed_task, self.seeds):
                        rows += out
            else:
                for s in self.seeds:
                    rows += seed_task(s)
                    if self.refused.get(name):
                        break
            if self.refused.get(name):
                print("  STOPPED: %s" % self.refused[name], flush=True)
            self.rows += rows
            return rows
        finally:
            if not self.args.keep:
                shutil.rmtree(work, ignore_errors=True)
            else:
                print("  kept %s" % work)

    def show(self, r):
        if r.get("error"):
            print("  seed %s %s: FAILED (cluster rc %s): %s" % (r["seed"], r["station"], r.get("cluster_rc"), r["error"]), flush=True)
            return
        extra = ""
        if r.get("stability"):
            extra += " stability %s" % r["stability"]
        if r.get("unstable"):
            extra += " UNSTABLE"
        if self.args.relabel:
            extra += " | relabel ACC %s %s" % (r.get("relabel_acc", ""), r.get("relabel_label_accuracy") or r.get("relabel_error", ""))
        print("  seed %s %s: ACC %.4f NMI %.4f ARI %.4f N %s (unmatched %s) probs %s, %.1f s%s" % (
            r["seed"], r["station"], r["acc"], r["nmi"], r["ari"], r["n"], r.get("unmatched") or 0,
            r["mean_probs"], r["cluster_s"], extra), flush=True)


def summarize(name, rows, args):
    """Markdown for one data set."""
    md = []
    good = [r for r in rows if r.get("acc") != "" and not r.get("error")]
    failed = [r for r in rows if r.get("error")]
    md.append("### %s\n" % name)
    md.append("`cluster %s --seed S%s`\n" % (args.cluster_args, " --stations NET.STA" if args.per_station else ""))
    if args.per_station:
        # per seed: N-weighted mean ACC over stations and the worst station
        seeds = sorted({r["seed"] for r in good})
        md.append("| seed | weighted ACC | worst station ACC | stations | N | mean time s |")
        md.append("|---:|---:|---:|---:|---:|---:|")
        per_seed = []
        for s in seeds:
            rs = [r for r in good if r["seed"] == s]
            n = sum(r["n"] for r in rs)
            wacc = sum(r["acc"] * r["n"] for r in rs) / n if n else float("nan")
            worst = min(rs, key=lambda r: r["acc"])
            per_seed.append(wacc)
            md.append("| %d | %.4f | %.4f (%s) | %d | %d | %.1f |" % (s, wacc, worst["acc"], worst["station"], len(rs), n,
                                                                    statistics.mean(r["cluster_s"] for r in rs)))
        accs = per_seed
        if good:
            md.append("")
            md.append("| station | worst ACC | median ACC | spread | K_true |")
            md.append("|---|---:|---:|---:|---:|")
            for st in sorted({r["station"] for r in good}):
                a = [r["acc"] for r in good if r["station"] == st]
                md.append("| %s | %.4f | %.4f | %.4f | %s |" % (st, min(a), statistics.median(a), max(a) - min(a),
                                                           next(r["k_true"] for r in good if r["station"] == st)))
    else:
        md.append("| seed | ACC | NMI | ARI | N | unmatched | mean prob per cluster | stability | time s |")
        md.append("|---:|---:|---:|---:|---:|---:|---|---|---:|")
        for r in sorted(good, key=lambda r: r["seed"]):
            md.append("| %d | %.4f | %.4f | %.4f | %d | %s | %s | %s | %.1f |" % (
                r["seed"], r["acc"], r["nmi"], r["ari"], r["n"], r.get("unmatched") or 0, r["mean_probs"],
                (r.get("stability") or "-") + (" UNSTABLE" if r.get("unstable") else ""), r["cluster_s"]))
        accs = [r["acc"] for r in good]
    if accs:
        md.append("")
        line = "**worst ACC %.4f, median %.4f, best %.4f, spread (max-min) %.4f over %d seeds; mean cluster time %.1f s**" % (
            min(accs), statistics.median(accs), max(accs), max(accs) - min(accs), len(accs),
            statistics.mean(r["cluster_s"] for r in good))
        if not args.per_station:
            aris = [r["ari"] for r in good]
            line += "; ARI worst %.4f median %.4f" % (min(aris), statistics.median(aris))
        md.append(line)
        if args.relabel:
            ra = [r["relabel_acc"] for r in good if r.get("relabel_acc") not in ("", None)]
            la = [r["relabel_label_acc"] for r in good if r.get("relabel_label_acc") not in ("", None)]
            if ra:
                md.append("")
                md.append("relabel (%d labels per class): evaluate ACC worst %.4f, median %.4f" % (args.relabel, min(ra), statistics.median(ra))
                          + ("; label accuracy on the unlabelled windows worst %.4f, median %.4f" % (min(la), statistics.median(la)) if la else
                             "; no label accuracy line parsed"))
            bad = [r for r in good if r.get("relabel_error")]
            if bad:
                md.append("relabel failed in %d runs: `%s`" % (len(bad), bad[0]["relabel_error"]))
    if failed:
        md.append("")
        md.append("failed runs: %d; first: seed %s %s: `%s`" % (len(failed), failed[0]["seed"], failed[0]["station"], failed[0]["error"]))
    md.append("")
    return "\n".join(md)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", required=True, help="DIR[,DIR...]")
    ap.add_argument("--seeds", default="0-7")
    ap.add_argument("--cluster-args", default="--clusters 2 --before 5 --after 55")
    ap.add_argument("--per-station", action="store_true", help="one cluster per station of truth.csv (--stations NET.STA)")
    ap.add_argument("--relabel", type=int, default=0, metavar="N", help="after cluster, relabel with N labels per class")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--bin", default=".build/release/seiscluster")
    ap.add_argument("--output", help="CSV, one row per run")
    ap.add_argument("--markdown", help="write the markdown summary here too")
    ap.add_argument("--workdir", default=None, help="where the temporary stores go (default: the system temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary stores")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds per command")
    args = ap.parse_args()
    h = Harness(args)
    h.seeds = parse_seeds(args.seeds)
    rc, out, err, _ = run([h.bin, "--version"], 60)
    version = (out + err).strip()
    t0 = time.time()
    print("# eval_matrix: %s (version %s), seeds %s, cluster args `%s`%s%s" % (
        h.bin, version, args.seeds, args.cluster_args, ", per station" if args.per_station else "",
        ", relabel %d per class" % args.relabel if args.relabel else ""))
    print("load average at start: %.2f %.2f %.2f (%d cores)" % (os.getloadavg() + (os.cpu_count(),)), flush=True)
    md = ["# eval_matrix results", "",
          "binary `%s` (%s); seeds %s; started %s; load average at start %.2f %.2f %.2f" % (
              h.bin, version, args.seeds, dt.datetime.now().strftime("%Y-%m-%d %H:%M"), *os.getloadavg()), ""]
    for ds in [d for d in args.datasets.split(",") if d]:
        try:
            rows = h.dataset(ds)
        except Exception as e:  # one broken data set must not stop the others
            print("  ERROR: %s" % e, flush=True)
            md.append("### %s\n\nERROR: %s\n" % (os.path.basename(os.path.normpath(ds)), e))
            continue
        text = summarize(os.path.basename(os.path.normpath(ds)), rows, args)
        print(text, flush=True)
        md.append(text)
    end = "load average at end: %.2f %.2f %.2f; total %.0f s" % (os.getloadavg() + (time.time() - t0,))
    print(end)
    md.append(end)
    if args.output and h.rows:
        keys = []
        for r in h.rows:
            for k in r:
                if k not in keys:
                    keys.append(k)
        with open(args.output, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=keys)
            w.writeheader()
            for r in h.rows:
                w.writerow(r)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(md) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
