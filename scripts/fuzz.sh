#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ and runs each for a while on a corpus seeded from the
# real files in ../shared/data and the project's fixtures.
#
#   scripts/fuzz.sh [seconds-per-target] [target...]
#
# Targets: FuzzSAC FuzzMiniSEED FuzzPicks FuzzQuakeML FuzzLabels FuzzWindowIndex FuzzNPY FuzzSampleBlob
# (all when none is named). Corpora live under
# $FUZZ_WORK (default /tmp/seiscluster-fuzz), so they grow across runs; crashes are written there
# as crash-* / oom-* / leak-* files and the script exits non-zero. Each run's log, with
# libFuzzer's final statistics (executions, coverage), is $FUZZ_WORK/TARGET.log.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(FuzzSAC FuzzMiniSEED FuzzPicks FuzzQuakeML FuzzLabels FuzzWindowIndex FuzzNPY FuzzSampleBlob)
fi
work=${FUZZ_WORK:-/tmp/seiscluster-fuzz}
shared="$root/../shared/data"

cd "$root/fuzz"
for target in "${targets[@]}"; do
  swift build -c debug -Xswiftc -sanitize=fuzzer,address --product "$target"
done
bin=$(swift build -c debug -Xswiftc -sanitize=fuzzer,address --show-bin-path)

seed() {
  local target=$1 corpus=$2
  case $target in
    FuzzSAC) cp "$shared"/sac/* "$root"/fixtures/readers/*.sac "$corpus"/ ;;
    FuzzMiniSEED) cp "$shared"/mseed/* "$shared"/sac/* "$root"/fixtures/readers/*.mseed \
      "$root"/fixtures/readers/*.sac "$corpus"/ ;;
    FuzzPicks) cp "$root"/fixtures/picks/*.csv "$root"/fixtures/picks/*.xml \
      "$root"/fixtures/picks/*.quakeml "$root"/fixtures/hostile/* "$corpus"/ ;;
    FuzzQuakeML) cp "$root"/fixtures/picks/*.xml "$root"/fixtures/picks/*.quakeml \
      "$root"/fixtures/hostile/*.xml "$corpus"/ ;;
    # Labels and truth CSVs: by pick (with a quoted field, a blank location) and by window id.
    FuzzLabels)
      printf 'network,station,location,time,label\nXX,A,,2026-03-01T00:06:16.649649Z,quake\nXX,"B",00,2026-03-01T00:07:02Z,"noise, cultural"\n' >"$corpus/by-pick.csv"
      printf 'window_id,label\n0,a\n1,b\n2,a\n' >"$corpus/by-id.csv"
      cp "$root"/fixtures/picks/*.csv "$corpus"/ ;;
    FuzzWindowIndex)
      printf 'window_id,network,station,location,time,phase,channels,start_time\n0,XX,A,,2026-03-01T00:06:16.649649Z,P,"HHZ,HHN,HHE",2026-03-01T00:06:11.649649Z\n7,XX,B,00,2026-03-01T00:07:02Z,S,HHZ,\n' >"$corpus/index.csv"
      printf 'window_id\n3\n1\n' >"$corpus/ids.csv" ;;
    FuzzNPY) cp "$root"/fixtures/npy/*.npy "$corpus"/ ;;
    # An Int32 delta blob of 40 samples (widths 1 and 2), and a raw float32 one of 2.
    FuzzSampleBlob)
      printf '\x00\x28\x00\x01\x02\x04\x06\x08\x0a\x0c\x0e\x10\x12\x14\x16\x18\x1a\x1c\x1e\x20\x02\x22\x00\x24\x00\x26\x00\x28\x00\x2a\x00\x2c\x00\x2e\x00\x30\x00\x32\x00\x34\x00\x36\x00\x38\x00\x3a\x00\x3c\x00\x3e\x00\x40\x00\x01\x42\x44\x46\x48\x4a\x4c\x4e\x50' >"$corpus/int32-delta"
      printf '\x03\x02\x00\x00\x00\x80\x3f\x00\x00\x00\x40' >"$corpus/float32-raw" ;;
  esac
  # Inputs that once crashed a reader (fixtures/regressions) are seeds too.
  case $target in
    FuzzSAC | FuzzMiniSEED) cp "$root"/fixtures/regressions/*.sac "$root"/fixtures/regressions/*.mseed \
      "$corpus"/ 2>/dev/null || true ;;
    FuzzPicks) cp "$root"/fixtures/regressions/*.csv "$root"/fixtures/regressions/*.xml \
      "$corpus"/ 2>/dev/null || true ;;
    FuzzQuakeML) cp "$root"/fixtures/regressions/*.xml "$corpus"/ 2>/dev/null || true ;;
  esac
}

# The Swift runtime's backtracer and ASan fight over a crash: let libFuzzer report it.
export SWIFT_BACKTRACE=enable=no
status=0
for target in "${targets[@]}"; do
  corpus="$work/$target/corpus"
  artifacts="$work/$target/artifacts"
  mkdir -p "$corpus" "$artifacts"
  seed "$target" "$corpus"
  echo "== $target: ${seconds}s, corpus $(ls "$corpus" | wc -l) files"
  # -malloc_limit_mb: any single allocation above 256 MB is reported as a crash, so a header
  # claiming billions of samples that is not refused before allocating shows up here.
  # FoundationXML leaks a small CFError for every malformed document (not our code): leak
  # detection is off for the pick reader, and its resident-memory limit is higher (the leak
  # reached 2 GB after 1.5 million inputs, ~9 minutes).
  extra=(-rss_limit_mb=2048)
  leaks=1
  # (LeakSanitizer's check at exit would report that same leak as a crash: off for the XML
  # readers.)
  if [ "$target" = FuzzPicks ] || [ "$target" = FuzzQuakeML ]; then
    extra=(-detect_leaks=0 -rss_limit_mb=4096)
    leaks=0
  fi
  if ! ASAN_OPTIONS="detect_leaks=$leaks" "$bin/$target" "${extra[@]}" -max_total_time="$seconds" -max_len=65536 \
    -malloc_limit_mb=256 -timeout=10 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$corpus" >"$work/$target.log" 2>&1; then
    status=1
    echo "== $target: CRASH, see $work/$target.log and $artifacts/"
  fi
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)" "$work/$target.log" || true
  grep -E "cov: [0-9]+" "$work/$target.log" | tail -1 || true
done
exit $status
