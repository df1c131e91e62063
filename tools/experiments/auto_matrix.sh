#!/bin/bash
# Decision 0015, "K whose restarts agree (stop 38)": `cluster --clusters auto` per seed.
#   tools/experiments/auto_matrix.sh BIN TAG DATA BASE_STORE "SEEDS" [cluster options]
# Each run works on a copy of BASE_STORE (DATA ingested, its picks imported). One line per seed:
# the K chosen, ACC (evaluate --truth DATA/truth.csv), wall time, the restarts trained, the Ks
# passed over because no two of their first restarts agreed, and whether `warning: unstable`
# was printed. Stop 38: the event sets with `--before 5 --after 55`, families with
# `--stations NET.STA --before 5 --after 35`.
BIN=$1; TAG=$2; DATA=$3; BASE=$4; SEEDS=$5; shift 5
for s in $SEEDS; do
  db=/tmp/auto_matrix_$$.sqlite; rm -f $db*; cp "$BASE" $db
  t0=$(date +%s.%N)
  out=$(SEISCLUSTER_DB=$db "$BIN" cluster --clusters auto --seed "$s" "$@" 2>&1)
  t1=$(date +%s.%N)
  k=$(echo "$out" | grep -o "chose K=[0-9]*" | paste -sd/ -)
  passed=$(echo "$out" | grep -o "^clusters auto: K=[0-9]*: no two of" | grep -o "K=[0-9]*" | paste -sd, -)
  r=$(echo "$out" | grep -o "mean ARI between [0-9]* restarts" | grep -o "[0-9]*" | paste -sd/ -)
  w=$(echo "$out" | grep -c "^warning: unstable")
  acc=$(SEISCLUSTER_DB=$db "$BIN" evaluate --truth "$DATA/truth.csv" 2>&1 | grep -o "^ACC=[0-9.]*")
  printf "%s seed %s %s %s %.1fs restarts %s passed-over [%s] unstable-warn %s\n" "$TAG" "$s" "$k" \
    "$acc" "$(echo "$t1 - $t0" | bc)" "$r" "$passed" "$w"
  rm -f $db*
done
