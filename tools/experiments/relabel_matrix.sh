#!/bin/bash
# The relabel matrix of decision 0014, "Relabel: lighter labels, candidates set aside (stop 26)".
#   tools/experiments/relabel_matrix.sh BIN NAME DATA BASE_STORE SEED "DRAWS" [cluster options]
# Clusters a copy of BASE_STORE once with `--restarts 1 --seed SEED` (cached in $WORK, default
# /tmp/relabel_matrix), then per draw hands 10 labels per class (Python random.Random(draw) over
# DATA/truth.csv, as relabel_draws.sh) to `relabel` on a fresh copy of that run and prints the
# accuracy on the windows that were not hand-labelled. The environment passes through, so a
# build with relabel_weight_experiment.patch takes SEISCLUSTER_EXPERIMENT_RELABEL_WEIGHT,
# _PERBATCH, and with DUMPTAG set writes each candidate's labels to $WORK/d/DUMPTAG-NAME-sS-dD.json
# for relabel_rules.py. The stop-26 matrix ran, for each build or setting:
#   hard 300 (mk-events-hard-300, --bandpass 1,15) seeds 0 1 2 12 16 44 45, draws 0-7;
#   make_events.py 300 seeds 12 16, draws 0-7; generator B 300 with --spectrogram-reference
#   frequency seeds 3 6 7, demo 2,000 seeds 11 12 16 23, make_events.py 2,000 seeds 12 13,
#   hard 2,000 (--bandpass 1,15) seed 0 and generator B 2,000 seed 3, draws 0-2.
# SOURCE_RESTARTS=default clusters the source with the default restarts instead (a stable
# source is steered, not retrained: decision 0014); the cache then has its own file.
BIN=$1; NAME=$2; DATA=$3; BASE=$4; S=$5; DRAWS=$6; shift 6
WORK=${WORK:-/tmp/relabel_matrix}; mkdir -p $WORK/d
RESTARTS=${SOURCE_RESTARTS:-1}
if [ "$RESTARTS" = default ]; then restarts=(); src=$WORK/$NAME-s$S-default.sqlite
else restarts=(--restarts "$RESTARTS"); src=$WORK/$NAME-s$S.sqlite
  [ "$RESTARTS" = 1 ] || src=$WORK/$NAME-s$S-r$RESTARTS.sqlite
fi
if [ ! -f $src ]; then
  cp $BASE $src.tmp
  SEISCLUSTER_DB=$src.tmp $BIN cluster --quiet --clusters 2 --before 5 --after 55 "${restarts[@]}" --seed $S "$@" >/dev/null 2>&1
  mv $src.tmp $src
fi
echo "$NAME s$S source $(SEISCLUSTER_DB=$src $BIN evaluate --truth $DATA/truth.csv 2>&1 | grep -o "^ACC=[0-9.]*" | cut -d= -f2)"
w=$WORK/run_$$; mkdir -p $w
for d in $DRAWS; do
  lab=$WORK/labels-$NAME-d$d.csv
  [ -f $lab ] || ${PYTHON:-python3} - $DATA/truth.csv $lab $d <<'PY'
import csv, random, sys
rows = list(csv.DictReader(open(sys.argv[1]))); rng = random.Random(int(sys.argv[3])); by = {}
for r in rows: by.setdefault(r["label"], []).append(r)
given = [r for k in sorted(by) for r in rng.sample(by[k], 10)]
with open(sys.argv[2], "w") as f:
    w = csv.DictWriter(f, ["network", "station", "location", "time", "label"], extrasaction="ignore"); w.writeheader(); w.writerows(given)
PY
  cp $src $w/d.sqlite
  [ -n "$DUMPTAG" ] && export SEISCLUSTER_EXPERIMENT_RELABEL_DUMP=$WORK/d/$DUMPTAG-$NAME-s$S-d$d.json
  t0=$(date +%s.%N)
  SEISCLUSTER_DB=$w/d.sqlite $BIN relabel --quiet --labels $lab >/dev/null 2>$w/err || { echo "FAIL"; tail -2 $w/err; }
  t1=$(date +%s.%N)
  acc=$(SEISCLUSTER_DB=$w/d.sqlite $BIN evaluate --truth $DATA/truth.csv 2>&1 | grep -o "labels: accuracy [0-9.]*" | cut -d" " -f3)
  echo "$NAME s$S d$d $acc $(printf %.1f $(echo "$t1 - $t0" | bc))s"
done
rm -rf $w
