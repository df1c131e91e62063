#!/bin/bash
# Usage: tools/experiments/reference_first_times.sh BIN NAME BASE_STORE TRUTH [SEEDS] [-- cluster options]
# Decision 0020, "Choosing the reference before training (stop 32)": per seed, the default
# `cluster --clusters 2 --before 5 --after 55 --seed S` on a fresh copy of BASE_STORE (window
# building included), first as the tool runs it ("new": the station check on the set's own
# k-means clusters before training) and then with SEISCLUSTER_REFERENCE_CHECK=run ("old": the
# check on the window run's clusters, the order before stop 32), in the same build. One line
# per run: wall time, peak RSS, ACC, the md5 of the catalog's window_id,cluster, and counts of
# the lines "... first:", "retraining with" and "... is discarded".
B=$1; NAME=$2; BASE=$3; TRUTH=$4; shift 4
SEEDS="0 1 2 3 4 5 6 7"
if [ $# -gt 0 ] && [ "$1" != "--" ]; then SEEDS=$1; shift; fi
[ "$1" = "--" ] && shift
W=$(mktemp -d)
for s in $SEEDS; do
  for flow in new old; do
    db=$W/s.sqlite; rm -f $db*; cp "$BASE" $db
    if [ $flow = old ]; then export SEISCLUSTER_REFERENCE_CHECK=run; else unset SEISCLUSTER_REFERENCE_CHECK; fi
    /usr/bin/time -f "%e %M" -o $W/t "$B" --db $db cluster --clusters 2 --before 5 --after 55 \
      --seed $s "$@" >$W/log 2>&1
    unset SEISCLUSTER_REFERENCE_CHECK
    acc=$("$B" --db $db evaluate --truth "$TRUTH" 2>&1 | grep -o '^ACC=[0-9.]*')
    rm -f $W/c.csv; "$B" --db $db export --format csv --output $W/c.csv --quiet >/dev/null 2>&1
    md5=$(cut -d, -f1,7 $W/c.csv | md5sum | cut -c1-8)
    echo "$NAME seed $s $flow $(awk '{printf "%.2f s %d MB", $1, $2/1024}' $W/t) $acc md5=$md5" \
      "first:$(grep -c 'first: k-means' $W/log) retrained:$(grep -c 'retraining with' $W/log)" \
      "discarded:$(grep -c 'is discarded' $W/log)"
  done
done
rm -rf $W
