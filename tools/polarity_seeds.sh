#!/bin/bash
# Usage: tools/polarity_seeds.sh BIN DATA BASE_STORE "SEEDS" [cluster options]: the paper's polarity
# net options (--components Z --before 0.16 --after 0.16 --filters 8,4,2,1 --kernels 11,9,3,3
# --activation tanh) per seed on a copy of BASE_STORE, then evaluate (decision 0006).
# polrun.sh BIN DATA BASE "SEEDS" EXTRA...: polarity, the paper's net options
BIN=$1; DATA=$2; BASE=$3; SEEDS=$4; shift 4
for s in $SEEDS; do
  db=/tmp/polrun_$$.sqlite; rm -f $db*; cp $BASE $db
  t0=$(date +%s.%N)
  out=$(SEISCLUSTER_DB=$db $BIN cluster --clusters 2 --components Z --before 0.16 --after 0.16 --filters 8,4,2,1 --kernels 11,9,3,3 --activation tanh --seed $s "$@" 2>&1)
  t1=$(date +%s.%N)
  stab=$(echo "$out" | grep "^stability" | cut -c1-60)
  ev=$(SEISCLUSTER_DB=$db $BIN evaluate --truth $DATA/truth.csv 2>&1 | grep -o "ACC=[0-9.]*")
  printf "seed %s %s %.1fs %s\n" $s "$ev" $(echo "$t1 - $t0" | bc) "$stab"
done
rm -f /tmp/polrun_$$.sqlite*
