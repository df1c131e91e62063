#!/bin/bash
# Usage: tools/experiments/restart_singles.sh BIN BASE_STORE TRUTH.csv OUT "SEEDS" [cluster options]
# One `--restarts 1` run of `cluster --clusters 2 --before 5 --after 55 --seed S [options]` per
# seed, each on a fresh copy of BASE_STORE (an ingested store with its picks), dumped to
# OUT/seedS.npz (labels, truth, pretraining loss: tools/experiments/bad_optima.py --dump); the
# windows of the first run are exported to OUT/windows.npy. Prints one line per seed: ACC, wall
# time, peak RSS. Input of tools/experiments/agreement_threshold.py (decision 0014, "Stop 36").
B=$1; BASE=$2; TRUTH=$3; OUT=$4; SEEDS=$5; shift 5
HERE=$(dirname "$0"); PY=${PYTHON:-python3}
mkdir -p "$OUT"
W=$(mktemp -d)
for s in $SEEDS; do
  db=$W/s.sqlite; rm -f "$db"*; cp "$BASE" "$db"
  /usr/bin/time -f "%e s %M KB" -o "$W/time" "$B" --db "$db" cluster --clusters 2 --before 5 \
    --after 55 --restarts 1 --seed "$s" "$@" > "$OUT/log$s" 2>&1
  "$PY" "$HERE/bad_optima.py" --dump "$db" "$TRUTH" "$OUT/seed$s.npz" > /dev/null
  [ -f "$OUT/windows.npy" ] || "$B" --db "$db" windows export --output "$OUT/windows.npy" > /dev/null
  echo "seed $s $("$B" --db "$db" evaluate --truth "$TRUTH" 2>&1 | grep -o '^ACC=[0-9.]*') $(cat "$W/time")"
done
rm -rf "$W"
