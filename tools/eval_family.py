#!/usr/bin/env python3
"""Accuracy of the autoencoder family and the loss menu (issue 15): data sets x option sets x
seeds, one `cluster` + `evaluate` per cell, and a table of the worst ACC, the median and the
spread (max - min) over the seeds per data set and option set.

Each data set folder holds waveforms (under waveforms/ when it exists), picks.csv and
truth.csv. It is ingested once into a base store; every run works on a fresh copy of it.
Modelled on tools/eval_matrix.py of the gen2 branch (same parsing of the evaluate line).

  /work/venv/bin/python tools/eval_family.py --bin .build/release/seiscluster \\
      --datasets /work/data/genb-events-300,/work/data/mk-events-300,/work/data/demo300 \\
      --seeds 0-7 --base "--clusters 2 --before 5 --after 55 --restarts 1" \\
      --sets "conv=--architecture conv" "tcn=--architecture tcn" "bce=--loss bce" \\
      --output results.csv --markdown results.md

Rows already in --output (same data set, set name and seed) are kept and not run again, so an
interrupted evaluation continues where it stopped.
"""
import argparse
import csv
import os
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
FIELDS = ["dataset", "set", "seed", "acc", "nmi", "ari", "n", "seconds", "error", "args"]


def seeds_of(text):
    out = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out += range(int(a), int(b) + 1)
        elif part:
            out.append(int(part))
    return out


def run(cmd, timeout=7200):
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr, time.time() - t0


def copy_store(src, dst):
    con = sqlite3.connect(src)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    shutil.copyfile(src, dst)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=".build/release/seiscluster")
    ap.add_argument("--datasets", required=True)
    ap.add_argument("--seeds", default="0-7")
    ap.add_argument("--base", default="--clusters 2 --before 5 --after 55 --restarts 1")
    ap.add_argument("--sets", nargs="+", required=True, help="NAME=ARGS ...")
    ap.add_argument("--output", required=True)
    ap.add_argument("--markdown")
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    sets = [s.split("=", 1) for s in args.sets]
    done = {}
    if os.path.exists(args.output):
        for r in csv.DictReader(open(args.output)):
            done[(r["dataset"], r["set"], int(r["seed"]))] = r
    out = open(args.output, "a", newline="")
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    if not done:
        writer.writeheader()
    work = tempfile.mkdtemp(prefix="evalfam-")
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    print("# eval_family: %s (%s); load %.2f %.2f %.2f" % (binary, version, *os.getloadavg()), flush=True)
    try:
        # Every data set ingested first; then seed by seed over every data set and option set,
        # so that an evaluation stopped early has every cell at the seeds it reached.
        bases = []
        for ds in args.datasets.split(","):
            name = os.path.basename(os.path.normpath(ds))
            base = os.path.join(work, name + ".sqlite")
            wf = os.path.join(ds, "waveforms")
            rc, o, e, _ = run([binary, "--db", base, "ingest", wf if os.path.isdir(wf) else ds, "--quiet"])
            rc2, o, e2, _ = run([binary, "--db", base, "picks", "import", os.path.join(ds, "picks.csv"), "--quiet"])
            if rc2 != 0:
                print("  %s: picks import failed: %s" % (name, e2.strip()), flush=True)
                continue
            bases.append((ds, name, base))
        for seed in seeds_of(args.seeds):
            for ds, name, base in bases:
                for set_name, set_args in sets:
                    if (name, set_name, seed) in done:
                        continue
                    db = os.path.join(work, "run.sqlite")
                    copy_store(base, db)
                    cargs = shlex.split(args.base) + shlex.split(set_args) + ["--seed", str(seed)]
                    rc, o, e, t = run([binary, "--db", db, "cluster"] + cargs)
                    row = dict(dataset=name, set=set_name, seed=seed, seconds=round(t, 1),
                               args=" ".join(cargs), acc="", nmi="", ari="", n="", error="")
                    if rc != 0:
                        row["error"] = next((l for l in e.splitlines() if l.startswith("error")), e.strip()[-200:])
                    else:
                        rc, o, e, _ = run([binary, "--db", db, "evaluate", "--truth", os.path.join(ds, "truth.csv")])
                        m = EVAL_RE.search(o)
                        if m:
                            row.update(acc=float(m.group(1)), nmi=float(m.group(2)), ari=float(m.group(3)), n=int(m.group(4)))
                        else:
                            row["error"] = "evaluate: " + e.strip()[-200:]
                    writer.writerow(row)
                    out.flush()
                    done[(name, set_name, seed)] = row
                    print("  %s %s seed %d: ACC %s (%.0f s)%s" % (name, set_name, seed, row["acc"], t,
                                                            " " + row["error"] if row["error"] else ""), flush=True)
                    for ext in ("", "-wal", "-shm"):
                        if os.path.exists(db + ext):
                            os.remove(db + ext)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        out.close()
    # Table: one row per set, per data set worst / median / spread.
    rows = list(csv.DictReader(open(args.output)))
    datasets = []
    for r in rows:
        if r["dataset"] not in datasets:
            datasets.append(r["dataset"])
    names = [s for s, _ in sets]
    md = ["| option set | " + " | ".join("%s worst / median / spread (n)" % d for d in datasets) + " | mean s |",
          "|---|" + "---|" * len(datasets) + "---:|"]
    for s in names:
        cells = []
        secs = []
        for d in datasets:
            accs = [float(r["acc"]) for r in rows if r["dataset"] == d and r["set"] == s and r["acc"]]
            fails = [r for r in rows if r["dataset"] == d and r["set"] == s and r["error"]]
            secs += [float(r["seconds"]) for r in rows if r["dataset"] == d and r["set"] == s and r["seconds"]]
            if accs:
                cells.append("%.3f / %.3f / %.3f (%d%s)" % (min(accs), statistics.median(accs), max(accs) - min(accs),
                                                         len(accs), ", %d failed" % len(fails) if fails else ""))
            else:
                cells.append("–" if not fails else "failed: %s" % fails[0]["error"][:60])
        md.append("| %s | %s | %.0f |" % (s, " | ".join(cells), statistics.mean(secs) if secs else 0))
    text = "\n".join(md)
    print(text)
    if args.markdown:
        open(args.markdown, "w").write(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
