#!/bin/bash
# Usage: tools/experiments/default_times.sh BIN DATA BASE_STORE [SEEDS]
# Issue 14's time limit: default `cluster --clusters 2 --before 5 --after 55 --seed S` on a fresh
# copy of BASE_STORE (window building included), one line per seed: wall time, peak RSS, the
# restarts trained (from the stability line) and ACC.
source "$(dirname "$0")/../seed_runs.sh"
B=$1; DATA=$2; BASE=$3; SEEDS=${4:-"0 1 2 3 4 5 6 7"}
W=$(mktemp -d)
for s in $SEEDS; do
  echo "$(basename "$DATA") seed $s $(timed_run "$B" "$DATA" "$BASE" $W $s)"
done
rm -rf $W
