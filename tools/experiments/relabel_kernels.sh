#!/bin/bash
# Usage: SEISCLUSTER=BIN tools/experiments/relabel_kernels.sh OUT [DATA_ROOT] [VARIANTS]
# Decision 0006, "A shorter kernel at the ends": relabel (10 labels per class, draws 0-2) from
# `--restarts 1` runs of each --kernels variant, through tools/experiments/relabel_matrix.sh
# (which prints the source run's ACC, then one line per draw). Sources and seeds:
# make_events.py hard 300 and generator B hard 300 (both --bandpass 1,15) and make_events.py
# 300, seeds 0-7; the demo 2,000, seeds 0-3; interleaved per seed.
# DATA_ROOT holds mk-events-hard-300 + mhx/base.sqlite, mk-events-300 + mkx/base.sqlite,
# genb-events-hard-300 + ghx/base.sqlite, demo2000 (truth.csv, demo.sqlite).
B=${SEISCLUSTER:-$(dirname "$0")/../../.build/release/seiscluster}
M=$(dirname "$0")/relabel_matrix.sh
OUT=$1
D=${2:-/work/data}
VARIANTS=${3:-"5 3,5,5"}
for s in $(seq 0 7); do
  for k in $VARIANTS; do
    bash "$M" "$B" "mkhard-k$k" "$D/mk-events-hard-300" "$D/mhx/base.sqlite" "$s" "0 1 2" \
      --bandpass 1,15 --kernels "$k" >> "$OUT"
    bash "$M" "$B" "gbhard-k$k" "$D/genb-events-hard-300" "$D/ghx/base.sqlite" "$s" "0 1 2" \
      --bandpass 1,15 --kernels "$k" >> "$OUT"
    bash "$M" "$B" "mk300-k$k" "$D/mk-events-300" "$D/mkx/base.sqlite" "$s" "0 1 2" \
      --kernels "$k" >> "$OUT"
    if [ "$s" -lt 4 ]; then
      bash "$M" "$B" "demo-k$k" "$D/demo2000" "$D/demo2000/demo.sqlite" "$s" "0 1 2" \
        --kernels "$k" >> "$OUT"
    fi
  done
done
