#!/bin/bash
# Usage: tools/events_cells.sh BIN DATA BASE_STORE "SEEDS" [cluster options]: local vs teleseismic,
# cluster --clusters 2 --before 5 --after 55 per seed on a copy of BASE_STORE, then evaluate.
source "$(dirname "$0")/seed_runs.sh"
BIN=$1; DATA=$2; BASE=$3; SEEDS=$4; shift 4
for s in $SEEDS; do
  seed_run "$BIN" "$DATA" "$BASE" "seed $s" --clusters 2 --before 5 --after 55 --seed "$s" "$@"
done
