#!/bin/bash
# Usage: tools/polarity_seeds.sh BIN DATA BASE_STORE "SEEDS" [cluster options]: the paper's polarity
# net options (--components Z --before 0.16 --after 0.16 --filters 8,4,2,1 --kernels 11,9,3,3
# --activation tanh) per seed on a copy of BASE_STORE, then evaluate (decision 0006).
source "$(dirname "$0")/seed_runs.sh"
BIN=$1; DATA=$2; BASE=$3; SEEDS=$4; shift 4
for s in $SEEDS; do
  seed_run "$BIN" "$DATA" "$BASE" "seed $s" --clusters 2 --components Z --before 0.16 \
    --after 0.16 --filters 8,4,2,1 --kernels 11,9,3,3 --activation tanh --seed "$s" "$@"
done
