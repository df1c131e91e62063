#!/bin/bash
# Usage: tools/experiments/catalog_digests.sh BIN NAME SEEDS...
# Default `cluster --clusters 2 --before 5 --after 55 --seed S` with BIN on a copy of
# /tmp/re/NAME/base.sqlite (truth in /work/data/NAME); one line per seed: ACC, the first 12 hex
# digits of the md5 of `export --format csv`, wall time, peak RSS and the restarts trained. Two
# builds give the same labels when their digests match.
B=$1; N=$2; shift 2
for s in "$@"; do
  D=${WORK:-/tmp/catalog_digests}/$N; mkdir -p $D; rm -f $D/*
  cp /tmp/re/$N/base.sqlite $D/s.sqlite
  /usr/bin/time -f "%e s %M KB" -o $D/time $B --db $D/s.sqlite cluster --clusters 2 --before 5 --after 55 --seed $s > $D/out 2>&1
  acc=$($B --db $D/s.sqlite evaluate --truth /work/data/$N/truth.csv 2>&1 | grep -o "^ACC=[0-9.]*")
  md5=$($B --db $D/s.sqlite export --format csv --output - -q | md5sum | cut -c1-12)
  echo "$N s$s $acc $md5 $(cat $D/time) $(grep -o 'mean ARI between [0-9]* restarts' $D/out | paste -sd/ -)"
  rm -f $D/s.sqlite*
done
