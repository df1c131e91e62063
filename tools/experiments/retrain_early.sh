#!/bin/bash
# Usage: tools/experiments/retrain_early.sh BEFORE_BIN AFTER_BIN DATA BASE_STORE [SEEDS]
# Decision 0020, "Stopping early for the retrain": default `cluster --clusters 2 --before 5
# --after 55 --seed S` with two builds, interleaved per seed, each on a fresh copy of
# BASE_STORE (DATA ingested, its picks imported). One line per run: build, seed, wall time and
# peak RSS, the restarts of each run (from the stability lines), ACC, and the md5 of the
# exported catalog's window_id,cluster columns (the same labels give the same md5).
source "$(dirname "$0")/../seed_runs.sh"
B0=$1; B1=$2; DATA=$3; BASE=$4; SEEDS=${5:-"0 1 2 3 4 5 6 7"}
W=$(mktemp -d)
for s in $SEEDS; do
  for b in "$B0" "$B1"; do
    line=$(timed_run "$b" "$DATA" "$BASE" $W $s)
    "$b" --db $W/s.sqlite export --format csv --output $W/c.csv --force --quiet
    md5=$(cut -d, -f1,7 $W/c.csv | md5sum | cut -c1-8)
    echo "$(basename $b) seed $s $line labels $md5"
  done
done
rm -rf $W
