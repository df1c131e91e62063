#!/bin/bash
# Usage: SEISCLUSTER=BIN tools/experiments/kernels_matrix.sh OUT [DATA_ROOT] [VARIANTS]
# Decision 0006, "A shorter kernel (stop 29)": seeds 0-7 x three 2,000-event sources x
# --kernels variants (default: the default 5, then 3, then 3,5,5), interleaved per seed; one
# tools/seed_runs.sh line per run in OUT. DATA_ROOT as in tools/experiments/epochs_matrix.sh.
source "$(dirname "$0")/../seed_runs.sh"
B=${SEISCLUSTER:-$(dirname "$0")/../../.build/release/seiscluster}
OUT=$1
D=${2:-/work/data}
VARIANTS=${3:-"5 3 3,5,5"}
for s in 0 1 2 3 4 5 6 7; do
  for src in "mk $D/mk-events-2000 $D/evx/base.sqlite" "demo $D/demo2000 $D/demo2000/demo.sqlite" \
    "gb $D/genb-events-2000 $D/gbx/base.sqlite"; do
    set -- $src
    for k in $VARIANTS; do
      seed_run "$B" "$2" "$3" "$1 k$k seed $s" --clusters 2 --before 5 --after 55 --seed "$s" \
        --kernels "$k" >> "$OUT"
    done
  done
done
