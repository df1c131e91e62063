#!/usr/bin/env bash
# End to end on the many-small-files event archive (docs/benchmarks.md, "End to end on 2,000
# events"): ingest -> picks import -> windows build -> cluster (default restarts) -> export
# QuakeML -> report, each stage timed by /usr/bin/time (wall, user CPU, peak RSS).
#
#   tools/bench/e2e_archive.sh [WORK_DIR]   (default /tmp/seiscluster-scale; the archive is
#                                            made there by make_archive.py events, as scale.sh does)
set -eu
cd "$(dirname "$0")/../.."
PY=${PYTHON:-/work/venv/bin/python}
BIN=${SEISCLUSTER:-.build/release/seiscluster}
W=${1:-/tmp/seiscluster-scale}
DB=$W/e2e.sqlite
[ -d "$W/events" ] || "$PY" tools/bench/make_archive.py events "$W/events" --events 2000
rm -f "$DB"* "$W/e2e.xml" "$W/e2e.html"
find "$W/events/waveforms/" -type f -exec cat {} + >/dev/null
echo "load $(cut -d' ' -f1-3 /proc/loadavg); $(find "$W/events/waveforms" -type f | wc -l) files"
start=$(date +%s.%N)
t() { /usr/bin/time -f "  $1: %e s %U user %M KB" "${@:2}" 2>&1 >/dev/null | grep -v "^warning" | tail -1; }
t ingest "$BIN" ingest -q "$W/events/waveforms" --db "$DB"
t picks "$BIN" picks import -q "$W/events/picks.csv" --db "$DB"
t windows "$BIN" windows build -q --before 5 --after 55 --db "$DB"
t cluster "$BIN" cluster -q --clusters 2 --db "$DB"
t export "$BIN" export -q --format quakeml --output "$W/e2e.xml" --db "$DB"
t report "$BIN" report -q --output "$W/e2e.html" --db "$DB"
echo "total: $(echo "$(date +%s.%N) - $start" | bc) s"
