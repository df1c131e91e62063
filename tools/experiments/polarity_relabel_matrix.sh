#!/bin/bash
# Decision 0014, "Polarity sources kept (stop 38)": relabel from default polarity sources.
#   tools/experiments/polarity_relabel_matrix.sh BIN TAG NAME:DATA [NAME:DATA ...]
# For each data set (a folder with base.sqlite and truth.csv) and seeds 0-7, clusters a copy of
# the store with the paper's polarity options (cached by relabel_matrix.sh), then relabels it
# with 10 labels per class, draws 0-2, and prints the accuracy on the windows not labelled,
# each line prefixed with TAG. Stop 38 ran it with
#   mkpolP:DATA/mk-polarity-2000 gbpolP:DATA/genb-polarity-2000 mppolP:DATA/mp-polarity-2000
# (make_events.py --kind polarity --seed 24; make_synthetics_b.py --mode polarity --seed 14;
# make_polarity.py --events 2000 --seed 5 --stations 6).
BIN=$1; TAG=$2; shift 2
cd "$(dirname "$0")/../.."
for spec in "$@"; do
  NAME=${spec%%:*}; DATA=${spec#*:}
  for S in 0 1 2 3 4 5 6 7; do
    SOURCE_RESTARTS=default bash tools/experiments/relabel_matrix.sh "$BIN" "$NAME" "$DATA" \
      "$DATA/base.sqlite" "$S" "0 1 2" --components Z --before 0.16 --after 0.16 \
      --filters 8,4,2,1 --kernels 11,9,3,3 --activation tanh 2>&1 | sed "s/^/$TAG /"
  done
done
