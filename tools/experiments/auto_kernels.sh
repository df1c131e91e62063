#!/bin/bash
# Usage: SEISCLUSTER=BIN tools/experiments/auto_kernels.sh OUT [DATA_ROOT] [VARIANTS]
# Decision 0006, "A shorter kernel at the ends": `--clusters auto` (decision 0015's rule) with
# each --kernels variant (default: 3,5,5; the default 5 was measured at stop 29), seeds 0-7,
# on make_events.py 2,000, the demo 2,000 and generator B's families per station (three
# stations, one of them SAC), and seeds 0-3 on generator B 2,000; one tools/seed_runs.sh line
# per run in OUT. SEEDS and GB_SEEDS narrow the seeds. DATA_ROOT as in tools/experiments/kernels_matrix.sh and kernels_other.sh.
source "$(dirname "$0")/../seed_runs.sh"
B=${SEISCLUSTER:-$(dirname "$0")/../../.build/release/seiscluster}
OUT=$1
D=${2:-/work/data}
VARIANTS=${3:-"3,5,5"}
for s in ${SEEDS:-0 1 2 3 4 5 6 7}; do
  for k in $VARIANTS; do
    for src in "mk $D/mk-events-2000 $D/evx/base.sqlite" "demo $D/demo2000 $D/demo2000/demo.sqlite"; do
      set -- $src
      seed_run "$B" "$2" "$3" "$1 auto k$k seed $s" --clusters auto --before 5 --after 55 \
        --seed "$s" --kernels "$k" >> "$OUT"
    done
    for st in XB.KESR ZQ.T07 9K.VLN; do
      seed_run "$B" "$D/genb-families" "$D/gfx/base.sqlite" "fam $st auto k$k seed $s" \
        --clusters auto --stations "$st" --before 5 --after 35 --seed "$s" --kernels "$k" >> "$OUT"
    done
  done
done
for s in ${GB_SEEDS:-0 1 2 3}; do
  for k in $VARIANTS; do
    seed_run "$B" "$D/genb-events-2000" "$D/gbx/base.sqlite" "gb auto k$k seed $s" \
      --clusters auto --before 5 --after 55 --seed "$s" --kernels "$k" >> "$OUT"
  done
done
