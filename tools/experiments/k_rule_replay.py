#!/usr/bin/env python3
"""Decision 0015, "Both criteria at once (stop 33)": scores rules for `--clusters auto` on
the K scans that `cluster --clusters auto` printed.

Usage: tools/experiments/k_rule_replay.py TRUTH_K.csv LOG_DIR... [--show RULE_A,RULE_B]
       [--exclude GROUP,...]

Each LOG_DIR holds one `cluster` log per run, named GROUP-SEED.log (for example
gb300-3.log or fam-XB.KESR-0.log, as tools/experiments/auto_scans.sh writes them). TRUTH_K.csv
maps each GROUP to its true K (lines `group,k`). A log's last scan is scored. The scan comes
from its `clusters auto: K=k stability s silhouette h` lines, or, in logs of stop 29's
instrumented build, from `AUTODBG K=k pairs a b c silhouette h`, whose partner agreement is
recomputed from the three pair ARIs. A run whose noise run was discarded (decision 0020)
prints only its last scan. There another rule may change the noise run's K, and with it
whether that run is kept, so such sets must be run again, not replayed (decision 0015 leaves
the site-resonance set, res33, out of its totals: --exclude res33).
"""
import csv
import glob
import os
import re
import sys


def scans(text):
    """The scans of one log, each a list of (K, stability, silhouette); a scan ends where K
    stops increasing."""
    rows = []
    if "AUTODBG" in text:
        number = r"(-?[\d.]+)"
        pattern = rf"AUTODBG K=(\d+) pairs {number} {number} {number} silhouette {number}"
        for m in re.finditer(pattern, text):
            a, b, c = float(m[2]), float(m[3]), float(m[4])
            partner = sorted([max(a, b), max(a, c), max(b, c)])[1]
            rows.append((int(m[1]), partner, float(m[5])))
    else:
        pattern = r"clusters auto: K=(\d+) stability (-?[\d.]+) silhouette (-?[\d.]+)"
        rows = [(int(m[1]), float(m[2]), float(m[3])) for m in re.finditer(pattern, text)]
    out = []
    for row in rows:
        if not out or row[0] <= out[-1][-1][0]:
            out.append([])
        out[-1].append(row)
    return out


def band(t):
    """Stops 29-32: the most stable within t, then the highest silhouette, then the smaller K."""
    def rule(scan):
        best = max(s for _, s, _ in scan)
        near = [(k, h) for k, s, h in scan if s >= best - t]
        return max(near, key=lambda x: (x[1], -x[0]))[0]
    return rule


def argmax(score):
    return lambda scan: max(scan, key=lambda x: (score(x[1], x[2]), -x[0]))[0]


RULES = {
    "band.04": band(0.04),
    "band.06": band(0.06),
    "band.08": band(0.08),
    "band.10": band(0.10),
    "band.15": band(0.15),
    "product": argmax(lambda s, h: s * h),
    "sum": argmax(lambda s, h: s + h),
}


def main(argv):
    def option(name):
        nonlocal argv
        if name not in argv:
            return None
        i = argv.index(name)
        value = argv[i + 1].split(",")
        argv = argv[:i] + argv[i + 2:]
        return value

    show = option("--show")
    exclude = set(option("--exclude") or [])
    truth = {row[0]: int(row[1]) for row in csv.reader(open(argv[0])) if row}
    truth = {group: k for group, k in truth.items() if group not in exclude}
    groups = {}
    for d in argv[1:]:
        for path in sorted(glob.glob(os.path.join(d, "*.log"))):
            group = re.sub(r"-\d+$", "", os.path.basename(path)[:-4])
            found = scans(open(path).read())
            if group in truth and found:
                # The folder's own name, or its parent's for folders named auto.
                parts = os.path.normpath(d).split(os.sep)
                name = parts[-2] if parts[-1] == "auto" and len(parts) > 1 else parts[-1]
                key = f"{name}:{group}"
                groups.setdefault(key, []).append((os.path.basename(path), found[-1]))
    print("%-28s %5s " % ("set", "runs") + " ".join("%8s" % r for r in RULES))
    total = {r: 0 for r in RULES}
    for key, runs in groups.items():
        k = truth[key.split(":", 1)[1]]
        right = {r: sum(RULES[r](scan) == k for _, scan in runs) for r in RULES}
        for r in RULES:
            total[r] += right[r]
        print("%-28s %5d " % (key, len(runs)) + " ".join("%8d" % right[r] for r in RULES))
        if show:
            a, b = (RULES[x] for x in show)
            for name, scan in runs:
                if a(scan) != b(scan):
                    print(f"  {name}: true {k}, {show[0]} {a(scan)}, {show[1]} {b(scan)}")
    count = sum(len(v) for v in groups.values())
    print("%-28s %5d " % ("total", count) + " ".join("%8d" % total[r] for r in RULES))


if __name__ == "__main__":
    main(sys.argv[1:])
