#!/usr/bin/env bash
# End-to-end check on a data set made by tools/make_events.py (independent of the Swift demo
# generator): ingest, picks import, cluster (default model), evaluate, export. Prints each stage's
# wall time and the evaluation line.
#   tools/heldout.sh DATASET [extra cluster options...]
set -euo pipefail
ds=$1; shift
bin=${SEISCLUSTER:-$(dirname "$0")/../.build/release/seiscluster}
db=$(mktemp -d)/heldout.sqlite
t() { local s=$(date +%s.%N); "$@"; echo "$(echo "$(date +%s.%N) - $s" | bc)"; }
s0=$(date +%s.%N)
ti=$(t "$bin" --db "$db" ingest --quiet "$ds" | tail -1)
tp=$(t "$bin" --db "$db" picks import --quiet "$ds/picks.csv" | tail -1)
tc=$(t "$bin" --db "$db" cluster --quiet --clusters 2 --before 5 --after 55 "$@" | tail -1)
te=$(t "$bin" --db "$db" export --quiet --format csv --output "${db%.sqlite}.csv" | tail -1)
total=$(echo "$(date +%s.%N) - $s0" | bc)
result=$("$bin" --db "$db" evaluate --quiet --truth "$ds/truth.csv")
printf 'ingest %.1f s, picks %.1f s, windows+cluster %.1f s, export %.1f s, total %.1f s\n' "$ti" "$tp" "$tc" "$te" "$total"
echo "$result"
