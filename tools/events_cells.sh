#!/bin/bash
# Usage: tools/events_cells.sh BIN DATA BASE_STORE "SEEDS" [cluster options]: local vs teleseismic,
# cluster --clusters 2 --before 5 --after 55 per seed on a copy of BASE_STORE, then evaluate.
# cellrun.sh BIN DATA BASE "SEEDS" EXTRA...: events, --clusters 2 --before 5 --after 55
BIN=$1; DATA=$2; BASE=$3; SEEDS=$4; shift 4
for s in $SEEDS; do
  db=/tmp/cell_$$.sqlite; rm -f $db*; cp $BASE $db
  t0=$(date +%s.%N)
  out=$(SEISCLUSTER_DB=$db $BIN cluster --clusters 2 --before 5 --after 55 --seed $s "$@" 2>&1)
  t1=$(date +%s.%N)
  ev=$(SEISCLUSTER_DB=$db $BIN evaluate --truth $DATA/truth.csv 2>&1 | grep -o "ACC=[0-9.]*")
  err=$(echo "$out" | grep -m1 "^error")
  printf "seed %s %s %.1fs %s\n" $s "$ev" $(echo "$t1 - $t0" | bc) "$err"
done
rm -f /tmp/cell_$$.sqlite*
