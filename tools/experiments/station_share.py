#!/usr/bin/env python3
"""The station share within clusters (InputSeparation.stationShare, decision 0020) of stored
runs' clusters, replayed in Python on exported windows.

    tools/experiments/station_share.py NAME=WINDOWS.npy:DUMP1.npz,DUMP2.npz,... ...

WINDOWS.npy is the set's `windows export`; each DUMP a `bad_optima.py --dump` of one run on it
(its `labels`, `truth` and `station` arrays, in the export's order). Prints, per set, the
share of each run's clusters, of the truth's classes and of no clustering at all, in PCA-8 of
the windows (the tool's sample is the whole set up to 2,000 windows).
"""
import os
import sys

import numpy as np
from sklearn.decomposition import PCA


sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from make_station_share_fixtures import share  # noqa: E402  (the measure, written once)


def station_share(z, clusters, stations):
    return share(z, [int(c) for c in clusters], [str(s) for s in stations])


for spec in sys.argv[1:]:
    name, files = spec.split("=", 1)
    windows, dumps = files.split(":", 1)
    x = np.load(windows).astype(np.float64)
    z = PCA(8, random_state=0).fit_transform(x.reshape(len(x), -1))
    runs = [np.load(d) for d in dumps.split(",")]
    shares = [station_share(z, d["labels"], d["station"]) for d in runs]
    d = runs[0]
    known = d["truth"] >= 0
    print(f"{name}: runs {min(shares):.3f}-{max(shares):.3f} ({len(shares)}) | truth "
          f"{station_share(z[known], d['truth'][known], d['station'][known]):.3f} | none "
          f"{station_share(z, np.zeros(len(z), int), d['station']):.3f}")
