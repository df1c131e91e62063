#!/bin/bash
# Relabel from a --restarts 1 run (docs/evaluation.md, "Later figures (stop 25)"):
#   tools/experiments/relabel_draws.sh BIN DATA BASE_STORE SEED "DRAWS" [cluster options]
# clusters a copy of BASE_STORE with --restarts 1 --seed SEED, then per draw hands 10 labels per
# class (Python random.Random(draw) over DATA/truth.csv) to relabel on a fresh copy of that run and
# prints the accuracy on the windows that were not hand-labelled.
BIN=$1; DATA=$2; BASE=$3; S=$4; DRAWS=$5; shift 5
w=/tmp/rl25_$S; mkdir -p $w; rm -f $w/*
cp $BASE $w/bad.sqlite
SEISCLUSTER_DB=$w/bad.sqlite $BIN cluster --quiet --clusters 2 --before 5 --after 55 --restarts 1 --seed $S "$@" >/dev/null 2>&1
echo "seed $S unsupervised: $(SEISCLUSTER_DB=$w/bad.sqlite $BIN evaluate --truth $DATA/truth.csv 2>&1 | grep -o 'ACC=[0-9.]*')"
for d in $DRAWS; do
  cp $w/bad.sqlite $w/d.sqlite
  ${PYTHON:-python3} - $DATA/truth.csv $w/labels.csv $d <<'PY'
import csv, random, sys
rows = list(csv.DictReader(open(sys.argv[1]))); rng = random.Random(int(sys.argv[3])); by = {}
for r in rows: by.setdefault(r["label"], []).append(r)
given = [r for k in sorted(by) for r in rng.sample(by[k], 10)]
with open(sys.argv[2], "w") as f:
    w = csv.DictWriter(f, ["network", "station", "location", "time", "label"], extrasaction="ignore"); w.writeheader(); w.writerows(given)
PY
  t0=$(date +%s.%N)
  SEISCLUSTER_DB=$w/d.sqlite $BIN relabel --quiet --labels $w/labels.csv >/dev/null 2>&1
  t1=$(date +%s.%N)
  echo "  draw $d: $(SEISCLUSTER_DB=$w/d.sqlite $BIN evaluate --truth $DATA/truth.csv 2>&1 | grep -E 'labels:|ACC=' | tr '\n' ' ' | cut -c1-200) $(echo "$t1 - $t0" | bc) s"
done
rm -rf $w
