#!/bin/bash
# Usage: tools/experiments/linear_self_training.sh BIN NAME SEEDS...
# Default `cluster --clusters 2 --before 5 --after 55 --seed S` on a copy of /tmp/re/NAME/base.sqlite
# (DATA in /work/data/NAME), exports kept under $OUT/NAME/sS (default /tmp/linself), then the screen.
B=$1; N=$2; shift 2
for s in "$@"; do
  D=${OUT:-/tmp/linself}/$N/s$s; mkdir -p $D; rm -f $D/*
  cp /tmp/re/$N/base.sqlite $D/s.sqlite
  /usr/bin/time -f "%e s %M KB" -o $D/time $B --db $D/s.sqlite cluster --clusters 2 --before 5 --after 55 --seed $s > $D/out 2>&1
  $B --db $D/s.sqlite export --format csv --output $D/catalog.csv -q
  $B --db $D/s.sqlite windows export --output $D/w.npy --index $D/w.csv -q
  cp /work/data/$N/truth.csv $D/truth.csv
  acc=$($B --db $D/s.sqlite evaluate --truth $D/truth.csv 2>&1 | grep -o "^ACC=[0-9.]*")
  rm -f $D/s.sqlite*
  echo "$N s$s $acc $(cat $D/time) $(${PYTHON:-python3} "$(dirname "$0")/linear_self_training.py" $D)"
done
