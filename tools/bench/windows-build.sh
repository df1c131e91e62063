#!/bin/sh
# `windows build` benchmark (docs/benchmarks.md, "Windows build"): 205 three-component windows of
# 60 s at 100 Hz from one hour of stored data, against ObsPy running the same chain from files.
# Run from the repository root after `swift build -c release`.
set -eu
DIR=${1:-/tmp/seiscluster-bench-windows}
PY=${PYTHON:-/work/venv/bin/python}
BIN=.build/release/seiscluster
[ -f "$DIR/picks.csv" ] || "$PY" tools/bench/windows_build_data.py "$DIR"
DB="$DIR/bench.sqlite"
rm -f "$DB" "$DB-wal" "$DB-shm"
"$BIN" ingest "$DIR"/*.mseed --db "$DB" --quiet
"$BIN" picks import "$DIR/picks.csv" --db "$DB" --quiet
OPTIONS="--before 5 --after 55 --rate 100 --bandpass 1,20 --normalize max --input waveform"
start=$(date +%s.%N)
# shellcheck disable=SC2086
"$BIN" windows build $OPTIONS --db "$DB"
end=$(date +%s.%N)
echo "seiscluster: 205 windows in $(echo "$end - $start" | bc) s (whole process)" \
  "= $(echo "205 / ($end - $start)" | bc -l | cut -c1-6) windows/s"
"$PY" tools/bench/windows_build_data.py "$DIR" --obspy
