#!/bin/bash
# Shared by the per-seed evaluation scripts (tools/families_per_station.sh,
# tools/events_per_station.sh, tools/events_cells.sh, tools/polarity_seeds.sh): source it, then
#   seed_run BIN DATA BASE_STORE LABEL cluster-arguments...
# copies BASE_STORE (DATA ingested, its picks imported), runs `cluster` on the copy, then
# `evaluate --truth DATA/truth.csv`, and prints one line: LABEL, the K chosen (--clusters auto;
# K=a/K=b when a retrain scans again, the last one kept),
# the evaluation, the wall time, the first error and the stability line.
seed_run() {
  local bin=$1 data=$2 base=$3 label=$4
  shift 4
  local db=/tmp/seed_run_$$.sqlite
  rm -f "$db"*
  cp "$base" "$db"
  local t0 t1 out k ev err stab
  t0=$(date +%s.%N)
  out=$(SEISCLUSTER_DB=$db "$bin" cluster "$@" 2>&1)
  t1=$(date +%s.%N)
  k=$(echo "$out" | grep -o "chose K=[0-9]*" | paste -sd/ -)
  err=$(echo "$out" | grep -m1 "^error")
  stab=$(echo "$out" | grep "^stability" | cut -c1-60)
  ev=$(SEISCLUSTER_DB=$db "$bin" evaluate --truth "$data/truth.csv" 2>&1 | grep -o "ACC=[0-9.]*.*")
  printf "%s %s %s %.1fs %s %s\n" "$label" "$k" "$ev" "$(echo "$t1 - $t0" | bc)" "$err" "$stab"
  rm -f "$db"*
}

# Used by tools/experiments/default_times.sh and retrain_early.sh:
#   timed_run BIN DATA BASE_STORE DIR SEED
# runs the default `cluster --clusters 2 --before 5 --after 55 --seed SEED` on DIR/s.sqlite, a
# fresh copy of BASE_STORE (window building included), and prints `WALL s PEAK KB restarts R
# ACC=...` (R: the restarts of each run, first run/retrain). DIR/s.sqlite stays for the caller,
# which removes it.
timed_run() {
  local bin=$1 data=$2 base=$3 dir=$4 seed=$5
  rm -f "$dir"/s.sqlite*
  cp "$base" "$dir/s.sqlite"
  /usr/bin/time -f "%e s %M KB" -o "$dir/time" "$bin" --db "$dir/s.sqlite" cluster --clusters 2 \
    --before 5 --after 55 --seed "$seed" > "$dir/out" 2>&1
  local restarts acc
  restarts=$(grep -o "mean ARI between [0-9]* restarts" "$dir/out" | grep -o "[0-9]*" | paste -sd/ -)
  acc=$("$bin" --db "$dir/s.sqlite" evaluate --truth "$data/truth.csv" 2>&1 | grep -o "^ACC=[0-9.]*")
  echo "$(cat "$dir/time") restarts $restarts $acc"
}
