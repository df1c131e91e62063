#!/bin/bash
# Usage: tools/events_per_station.sh BIN DATA BASE_STORE "NET.STA ..." "SEEDS" [cluster options]
# One station's local vs teleseismic events: cluster --clusters 2 --before 5 --after 55 per
# station and seed, then evaluate (decision 0018).
# evrun.sh BIN DATA BASE "STATIONS" "SEEDS" EXTRA...: per station and seed, cluster --clusters 2 + evaluate
BIN=$1; DATA=$2; BASE=$3; STATIONS=$4; SEEDS=$5; shift 5
for st in $STATIONS; do for s in $SEEDS; do
  db=/tmp/evrun_$$.sqlite; rm -f $db*; cp $BASE $db
  t0=$(date +%s.%N)
  out=$(SEISCLUSTER_DB=$db $BIN cluster --clusters 2 --stations $st --before 5 --after 55 --seed $s "$@" 2>&1)
  t1=$(date +%s.%N)
  ev=$(SEISCLUSTER_DB=$db $BIN evaluate --truth $DATA/truth.csv 2>&1 | grep -o "ACC=[0-9.]*.*")
  printf "%s seed %s %s %.1fs\n" $st $s "$ev" $(echo "$t1 - $t0" | bc)
done; done
rm -f /tmp/evrun_$$.sqlite*
