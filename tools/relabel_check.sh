#!/usr/bin/env bash
# Semi-supervised check (issue 7): cluster a data set made by tools/make_events.py (or the demo's
# folder), hand max(1 %, 10 per class) of its truth rows to `relabel`, and evaluate the labels on
# the other windows; then the same with those labels shuffled.
#   tools/relabel_check.sh DATASET_WITH_truth.csv [seed]
set -euo pipefail
ds=$1; seed=${2:-0}
bin=${SEISCLUSTER:-$(dirname "$0")/../.build/release/seiscluster}
work=$(mktemp -d); db=$work/s.sqlite
"$bin" --db "$db" ingest --quiet "$ds" || true
"$bin" --db "$db" picks import --quiet "$ds/picks.csv"
"$bin" --db "$db" cluster --quiet --clusters 2 --before 5 --after 55 >/dev/null
echo "unsupervised: $("$bin" --db "$db" evaluate --quiet --truth "$ds/truth.csv")"
python3 - "$ds/truth.csv" "$work" "$seed" <<'PY'
import csv, random, sys
rows = list(csv.DictReader(open(sys.argv[1])))
rng = random.Random(int(sys.argv[3]))
by = {}
for r in rows: by.setdefault(r["label"], []).append(r)
per = max(10, round(0.01 * len(rows) / len(by)))
given = [r for k in sorted(by) for r in rng.sample(by[k], per)]
cols = ["network", "station", "location", "time", "label"]
with open(sys.argv[2] + "/labels.csv", "w") as f:
    w = csv.DictWriter(f, cols, extrasaction="ignore"); w.writeheader(); w.writerows(given)
labels = [r["label"] for r in given]; rng.shuffle(labels)
with open(sys.argv[2] + "/shuffled.csv", "w") as f:
    w = csv.DictWriter(f, cols, extrasaction="ignore"); w.writeheader()
    for r, l in zip(given, labels): w.writerow({**r, "label": l})
print(f"{len(given)} hand labels ({per} per class) of {len(rows)} windows")
PY
"$bin" --db "$db" relabel --quiet --labels "$work/labels.csv"
echo "relabel: $("$bin" --db "$db" evaluate --truth "$ds/truth.csv" 2>&1 | grep -E 'labels:|ACC=' | tr '\n' ' ')"
echo "shuffled labels:"
"$bin" --db "$db" relabel --quiet --labels "$work/shuffled.csv" 2>&1 | grep -E "^warning: labels disagree" || echo "(no disagreement warning)"
echo "after shuffled relabel: $("$bin" --db "$db" evaluate --truth "$ds/truth.csv" 2>&1 | grep -E 'labels:' )"
