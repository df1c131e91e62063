#!/bin/bash
# Usage: tools/families_per_station.sh BIN DATA BASE_STORE "NET.STA ..." "SEEDS" [cluster options]
# BASE_STORE holds DATA ingested and its picks imported; each run works on a copy. Prints per
# station and seed the K chosen by --clusters auto, ACC (evaluate --truth DATA/truth.csv),
# wall time and the stability line (decision 0018).
source "$(dirname "$0")/seed_runs.sh"
BIN=$1; DATA=$2; BASE=$3; STATIONS=$4; SEEDS=$5; shift 5
for st in $STATIONS; do for s in $SEEDS; do
  seed_run "$BIN" "$DATA" "$BASE" "$st seed $s" --clusters auto --stations "$st" --before 5 \
    --after 35 --seed "$s" "$@"
done; done
