#!/usr/bin/env bash
# Do two builds of seiscluster give identical runs? For refactors that must not change results.
#
#   tools/compare_runs.sh BIN_A BIN_B [--seeds "0 1 2"] [--demo] DATASET...
#
# For every dataset folder (waveforms, picks.csv, truth.csv; e.g. from tools/make_events.py):
# ingest and import the first half of the picks once (with BIN_A) and build windows (5 s before,
# 55 s after); then for every seed, with each binary on a copy of that store, run
# `cluster --clusters 2`, `relabel` (10 labels per class from truth.csv), import the other half
# of the picks, rebuild the windows and `assign` them with run 1; and compare every assignment row
# (cluster, probability, distance, q, embedding, label) and every stored model (architecture,
# parameters, optimizer state, centroids) byte for byte. `--demo` also compares `demo` runs
# (seed 0 of the data) with each model seed. Prints one line per comparison and exits 1 on any
# difference. CLUSTER_ARGS (e.g. "--restarts 1") is added to every `cluster` command.
set -euo pipefail
a=$1
b=$2
shift 2
seeds="0 1 2"
demo=0
datasets=()
while [ $# -gt 0 ]; do
  case $1 in
    --seeds) seeds=$2; shift 2 ;;
    --demo) demo=1; shift ;;
    *) datasets+=("$1"); shift ;;
  esac
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

dump() {  # the rows that must agree, as text
  sqlite3 "$1" "SELECT run_id, window_id, cluster, probability, distance, hex(q), hex(embedding),
      label, label_probability, is_hand_labelled FROM assignments ORDER BY run_id, window_id;
    SELECT id, architecture_json, hex(parameters), hex(optimizer_state), hex(centroids)
      FROM models ORDER BY id;
    SELECT id, kind, status, cluster_count, seed FROM runs ORDER BY id;"
}

compare() {  # name, store A, store B
  local da db
  da=$(dump "$2" | sha256sum | cut -c1-16)
  db=$(dump "$3" | sha256sum | cut -c1-16)
  local rows
  rows=$(sqlite3 "$2" "SELECT count(*) FROM assignments")
  if [ "$da" = "$db" ]; then
    echo "same      $1 ($rows assignment rows, digest $da)"
  else
    echo "DIFFERENT $1 (A $da, B $db)"
    failures=$((failures + 1))
  fi
}

labels_from_truth() {  # truth.csv -> 10 labels per class, first rows of each class
  awk -F, 'NR == 1 { print; next } { if (n[$5]++ < 10) print }' "$1"
}

for ds in "${datasets[@]}"; do
  name=$(basename "$ds")
  base="$work/$name-base.sqlite"
  "$a" --db "$base" ingest --quiet "$ds" >/dev/null
  # The first half of the picks now; the rest after clustering, for `assign` to place.
  half=$(( ($(wc -l <"$ds/picks.csv") - 1) / 2 + 1 ))
  head -n "$half" "$ds/picks.csv" >"$work/$name-picks-first.csv"
  "$a" --db "$base" picks import --quiet "$work/$name-picks-first.csv" >/dev/null
  "$a" --db "$base" windows build --quiet --before 5 --after 55 >/dev/null
  labels_from_truth "$ds/truth.csv" >"$work/$name-labels.csv"
  sqlite3 "$base" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  for seed in $seeds; do
    for side in A B; do
      bin=$a
      [ $side = B ] && bin=$b
      db="$work/$name-$seed-$side.sqlite"
      cp "$base" "$db"
      "$bin" --db "$db" cluster --quiet --clusters 2 --seed "$seed" ${CLUSTER_ARGS:-} >/dev/null
      "$bin" --db "$db" relabel --quiet --labels "$work/$name-labels.csv" >/dev/null 2>&1 || true
      "$bin" --db "$db" picks import --quiet "$ds/picks.csv" >/dev/null
      "$bin" --db "$db" windows build --quiet --before 5 --after 55 >/dev/null
      "$bin" --db "$db" assign --quiet --run 1 >/dev/null
    done
    compare "$name seed $seed" "$work/$name-$seed-A.sqlite" "$work/$name-$seed-B.sqlite"
  done
done

if [ $demo = 1 ]; then
  for seed in $seeds; do
    for side in A B; do
      bin=$a
      [ $side = B ] && bin=$b
      "$bin" demo --quiet --output "$work/demo-$side" --force >/dev/null
      "$bin" --db "$work/demo-$side/demo.sqlite" cluster --quiet --clusters 2 --seed "$seed" ${CLUSTER_ARGS:-} >/dev/null
    done
    compare "demo model seed $seed" "$work/demo-A/demo.sqlite" "$work/demo-B/demo.sqlite"
  done
fi

[ $failures = 0 ] || { echo "$failures comparisons differ"; exit 1; }
echo "all comparisons identical"
