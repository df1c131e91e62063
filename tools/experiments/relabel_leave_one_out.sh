#!/bin/bash
# Leave-one-out over the hand labels of one draw (docs/evaluation.md, "Later figures (stop 25)"):
#   tools/experiments/relabel_leave_one_out.sh BIN DATA BASE_STORE SEED DRAW [cluster options]
# relabels a --restarts 1 run once per hand label left out and prints each accuracy.
B=$1; D=$2; BASE=$3; S=$4; DRAW=$5; shift 5
w=$(mktemp -d)
cp "$BASE" $w/run.sqlite
SEISCLUSTER_DB=$w/run.sqlite $B cluster --quiet --clusters 2 --before 5 --after 55 --restarts 1 --seed $S "$@" >/dev/null 2>&1
for drop in $(seq 0 19); do
  ${PYTHON:-python3} - $D/truth.csv $w/labels.csv $DRAW $drop <<'PY'
import csv, random, sys
rows = list(csv.DictReader(open(sys.argv[1]))); rng = random.Random(int(sys.argv[3])); by = {}
for r in rows: by.setdefault(r["label"], []).append(r)
given = [r for k in sorted(by) for r in rng.sample(by[k], 10)]
d = given.pop(int(sys.argv[4]))
print(d['label'], d['station'], d['time'][11:23], end=' ')
with open(sys.argv[2], "w") as f:
    w = csv.DictWriter(f, ["network", "station", "location", "time", "label"], extrasaction="ignore"); w.writeheader(); w.writerows(given)
PY
  cp $w/run.sqlite $w/d.sqlite
  SEISCLUSTER_DB=$w/d.sqlite $B relabel --quiet --labels $w/labels.csv >/dev/null 2>&1
  echo "without it: $(SEISCLUSTER_DB=$w/d.sqlite $B evaluate --truth $D/truth.csv 2>&1 | grep -o 'labels: accuracy [0-9.]*')"
done
rm -rf $w
