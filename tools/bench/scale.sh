#!/usr/bin/env bash
# Archive-scale benchmark (docs/benchmarks.md, "Archive scale"): ingest and `windows build` on a
# many-small-files event archive and a day-file archive, each against its ObsPy peer in the same
# run, then `windows import` / `windows export` of 20 k and 200 k windows of 3 x 512 float32.
# Prints wall time, CPU time and peak RSS (from /usr/bin/time) per stage.
#
#   tools/bench/scale.sh [WORK_DIR] [REPEATS]     (default /tmp/seiscluster-scale, 1)
#
# Data is generated once into WORK_DIR (tools/bench/make_archive.py), never into the repository.
# Run from a release build (`swift build -c release`), at normal priority, on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-/work/venv/bin/python}
BIN=${SEISCLUSTER:-.build/release/seiscluster}
WORK=${1:-/tmp/seiscluster-scale}
REPEATS=${2:-1}
WINDOW="--before 5 --after 55 --rate 100 --bandpass 1,20 --normalize max --input waveform"
mkdir -p "$WORK"

[ -x "$BIN" ] || { echo "build first: swift build -c release" >&2; exit 1; }
[ -d "$WORK/events" ] || "$PY" tools/bench/make_archive.py events "$WORK/events" --events 2000
[ -d "$WORK/days" ] || "$PY" tools/bench/make_archive.py days "$WORK/days" --stations 3 --days 1 --picks 2000
for n in 20000 200000; do
  [ -f "$WORK/w$n.npy" ] || "$PY" tools/bench/make_archive.py npy "$WORK/w$n.npy" --windows "$n"
done

# One stage: NAME COMMAND...; prints wall, CPU (user + system) and peak RSS, and sets WALL.
stage() {
  local name=$1
  shift
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$@" >"$WORK/stage.out" 2>"$WORK/stage.err" || {
    echo "$name failed:" >&2
    tail -5 "$WORK/stage.err" >&2
    exit 1
  }
  read -r WALL USER SYS RSS <"$WORK/time"
  printf '  %-34s wall %7.2f s   cpu %7.2f s   peak RSS %6.0f MB\n' "$name" "$WALL" \
    "$(echo "$USER + $SYS" | bc)" "$(echo "$RSS / 1024" | bc -l)"
}

echo "seiscluster $("$BIN" --version) ($BIN); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" -c "import ctypes; l = ctypes.CDLL('libopenblas.so.0'); l.openblas_get_corename.restype = ctypes.c_char_p; print('OpenBLAS kernel (not used by ingest or windows):', l.openblas_get_corename().decode())" 2>/dev/null || true
"$PY" -c "import obspy, numpy, scipy; print(f'ObsPy {obspy.__version__}, NumPy {numpy.__version__}, SciPy {scipy.__version__}')"

for archive in events days; do
  data="$WORK/$archive/waveforms"
  files=$(find "$data" -type f | wc -l)
  megabytes=$(du -sm "$data" | cut -f1)
  echo
  echo "== $archive archive: $files files, $megabytes MB, $(($(wc -l <"$WORK/$archive/picks.csv") - 1)) picks"
  for run in $(seq "$REPEATS"); do
    echo " run $run (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    cat "$data"/* >/dev/null  # both tools read from the page cache
    rm -f "$WORK/$archive.sqlite"*
    stage "seiscluster ingest" "$BIN" ingest -q "$data" --db "$WORK/$archive.sqlite"
    ours=$WALL
    rm -f "$WORK/peer.sqlite"*
    stage "ObsPy read() + SQLite (peer)" "$PY" tools/obspy-ingest-peer.py "$WORK/peer.sqlite" "$data"
    peer=$(sed 's/.*seconds=//' "$WORK/stage.out")
    printf '  ingest ratio: %.2fx (peer %.2f s after its imports / ours %.2f s)\n' \
      "$(echo "$peer / $ours" | bc -l)" "$peer" "$ours"
    "$BIN" picks import -q "$WORK/$archive/picks.csv" --db "$WORK/$archive.sqlite"
    # shellcheck disable=SC2086
    stage "seiscluster windows build" "$BIN" windows build -q $WINDOW --db "$WORK/$archive.sqlite"
    ours=$WALL
    stage "ObsPy chain (peer)" "$PY" tools/bench/obspy_archive_windows.py "$archive" "$WORK/$archive"
    peer=$(sed 's/.*seconds=\([0-9.]*\).*/\1/' "$WORK/stage.out")
    printf '  windows build ratio: %.2fx (peer %.2f s / ours %.2f s; %.0f windows/s)\n' \
      "$(echo "$peer / $ours" | bc -l)" "$peer" "$ours" "$(echo "2000 / $ours" | bc -l)"
  done
done

echo
echo "== windows import / export, 3 x 512 float32 (load average $(cut -d' ' -f1-3 /proc/loadavg))"
for n in 20000 200000; do
  rm -f "$WORK/import.sqlite"* "$WORK/out.npy" "$WORK/out.csv"
  stage "windows import $n" "$BIN" windows import -q "$WORK/w$n.npy" --db "$WORK/import.sqlite"
  stage "windows export $n" "$BIN" windows export -q --output "$WORK/out.npy" --index "$WORK/out.csv" --db "$WORK/import.sqlite"
  cmp -s "$WORK/out.npy" "$WORK/w$n.npy" && echo "  export equals the imported file"
done
rm -f "$WORK/import.sqlite"* "$WORK/out.npy" "$WORK/out.csv" "$WORK/peer.sqlite"*
