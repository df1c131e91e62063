#!/usr/bin/env bash
# Kills `seiscluster cluster` with SIGKILL at random moments, then resumes it with
# `cluster --resume`, and checks after every cycle that the store is sound and the labels equal
# those of an uninterrupted run.
#   scripts/crash-test-cluster.sh [kills=20] [events=300]
set -euo pipefail
kills=${1:-20}
events=${2:-300}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SEISCLUSTER:-$root/.build/release/seiscluster}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SEISCLUSTER_CHECKPOINT_SECONDS=0

"$bin" demo --output "$work/demo" --events "$events" --quiet >/dev/null
db="$work/demo/demo.sqlite"
labels() {  # window_id and cluster of the latest run
  "$bin" --db "$1" export --format csv --output "$work/out.csv" --force --quiet
  python3 -c 'import csv,sys; print("\n".join(r["window_id"] + "," + r["cluster"] for r in csv.DictReader(open(sys.argv[1]))))' "$work/out.csv"
}
cp "$db" "$work/base.sqlite"
start=$(date +%s.%N)
"$bin" --db "$work/base.sqlite" cluster --clusters 2 --quiet >/dev/null
full=$(echo "$(date +%s.%N) - $start" | bc)
labels "$work/base.sqlite" > "$work/expected.txt"
echo "uninterrupted run: ${full} s, $(wc -l < "$work/expected.txt") windows"

survived=0
resumed_mid=0
for i in $(seq 1 "$kills"); do
  cp "$work/base.sqlite" "$work/k.sqlite"
  sqlite3 "$work/k.sqlite" "DELETE FROM assignments; DELETE FROM checkpoints; DELETE FROM runs; DELETE FROM models;"
  delay=$(python3 -c "import random; print(round(random.uniform(0.05, $full * 1.1), 3))")
  "$bin" --db "$work/k.sqlite" cluster --clusters 2 --quiet >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ "$(sqlite3 "$work/k.sqlite" 'PRAGMA integrity_check')" = ok ] || { echo "kill $i: integrity check failed"; exit 1; }
  "$bin" --db "$work/k.sqlite" check --quiet || { echo "kill $i: check failed"; exit 1; }
  state=$(sqlite3 "$work/k.sqlite" "SELECT status FROM runs ORDER BY id DESC LIMIT 1")
  checkpoint=$(sqlite3 "$work/k.sqlite" "SELECT stage || ' ' || iteration FROM checkpoints LIMIT 1")
  if [ "$state" = running ]; then
    [ -n "$checkpoint" ] && resumed_mid=$((resumed_mid + 1))
    "$bin" --db "$work/k.sqlite" cluster --resume --quiet >/dev/null
  fi
  labels "$work/k.sqlite" > "$work/got.txt"
  if ! cmp -s "$work/expected.txt" "$work/got.txt"; then
    echo "kill $i after ${delay} s (${state}, checkpoint: ${checkpoint:-none}): labels differ"; exit 1
  fi
  runs=$(sqlite3 "$work/k.sqlite" "SELECT count(*) FROM runs WHERE status = 'complete'")
  [ "$runs" = 1 ] || { echo "kill $i: $runs complete runs"; exit 1; }
  echo "kill $i after ${delay} s: ${state}, checkpoint ${checkpoint:-none}: same labels"
  survived=$((survived + 1))
done
echo "$survived passed, 0 failed: $survived kills survived ($resumed_mid resumed from a mid-run checkpoint)"
