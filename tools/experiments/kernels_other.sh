#!/bin/bash
# Usage: SEISCLUSTER=BIN tools/experiments/kernels_other.sh OUT [DATA_ROOT] [VARIANTS]
# Decision 0006, "A shorter kernel at the ends (stop 29)": the --kernels variants on the other
# shapes issue 14 names, seeds 0-7, one tools/seed_runs.sh line per run in OUT:
# repeating families per station (generator B families, --clusters auto, three stations, one
# of them SAC), the hard profile with --bandpass 1,15 (make_events.py and generator B hard 300),
# and --clusters auto on make_events.py 2,000 (seeds 0-3).
# DATA_ROOT holds genb-families + gfx/base.sqlite, mk-events-hard-300 + mhx/base.sqlite,
# genb-events-hard-300 + ghx/base.sqlite, mk-events-2000 + evx/base.sqlite.
source "$(dirname "$0")/../seed_runs.sh"
B=${SEISCLUSTER:-$(dirname "$0")/../../.build/release/seiscluster}
OUT=$1
D=${2:-/work/data}
VARIANTS=${3:-"5 3,5,5"}
for s in 0 1 2 3 4 5 6 7; do
  for k in $VARIANTS; do
    for st in XB.KESR ZQ.T07 9K.VLN; do
      seed_run "$B" "$D/genb-families" "$D/gfx/base.sqlite" "fam $st k$k seed $s" \
        --clusters auto --stations "$st" --before 5 --after 35 --seed "$s" --kernels "$k" >> "$OUT"
    done
    seed_run "$B" "$D/mk-events-hard-300" "$D/mhx/base.sqlite" "mkhard k$k seed $s" \
      --clusters 2 --before 5 --after 55 --bandpass 1,15 --seed "$s" --kernels "$k" >> "$OUT"
    seed_run "$B" "$D/genb-events-hard-300" "$D/ghx/base.sqlite" "gbhard k$k seed $s" \
      --clusters 2 --before 5 --after 55 --bandpass 1,15 --seed "$s" --kernels "$k" >> "$OUT"
    if [ "$s" -lt 4 ]; then
      seed_run "$B" "$D/mk-events-2000" "$D/evx/base.sqlite" "auto k$k seed $s" \
        --clusters auto --before 5 --after 55 --seed "$s" --kernels "$k" >> "$OUT"
    fi
  done
done
