#!/bin/bash
# Usage: tools/experiments/default_times.sh BIN DATA BASE_STORE [SEEDS]
# Issue 14's time limit: default `cluster --clusters 2 --before 5 --after 55 --seed S` on a fresh
# copy of BASE_STORE (window building included), one line per seed: wall time, peak RSS, the
# restarts trained (from the stability line) and ACC.
B=$1; DATA=$2; BASE=$3; SEEDS=${4:-"0 1 2 3 4 5 6 7"}
W=$(mktemp -d)
for s in $SEEDS; do
  cp "$BASE" $W/s.sqlite
  /usr/bin/time -f "%e s %M KB" -o $W/time "$B" --db $W/s.sqlite cluster --clusters 2 \
    --before 5 --after 55 --seed $s > $W/out 2>&1
  restarts=$(grep -o "mean ARI between [0-9]* restarts" $W/out | grep -o "[0-9]*" | paste -sd/ -)
  acc=$("$B" --db $W/s.sqlite evaluate --truth "$DATA/truth.csv" 2>&1 | grep -o "^ACC=[0-9.]*")
  echo "$(basename "$DATA") seed $s $(cat $W/time) restarts $restarts $acc"
  rm -f $W/s.sqlite*
done
rm -rf $W
