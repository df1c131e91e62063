#!/usr/bin/env bash
# Ingest benchmark (docs/benchmarks.md, "Ingest"): seiscluster (release build) against ObsPy
# read() + SQLite blobs, on the same >= 200 MB of generated MiniSEED and SAC files.
# Usage: tools/bench-ingest.sh [DATA_DIR]   (default /tmp/seiscluster-bench/data; generated once)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-/work/venv/bin/python}
DATA=${1:-/tmp/seiscluster-bench/data}
WORK=$(dirname "$DATA")
[ -d "$DATA" ] || "$PY" tools/generate-ingest-benchmark.py "$DATA"
swift build -c release --product seiscluster 2>&1 | tail -1
BYTES=$(du -sb "$DATA" | cut -f1)

rm -f "$WORK/swift.sqlite"*
# Warm the page cache so both tools read from memory.
cat "$DATA"/* > /dev/null
START=$(date +%s.%N)
/usr/bin/time -f "cpu %U %S" -o "$WORK/swift.time" \
  .build/release/seiscluster ingest "$DATA" --db "$WORK/swift.sqlite" 2> "$WORK/swift.log"
END=$(date +%s.%N)
SWIFT_CPU=$(awk '/^cpu/ {print $2 + $3}' "$WORK/swift.time")
SWIFT_S=$(echo "$END - $START" | bc -l)
SAMPLES=$(grep -o '([0-9]* segments\?, [0-9]* samples)' "$WORK/swift.log" | grep -o '[0-9]* samples' | cut -d' ' -f1)

rm -f "$WORK/obspy.sqlite"*
PEER=$(/usr/bin/time -f "cpu %U %S" -o "$WORK/obspy.time" \
  "$PY" tools/obspy-ingest-peer.py "$WORK/obspy.sqlite" "$DATA")
PY_CPU=$(awk '/^cpu/ {print $2 + $3}' "$WORK/obspy.time")
PY_S=$(echo "$PEER" | sed 's/.*seconds=//')

echo "data: $(ls "$DATA" | wc -l) files, $(echo "$BYTES / 1000000" | bc -l | xargs printf '%.1f') MB, $SAMPLES samples"
printf 'seiscluster: %.2f s, %.1f MB/s, %.2f Msamples/s\n' "$SWIFT_S" "$(echo "$BYTES / $SWIFT_S / 1000000" | bc -l)" "$(echo "$SAMPLES / $SWIFT_S / 1000000" | bc -l)"
printf 'obspy peer:  %.2f s, %.1f MB/s, %.2f Msamples/s\n' "$PY_S" "$(echo "$BYTES / $PY_S / 1000000" | bc -l)" "$(echo "$SAMPLES / $PY_S / 1000000" | bc -l)"
printf 'ratio (wall, peer timed after its imports): %.2fx\n' "$(echo "$PY_S / $SWIFT_S" | bc -l)"
printf 'cpu seconds (user+sys, whole process): seiscluster %.2f, obspy peer %.2f, ratio %.2fx\n' \
  "$SWIFT_CPU" "$PY_CPU" "$(echo "$PY_CPU / $SWIFT_CPU" | bc -l)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
