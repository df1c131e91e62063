#!/bin/bash
# Usage: tools/experiments/probability_calibration.sh BIN
# docs/evaluation.md, "Later figures (stop 49)": default `cluster --clusters 2 --before 5 --after 55`
# on demo 2,000, generator B 2,000 and make_events.py 2,000 (seeds 0-7), and `--clusters auto
# --stations NET.STA --before 5 --after 35` on three stations of generator B's families (seeds
# 0-2), each on a copy of /tmp/re/NAME/base.sqlite (truth in /work/data/NAME); then
# probability_calibration.py scores q and three other per-window probabilities against the truth.
B=$1
D=$(dirname "$0")
W=${WORK:-/tmp/probability_calibration}; mkdir -p $W
for n in demo2000 genb-events-2000 mk-events-2000; do for s in 0 1 2 3 4 5 6 7; do
  rm -f $W/s.sqlite*; cp /tmp/re/$n/base.sqlite $W/s.sqlite
  $B --db $W/s.sqlite cluster -q --clusters 2 --before 5 --after 55 --seed $s > /dev/null 2>&1
  python3 $D/probability_calibration.py $W/s.sqlite /work/data/$n/truth.csv $n-s$s
done; done
for st in $(cut -d, -f1,2 /work/data/genb-families/truth.csv | tail -n +2 | sort -u | tr , . | head -3); do for s in 0 1 2; do
  rm -f $W/s.sqlite*; cp /tmp/re/genb-families/base.sqlite $W/s.sqlite
  $B --db $W/s.sqlite cluster -q --clusters auto --stations $st --before 5 --after 35 --seed $s > /dev/null 2>&1
  python3 $D/probability_calibration.py $W/s.sqlite /work/data/genb-families/truth.csv fam-$st-s$s
done; done
rm -f $W/s.sqlite*
