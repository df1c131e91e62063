#!/usr/bin/env bash
# Kills `seiscluster ingest` with SIGKILL at random moments, then proves the store survived:
# PRAGMA integrity_check, `seiscluster check`, a re-run of the same ingest, and a listing equal to
# an uninterrupted run's (same segments, no duplicates, no file lost).
#
#   scripts/crash-test.sh [kills] [files]        (defaults: 20 kills, 300 files of 20000 samples)
#
# Uses $SEISCLUSTER (default .build/debug/seiscluster, built if missing). Only kills that land
# while the ingest is still running count; the run keeps going until `kills` of them have.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
kills=${1:-20}
files=${2:-300}
bin=${SEISCLUSTER:-$root/.build/debug/seiscluster}
if [ ! -x "$bin" ]; then (cd "$root" && swift build --product seiscluster); fi
work=$(mktemp -d /tmp/seiscluster-crash.XXXXXX)
trap 'rm -rf "$work"' EXIT

python3 "$root/tools/make-sac-files.py" "$work/in" "$files"
# Some real files too, readable and not, so errors and warnings happen between the kills.
if [ -d "$root/../shared/data/mseed" ]; then cp -r "$root/../shared/data/mseed" "$work/in/real"; fi

integrity() { sqlite3 "$1" "PRAGMA integrity_check;"; }

# The uninterrupted reference run.
start=$(date +%s.%N)
"$bin" ingest -q --db "$work/reference.sqlite" "$work/in" 2>/dev/null || true
duration=$(echo "$(date +%s.%N) - $start" | bc)
"$bin" traces list --db "$work/reference.sqlite" --format csv >"$work/reference.csv"
echo "reference: $(($(wc -l <"$work/reference.csv") - 1)) segments in ${duration}s"

# Each kill comes at a random moment within the first half of a full run's time, and each re-run
# resumes the killed one, so kills land at every stage of the ingest; when a re-run completes
# before its kill, the store starts over (a new cycle) and the next kills hit an early stage again.
landed=0
tries=0
cycles=0
while [ "$landed" -lt "$kills" ]; do
  tries=$((tries + 1))
  delay=$(python3 -c "import random; print(round(random.uniform(0.1, max(0.2, $duration * 0.5)), 3))")
  "$bin" ingest -q --db "$work/store.sqlite" "$work/in" 2>/dev/null &
  pid=$!
  sleep "$delay"
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid"
    landed=$((landed + 1))
    wait "$pid" 2>/dev/null || true
    ok=$(integrity "$work/store.sqlite")
    stored=$(sqlite3 "$work/store.sqlite" "SELECT count(*) FROM source_file;")
    echo "kill $landed after ${delay}s: integrity $ok, $stored files stored"
    [ "$ok" = ok ] || { echo "FAIL: integrity_check: $ok"; exit 1; }
    "$bin" check -q --db "$work/store.sqlite" || { echo "FAIL: seiscluster check"; exit 1; }
  else
    wait "$pid" 2>/dev/null || true
    cycles=$((cycles + 1))
    echo "(try $tries: ingest finished before ${delay}s; cycle $cycles: starting over from an empty store)"
    "$bin" traces list --db "$work/store.sqlite" --format csv >"$work/cycle.csv"
    cmp -s "$work/reference.csv" "$work/cycle.csv" || { echo "FAIL: cycle $cycles differs"; exit 1; }
    rm -f "$work/store.sqlite" "$work/store.sqlite-wal" "$work/store.sqlite-shm"
  fi
done

# Finish the interrupted ingest and compare.
"$bin" ingest -q --db "$work/store.sqlite" "$work/in" 2>/dev/null || true
"$bin" check -q --db "$work/store.sqlite"
"$bin" traces list --db "$work/store.sqlite" --format csv >"$work/store.csv"
files_ref=$(sqlite3 "$work/reference.sqlite" "SELECT count(*) FROM source_file;")
files_got=$(sqlite3 "$work/store.sqlite" "SELECT count(*) FROM source_file;")
# Duplicates: segments of one channel and start from two different rows of source_file, or the
# same file path stored twice (some real files legitimately repeat a record inside one file).
duplicates='SELECT (SELECT count(*) FROM (SELECT path FROM source_file GROUP BY path HAVING count(*) > 1))
  + (SELECT count(*) FROM (SELECT channel_id, start_ns, sample_count, samples FROM segment
     GROUP BY 1, 2, 3, 4 HAVING count(DISTINCT file_id) > 1));'
dups=$(sqlite3 "$work/store.sqlite" "$duplicates")
dups_ref=$(sqlite3 "$work/reference.sqlite" "$duplicates")
if cmp -s "$work/reference.csv" "$work/store.csv" && [ "$files_ref" = "$files_got" ] && [ "$dups" = "$dups_ref" ]; then
  echo "PASS: $landed kills survived ($cycles complete cycles); $((($(wc -l <"$work/store.csv") - 1))) segments and $files_got files equal the uninterrupted run; duplicates $dups (uninterrupted run: $dups_ref)"
else
  echo "FAIL: listing differs from the uninterrupted run (files $files_got vs $files_ref, duplicates $dups vs $dups_ref)"
  diff "$work/reference.csv" "$work/store.csv" | head -20
  exit 1
fi
