#!/bin/bash
# Usage: tools/events_per_station.sh BIN DATA BASE_STORE "NET.STA ..." "SEEDS" [cluster options]
# One station's local vs teleseismic events: cluster --clusters 2 --before 5 --after 55 per
# station and seed, then evaluate (decision 0018).
source "$(dirname "$0")/seed_runs.sh"
BIN=$1; DATA=$2; BASE=$3; STATIONS=$4; SEEDS=$5; shift 5
for st in $STATIONS; do for s in $SEEDS; do
  seed_run "$BIN" "$DATA" "$BASE" "$st seed $s" --clusters 2 --stations "$st" --before 5 \
    --after 55 --seed "$s" "$@"
done; done
