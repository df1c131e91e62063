#!/bin/bash
# grown_files.sh BIN TAG DAYS: ingest the first half of each day file of DAYS (from
# `tools/bench/make_archive.py days DAYS`), then the whole files at the same paths, as a
# real-time archive appends to today's file; prints the second ingest's summary and the store.
# Used for docs/benchmarks.md ("Stop 46") with farm-bench pairing two builds.
set -euo pipefail
BIN=$1; TAG=$2; DAYS=$3
W=/tmp/grown-$TAG; DB=/tmp/grown-$TAG.sqlite
rm -rf "$W" "$DB" "$DB"-wal "$DB"-shm; mkdir -p "$W"
for f in "$DAYS"/waveforms/*; do
  s=$(stat -c %s "$f"); head -c $(( (s / 2) / 4096 * 4096 )) "$f" > "$W/$(basename "$f")"
done
"$BIN" ingest "$W" --db "$DB" -q
cp "$DAYS"/waveforms/* "$W"/
"$BIN" ingest "$W" --db "$DB" 2>&1 | grep '^ingest: stored' || true
echo "store: $(du -m "$DB" | cut -f1) MB, $(sqlite3 "$DB" 'select count(*) from source_file') files, $(sqlite3 "$DB" 'select sum(sample_count) from segment') samples"
