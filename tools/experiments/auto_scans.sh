#!/bin/bash
# Usage: SEISCLUSTER=BIN tools/experiments/auto_scans.sh OUT [DATA_ROOT]
# Decision 0015, "Both criteria at once (stop 33)": one `cluster --clusters auto` log per run
# in OUT (GROUP-SEED.log, with the run's wall time and `evaluate --truth` line appended), for
# tools/experiments/k_rule_replay.py with tools/experiments/k_rule_truth.csv. It runs, seeds
# 0-7, what stops 32 and 33 scanned with the builds of their time (the stop 29 scans came from
# an instrumented build): generator B's and make_events.py's families per station, the event
# sets of 2,000 (make_events.py, the demo, generator B) and 300 windows (both generators) and
# the hard profiles, and the site-resonance set. Replay its folder alone: stop 32's and stop
# 33's folders hold the same runs. Each run works on a copy of an ingested store with the
# picks imported (DATA_ROOT/STORE, the data in DATA_ROOT/DATA). make_events.py's families:
# `tools/make_events.py DATA_ROOT/mkfam --kind families --seed 31`, ingested with its picks
# into DATA_ROOT/mkfamx/base.sqlite. SEEDS narrows the seeds.
B=${SEISCLUSTER:-$(dirname "$0")/../../.build/release/seiscluster}
OUT=${1:?output folder}
D=${2:-/work/data}
mkdir -p "$OUT"
run() {
  local name=$1 truth=$2 base=$3
  shift 3
  local db
  db=$(mktemp -d)/store.sqlite
  cp "$base" "$db"
  local start end
  start=$(date +%s.%N)
  "$B" --db "$db" cluster "$@" > "$OUT/$name.log" 2>&1
  end=$(date +%s.%N)
  echo "wall $(echo "$end - $start" | bc) s" >> "$OUT/$name.log"
  "$B" --db "$db" evaluate --truth "$truth" 2>&1 | grep -o 'ACC=.*' >> "$OUT/$name.log"
  rm -rf "$(dirname "$db")"
}
for s in ${SEEDS:-0 1 2 3 4 5 6 7}; do
  for st in 9K.AR2B XB.MOLA Y7.PAH04 ZQ.T11 XB.KESR ZQ.T07 9K.VLN; do
    run "fam-$st-$s" "$D/genb-families/truth.csv" "$D/gfx/base.sqlite" --clusters auto \
      --stations "$st" --before 5 --after 35 --seed "$s"
  done
  for st in 7K.S630C XS.S524A XS.S135D ZQ.S371B ZQ.S635E; do
    run "mkfam-$st-$s" "$D/mkfam/truth.csv" "$D/mkfamx/base.sqlite" --clusters auto \
      --stations "$st" --before 5 --after 35 --seed "$s"
  done
  run "gb300-$s" "$D/genb-events-300/truth.csv" "$D/gb3x/base.sqlite" --clusters auto \
    --before 5 --after 55 --seed "$s"
  run "gbhard-$s" "$D/genb-events-hard-300/truth.csv" "$D/ghx/base.sqlite" --clusters auto \
    --before 5 --after 55 --bandpass 1,15 --seed "$s"
  run "mk300-$s" "$D/mk-events-300/truth.csv" "$D/mkx/base.sqlite" --clusters auto \
    --before 5 --after 55 --seed "$s"
  run "mkhard-$s" "$D/mk-events-hard-300/truth.csv" "$D/mhx/base.sqlite" --clusters auto \
    --before 5 --after 55 --bandpass 1,15 --seed "$s"
  run "res33-$s" "$D/resx/truth0.33.csv" "$D/resx/f0.33.sqlite" --clusters auto \
    --before 5 --after 55 --seed "$s"
  run "gbnoise-$s" "$D/genb-events-2000/truth.csv" "$D/gbx/base.sqlite" --clusters auto \
    --before 5 --after 55 --seed "$s"
  run "mk-$s" "$D/mk-events-2000/truth.csv" "$D/evx/base.sqlite" --clusters auto \
    --before 5 --after 55 --seed "$s"
  run "demo-$s" "$D/demo2000/truth.csv" "$D/demo2000/demo.sqlite" --clusters auto \
    --before 5 --after 55 --seed "$s"
done
