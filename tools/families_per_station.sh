#!/bin/bash
# Usage: tools/families_per_station.sh BIN DATA BASE_STORE "NET.STA ..." "SEEDS" [cluster options]
# BASE_STORE holds DATA ingested and its picks imported; each run works on a copy. Prints per
# station and seed the K chosen by --clusters auto, ACC (evaluate --truth DATA/truth.csv),
# wall time and the stability line (decision 0018).
# famrun.sh BIN DATA BASESTORE "STATIONS" "SEEDS" EXTRA... : per station and seed, cluster auto + evaluate
BIN=$1; DATA=$2; BASE=$3; STATIONS=$4; SEEDS=$5; shift 5
for st in $STATIONS; do for s in $SEEDS; do
  db=/tmp/famrun_$$.sqlite; rm -f $db*; cp $BASE $db
  t0=$(date +%s.%N)
  out=$(SEISCLUSTER_DB=$db $BIN cluster --clusters auto --stations $st --before 5 --after 35 --seed $s "$@" 2>&1)
  t1=$(date +%s.%N)
  k=$(echo "$out" | grep -o "chose K=[0-9]*" | head -1)
  stab=$(echo "$out" | grep "^stability" | cut -c1-40)
  ev=$(SEISCLUSTER_DB=$db $BIN evaluate --truth $DATA/truth.csv 2>&1 | grep -o "ACC=[0-9.]*")
  printf "%s seed %s %s %s %.1fs %s\n" $st $s "$k" "$ev" $(echo "$t1 - $t0" | bc) "$stab"
done; done
rm -f /tmp/famrun_$$.sqlite*
