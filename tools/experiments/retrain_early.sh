#!/bin/bash
# Usage: tools/experiments/retrain_early.sh BEFORE_BIN AFTER_BIN DATA BASE_STORE [SEEDS]
# Decision 0020, "Stopping early for the retrain": default `cluster --clusters 2 --before 5
# --after 55 --seed S` with two builds, interleaved per seed, each on a fresh copy of
# BASE_STORE (DATA ingested, its picks imported). One line per run: build, seed, wall time and
# peak RSS, the restarts of each run (from the stability lines), ACC, and the md5 of the
# exported catalog's window_id,cluster columns (the same labels give the same md5).
B0=$1; B1=$2; DATA=$3; BASE=$4; SEEDS=${5:-"0 1 2 3 4 5 6 7"}
W=$(mktemp -d)
for s in $SEEDS; do
  for b in "$B0" "$B1"; do
    cp "$BASE" $W/s.sqlite
    /usr/bin/time -f "%e s %M KB" -o $W/time "$b" --db $W/s.sqlite cluster --clusters 2 \
      --before 5 --after 55 --seed $s > $W/out 2>&1
    restarts=$(grep -o "mean ARI between [0-9]* restarts" $W/out | grep -o "[0-9]*" | paste -sd/ -)
    acc=$("$b" --db $W/s.sqlite evaluate --truth "$DATA/truth.csv" 2>&1 | grep -o "^ACC=[0-9.]*")
    "$b" --db $W/s.sqlite export --format csv --output $W/c.csv --force --quiet
    md5=$(cut -d, -f1,7 $W/c.csv | md5sum | cut -c1-8)
    echo "$(basename $b) seed $s $(cat $W/time) restarts $restarts $acc labels $md5"
    rm -f $W/s.sqlite*
  done
done
rm -rf $W
