#!/bin/bash
# Usage: SEISCLUSTER=BIN tools/experiments/epochs_matrix.sh OUT [DATA_ROOT]
# Decision 0006, "Fewer epochs, tried again with restarts": seeds 0-7 x three 2,000-event
# sources x --epochs 30 and 20, interleaved per seed; one tools/seed_runs.sh line per run in OUT.
# DATA_ROOT (default /work/data) holds mk-events-2000 (tools/make_events.py --events 2000
# --seed 22) with its store evx/base.sqlite, demo2000 (seiscluster demo --events 2000
# --stations 8) with demo.sqlite, and genb-events-2000 (tools/make_synthetics_b.py, decision
# 0020) with gbx/base.sqlite: each store ingested and its picks imported.
source "$(dirname "$0")/../seed_runs.sh"
B=${SEISCLUSTER:-$(dirname "$0")/../../.build/release/seiscluster}
OUT=$1
D=${2:-/work/data}
for s in 0 1 2 3 4 5 6 7; do
  for src in "mk $D/mk-events-2000 $D/evx/base.sqlite" "demo $D/demo2000 $D/demo2000/demo.sqlite" \
    "gb $D/genb-events-2000 $D/gbx/base.sqlite"; do
    set -- $src
    for e in 30 20; do
      seed_run "$B" "$2" "$3" "$1 e$e seed $s" --clusters 2 --before 5 --after 55 --seed "$s" \
        --epochs "$e" >> "$OUT"
    done
  done
done
